package io.dynamobackup.bench;

import io.dynamobackup.operator.support.Soak;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;

/**
 * The 10-minute soak of {@link Soak}: 500 objects created and deleted under random AWS faults, API outages and 409s
 * on status writes. Prints the figures and appends them to bench/soak-results.md; exits 1 unless converged equals
 * the objects and every other figure is zero.
 *
 * <p>Run: {@code mvn -B -Pbench -DskipTests verify -Dbench.main=io.dynamobackup.bench.SoakBench} (options:
 * {@code -Dbench.args="--minutes=2 --objects=200 --seed=7"}).
 */
public final class SoakBench {

  private SoakBench() {}

  public static void main(String[] args) throws IOException {
    long minutes = option(args, "--minutes", 10);
    int objects = (int) option(args, "--objects", 500);
    long seed = option(args, "--seed", 42);
    var settings = new Soak.Settings(Duration.ofMinutes(minutes), objects, seed, Duration.ofSeconds(60), 10);

    var figures = Soak.run(settings);

    String row = figures.row(settings);
    System.out.println(Soak.Figures.header() + "\n" + row);
    Path results = Path.of("bench", "soak-results.md");
    if (!Files.exists(results)) {
      Files.writeString(results, "# Soak results\n\nWritten by bench/SoakBench (see its javadoc and support/Soak for"
          + " the figures' definitions).\n\n| run at |" + Soak.Figures.header().substring(1)
              .replace("\n|---", "\n|---|---") + "\n");
    }
    Files.writeString(results, "| " + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " " + row
        + "\n", StandardOpenOption.APPEND);
    boolean clean = figures.converged() == objects && figures.duplicates() == 0 && figures.orphans() == 0
        && figures.stuckFinalizers() == 0 && figures.lostStatusWrites() == 0;
    System.exit(clean ? 0 : 1);
  }

  private static long option(String[] args, String name, long fallback) {
    for (String arg : args) {
      if (arg.startsWith(name + "=")) {
        return Long.parseLong(arg.substring(name.length() + 1));
      }
    }
    return fallback;
  }
}
