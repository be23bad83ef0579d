package io.dynamobackup.operator.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.support.Soak;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The 60 s soak of {@link Soak} (the 10-minute one with 500 objects is bench/SoakBench): random AWS faults, API
 * outages and 409s on status writes, objects created and deleted meanwhile. 150 objects, not 500: on two shared
 * cores, under these faults, 200 converged only 194-198 within 36 s; 150 leave headroom.
 */
class SoakIT {

  static final Soak.Settings SETTINGS = new Soak.Settings(Duration.ofSeconds(Integer.getInteger("soak.seconds", 60)),
      Integer.getInteger("soak.objects", 150), Long.getLong("soak.seed", 42), Duration.ofSeconds(20), 10);

  @Test
  void underFaultsEveryObjectConvergesAndNothingIsDuplicatedOrphanedStuckOrLost() {
    var figures = Soak.run(SETTINGS);

    System.out.println(Soak.Figures.header() + "\n" + figures.row(SETTINGS));
    assertThat(figures.awsFaults()).as("AWS faults injected").isNotEmpty();
    assertThat(figures.statusConflicts()).as("409s answered to status writes").isPositive();
    assertThat(figures.outages()).as("API outages").isPositive();
    assertThat(figures.converged()).as("objects converged").isEqualTo(SETTINGS.objects());
    assertThat(figures.duplicates()).as("duplicate backups").isZero();
    assertThat(figures.orphans()).as("orphan backups").isZero();
    assertThat(figures.stuckFinalizers()).as("stuck finalizers").isZero();
    assertThat(figures.lostStatusWrites()).as("lost status writes").isZero();
  }
}
