package io.dynamobackup.operator.reconcile;

import io.dynamobackup.operator.reconcile.backup.Recreate;
import static io.dynamobackup.operator.support.OperatorHarness.NAMESPACE;
import static io.dynamobackup.operator.support.OperatorHarness.REGION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.support.Backups;
import io.dynamobackup.operator.support.OperatorHarness;
import io.dynamobackup.operator.support.StatusConditions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Resync, backups deleted behind the operator's back, the recreate annotation, and in-flight creates. */
class OutOfBandChangesTest {

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final ReconcileSettings SETTINGS = OperatorConfig.quickReconcile().withResyncPeriod(Duration.ofSeconds(2))
      .withInFlightBound(Duration.ofSeconds(8)); // longer than an operator restart takes here
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create(SETTINGS);

  @Test
  void resyncMirrorsSizeUpdates() {
    String name = OperatorHarness.uniqueName("sized");
    String arn = Backups.availableBackup(harness, name, new DynamoBackupSpec(harness.newTable()));

    harness.emulator.setBackupSize(REGION, arn, 123_456_789L);

    await().atMost(TIMEOUT).until(() -> Long.valueOf(123_456_789L)
        .equals(harness.get(name).getStatus().backupDescription.backupDetails.backupSizeBytes));
  }

  @Test
  void backupDeletedOutsideKubernetesIsReportedNotRecreatedUntilAsked() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("oob");
    String arn = Backups.availableBackup(harness, name, new DynamoBackupSpec(table));

    harness.emulator.deleteOutOfBand(REGION, arn);

    await().atMost(TIMEOUT).untilAsserted(() -> {
      var backup = harness.get(name);
      var ready = StatusConditions.condition(backup, Conditions.READY);
      assertThat(ready.getReason()).isEqualTo("BackupMissing");
      assertThat(ready.getMessage()).contains(arn, "deleted outside Kubernetes");
      assertThat(backup.getStatus().backupStatus).isEqualTo("DELETED");
      assertThat(backup.getStatus().backupDescription.sourceTableDetails.tableName).isEqualTo(table);
    });
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).contains("BackupMissing"));
    // several resync periods later it has still not been re-created, nor looked at again
    int describes = harness.emulator.calls("DescribeBackup", arn).size();
    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7))
        .until(() -> harness.emulator.calls("CreateBackup", table).size() == 1);
    assertThat(harness.emulator.calls("DescribeBackup", arn)).hasSizeLessThanOrEqualTo(describes + 3);

    harness.backups().inNamespace(NAMESPACE).withName(name).edit(b -> {
      b.getMetadata().getAnnotations().put(Recreate.ANNOTATION, "true");
      return b;
    });

    await().atMost(TIMEOUT).untilAsserted(() -> {
      var backup = harness.get(name);
      assertThat(backup.getStatus().backupStatus).isEqualTo("AVAILABLE");
      assertThat(backup.getStatus().backupArn).isNotEqualTo(arn);
      assertThat(backup.getMetadata().getAnnotations()).doesNotContainKey(Recreate.ANNOTATION);
    });
    assertThat(harness.emulator.calls("CreateBackup", table)).hasSize(2);
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).contains("Recreating"));
  }

  @Test
  void recreateAnnotationOnAnExistingBackupIsIgnoredAndRemoved() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("exists");
    String arn = Backups.availableBackup(harness, name, new DynamoBackupSpec(table));

    harness.backups().inNamespace(NAMESPACE).withName(name).edit(b -> {
      b.getMetadata().setAnnotations(new java.util.HashMap<>(java.util.Map.of(Recreate.ANNOTATION, "true")));
      return b;
    });

    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(harness.get(name).getMetadata().getAnnotations()).doesNotContainKey(Recreate.ANNOTATION);
      harness.awaitEventReasons(name, reasons -> assertThat(reasons).contains("RecreateIgnored"));
    });
    assertThat(harness.get(name).getStatus().backupArn).isEqualTo(arn);
    assertThat(harness.emulator.calls("CreateBackup", table)).hasSize(1);
  }

  @Test
  void createWithoutARecordedAnswerIsGivenTimeToShowUpBeforeCreatingAgain() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("in-flight");
    harness.stopOperator();
    Instant requested;
    try {
      harness.apply(name, new DynamoBackupSpec(table));
      requested = harness.recordCreateIntent(name);
    } finally {
      harness.startOperator();
    }

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(
        StatusConditions.condition(harness.get(name), Conditions.READY).getMessage()).contains("waiting"));
    await().atMost(TIMEOUT).until(() -> "AVAILABLE".equals(harness.get(name).getStatus().backupStatus));

    var creates = harness.emulator.calls("CreateBackup", table);
    assertThat(creates).hasSize(1);
    assertThat(creates.get(0).at()).isAfterOrEqualTo(requested.plus(SETTINGS.inFlightBound()).minusSeconds(1));
  }

  @Test
  void deletionWaitsForAnInFlightCreateAndDeletesItsBackup() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("late");
    harness.stopOperator();
    try {
      harness.apply(name, new DynamoBackupSpec(table));
      harness.recordCreateIntent(name);
    } finally {
      harness.startOperator();
    }
    harness.backups().inNamespace(NAMESPACE).withName(name).delete();
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(
        StatusConditions.condition(harness.get(name), Conditions.DELETING).getReason())
        .isEqualTo("WaitingForCreate"));

    // the in-flight CreateBackup lands now
    String late = harness.dynamo.createBackup(r -> r.tableName(table)
        .backupName(SpecRules.backupName(harness.get(name)))).backupDetails().backupArn();

    await().atMost(TIMEOUT).until(() -> harness.get(name) == null);
    assertThat(harness.emulator.backupArns(REGION)).doesNotContain(late);
    assertThat(harness.emulator.calls("DeleteBackup", late)).hasSize(1);
  }

}
