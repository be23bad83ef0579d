package io.dynamobackup.operator.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's prometheus package: {@code promtool} and the {@code prometheus} server. The tests that need them fail
 * (they do not skip) when they are missing, with the command that installs them; .ci/run installs them.
 */
public final class PrometheusTools {

  public static final String INSTALL = "install Debian's prometheus package (apt-get install prometheus; .ci/run"
      + " does), which brings /usr/bin/prometheus and /usr/bin/promtool";

  private PrometheusTools() {}

  /** The binary's path on PATH; an AssertionError saying how to install it when there is none. */
  public static Path require(String binary) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, binary);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(binary + " is not installed: " + INSTALL);
  }

  /** What a finished command printed (stdout and stderr together) and its exit code. */
  public record Result(int exitCode, String output) {}

  /** Runs {@code promtool} with these arguments in {@code dir}, bounded by {@code timeout}. */
  public static Result promtool(Path dir, Duration timeout, String... args) {
    List<String> command = new ArrayList<>(List.of(require("promtool").toString()));
    command.addAll(List.of(args));
    return run(command, dir, null, timeout);
  }

  /** Runs {@code command} in {@code dir}, with {@code input} on its standard input if not null. */
  public static Result run(List<String> command, Path dir, String input, Duration timeout) {
    try {
      Path output = Files.createTempFile(dir, "command", ".out");
      var builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(output.toFile());
      if (input == null) {
        builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      }
      Process process = builder.start();
      if (input != null) {
        try (var stdin = process.getOutputStream()) {
          stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
      }
      return new Result(process.exitValue(), Files.readString(output));
    } catch (IOException e) {
      throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + command, e);
    }
  }
}
