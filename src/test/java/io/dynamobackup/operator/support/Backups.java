package io.dynamobackup.operator.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.reconcile.Conditions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/** DynamoBackup objects for tests: stored ones for phase tests, and waits on the operator under test. */
public final class Backups {

  /** How long the operator under test gets to make a backup AVAILABLE. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Backups() {}

  /** Applies a DynamoBackup and waits until its backup is AVAILABLE, described and Ready; returns the backup ARN. */
  public static String availableBackup(OperatorHarness harness, String name, DynamoBackupSpec spec) {
    harness.apply(name, spec);
    return awaitAvailable(harness, name).getStatus().backupArn;
  }

  /** A DynamoBackup of a new table, AVAILABLE; returns the backup ARN. */
  public static String availableBackup(OperatorHarness harness, String name) {
    return availableBackup(harness, name, new DynamoBackupSpec(harness.newTable()));
  }

  /**
   * Waits until the object's backup is AVAILABLE, described (its source table details mirrored) and Ready=True;
   * returns the version of the object that was.
   */
  public static DynamoBackup awaitAvailable(OperatorHarness harness, String name) {
    var seen = new AtomicReference<DynamoBackup>();
    await(name + " AVAILABLE").atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
      var backup = harness.get(name);
      assertThat(backup).as(name).isNotNull();
      assertThat(backup.getStatus()).as("status of " + name).isNotNull();
      assertThat(backup.getStatus().backupStatus).as("backupStatus of " + name).isEqualTo("AVAILABLE");
      assertThat(backup.getStatus().backupDescription.sourceTableDetails).as("described").isNotNull();
      assertThat(Conditions.isTrue(backup.getStatus().conditions, Conditions.READY))
          .as("Ready of %s: %s", name, backup.getStatus().conditions).isTrue();
      seen.set(backup);
    });
    return seen.get();
  }

  /**
   * A DynamoBackup as the API server stores it, for a phase's unit test: in namespace default, with a uid from its
   * name, generation 1, resourceVersion 1 and the finalizer, created at {@code created}.
   */
  public static DynamoBackup stored(String name, DynamoBackupSpec spec, Instant created) {
    var backup = new DynamoBackup();
    backup.setMetadata(new ObjectMetaBuilder().withNamespace(OperatorHarness.NAMESPACE).withName(name)
        .withUid(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString()).withGeneration(1L)
        .withResourceVersion("1").withCreationTimestamp(created.toString()).withFinalizers(DynamoBackup.FINALIZER)
        .build());
    backup.setSpec(spec);
    return backup;
  }

  /** The last version with that backupStatus among those a watch saw (the final DELETED event can be stale). */
  public static DynamoBackup lastWithStatus(List<DynamoBackup> seen, String backupStatus) {
    return seen.stream()
        .filter(b -> b.getStatus() != null && backupStatus.equals(b.getStatus().backupStatus))
        .reduce((first, second) -> second)
        .orElseThrow(() -> new AssertionError("no version with backupStatus " + backupStatus + " among "
            + seen.size() + " seen"));
  }
}
