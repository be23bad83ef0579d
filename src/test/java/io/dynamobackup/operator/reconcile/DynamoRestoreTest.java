package io.dynamobackup.operator.reconcile;

import static io.dynamobackup.operator.support.Backups.availableBackup;
import static io.dynamobackup.operator.support.OperatorHarness.REGION;
import static io.dynamobackup.operator.support.Restores.awaitReady;
import static io.dynamobackup.operator.support.StatusConditions.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.support.OperatorHarness;
import io.dynamobackup.operator.support.Versions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A DynamoRestore from its request to an ACTIVE table, and each way it can fail before that. */
class DynamoRestoreTest {

  static final Duration TIMEOUT = Duration.ofSeconds(20);
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create();

  @Test
  void restoreFromABackupRefBecomesReadyWithTheTablesRestoreSummary() {
    String backup = OperatorHarness.uniqueName("source");
    String arn = availableBackup(harness, backup);
    String name = OperatorHarness.uniqueName("restore");
    String target = name + "-table";

    harness.applyRestore(name, fromRef(backup, target));

    var status = awaitReady(harness, name).getStatus();
    assertThat(status.tableArn).isEqualTo("arn:aws:dynamodb:" + REGION + ":123456789012:table/" + target);
    assertThat(status.tableStatus).isEqualTo("ACTIVE");
    assertThat(status.sourceBackupArn).isEqualTo(arn);
    assertThat(status.restoreSummary.sourceBackupArn).isEqualTo(arn);
    assertThat(status.restoreSummary.sourceTableArn).endsWith(":table/" + harness.get(backup).getSpec().tableName);
    assertThat(status.restoreSummary.restoreInProgress).isFalse();
    assertThat(status.restoreSummary.restoreDateTime).isNotNull();
    assertThat(condition(harness.getRestore(name), Conditions.RESTORING).getStatus()).isEqualTo("False");
    assertThat(condition(harness.getRestore(name), Conditions.RESTORING).getReason()).isEqualTo("Restored");
    assertThat(harness.emulator.calls("RestoreTableFromBackup", target)).hasSize(1);
    assertThat(harness.dynamo.describeTable(r -> r.tableName(target)).table().restoreSummary().sourceBackupArn())
        .isEqualTo(arn);
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).containsSubsequence("Restoring", "Restored"));
  }

  @Test
  void restoreWaitsForItsBackupThenFollowsTheTableUntilItIsActive() {
    harness.emulator.creatingDuration(Duration.ofMillis(1500)).restoringDuration(Duration.ofMillis(1500));
    String backup = OperatorHarness.uniqueName("slow");
    String name = OperatorHarness.uniqueName("restore");
    try (var versions = new Versions<>(harness.restores().inNamespace(OperatorHarness.NAMESPACE).withName(name))) {
      harness.apply(backup, new DynamoBackupSpec(harness.newTable()));
      harness.applyRestore(name, fromRef(backup, name + "-table"));

      awaitReady(harness, name);

      assertThat(versions.seen().stream().map(r -> readyReason(r)).filter(Objects::nonNull).distinct())
          .containsSubsequence("BackupNotAvailable", "Restoring", "Restored");
      assertThat(versions.seen()).filteredOn(r -> r.getStatus() != null).anySatisfy(r -> {
        assertThat(r.getStatus().tableStatus).isEqualTo("CREATING");
        assertThat(r.getStatus().restoreSummary.restoreInProgress).isTrue();
        assertThat(condition(r, Conditions.RESTORING).getReason()).isEqualTo("RestoreInProgress");
      });
    } finally {
      harness.emulator.creatingDuration(Duration.ZERO).restoringDuration(Duration.ZERO);
    }
    Instant available = Instant.parse(harness.get(backup).getStatus().backupDescription.backupDetails
        .backupCreationDateTime).plusMillis(1500);
    assertThat(harness.emulator.calls("RestoreTableFromBackup", name + "-table")).singleElement()
        .satisfies(call -> assertThat(call.at()).isAfterOrEqualTo(available));
  }

  @Test
  void anExistingTargetTableIsTableAlreadyExistsAndNeverTouched() {
    String backup = OperatorHarness.uniqueName("source");
    availableBackup(harness, backup);
    String existing = harness.newTable();
    String name = OperatorHarness.uniqueName("clash");

    harness.applyRestore(name, fromRef(backup, existing, s -> s.deletionPolicy = DeletionPolicy.Delete));

    await().atMost(TIMEOUT).untilAsserted(() -> {
      Condition ready = condition(harness.getRestore(name), Conditions.READY);
      assertThat(ready.getReason()).isEqualTo("TableAlreadyExists");
      assertThat(ready.getMessage()).contains("'" + existing + "' already exists");
    });
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).contains("TableAlreadyExists"));
    harness.restores().inNamespace(OperatorHarness.NAMESPACE).withName(name).delete();
    await().atMost(TIMEOUT).until(() -> harness.getRestore(name) == null);
    assertThat(harness.dynamo.describeTable(r -> r.tableName(existing)).table().restoreSummary()).isNull();
    assertThat(harness.emulator.calls("RestoreTableFromBackup", existing)).isEmpty();
    assertThat(harness.emulator.calls("DeleteTable", existing)).isEmpty();
  }

  @Test
  void tableAlreadyExistsAnsweredByRestoreIsRetriedSlowly() {
    String backup = OperatorHarness.uniqueName("source");
    availableBackup(harness, backup);
    String name = OperatorHarness.uniqueName("raced");
    // another restore made the table between our look and our call
    harness.emulator.failNext("RestoreTableFromBackup", "TableAlreadyExistsException", 1);

    harness.applyRestore(name, fromRef(backup, name + "-table"));

    awaitReady(harness, name);
    var calls = harness.emulator.calls("RestoreTableFromBackup", name + "-table");
    assertThat(calls).hasSize(2);
    assertThat(Duration.between(calls.get(0).at(), calls.get(1).at()))
        .isGreaterThanOrEqualTo(OperatorConfig.quickReconcile().terminalRetry().minusMillis(20));
    harness.awaitEventReasons(name,
        reasons -> assertThat(reasons).containsSubsequence("TableAlreadyExists", "Restored"));
  }

  @Test
  void limitExceededIsRetriedWithBackoffUntilTheRestoreIsAccepted() {
    String backup = OperatorHarness.uniqueName("source");
    availableBackup(harness, backup);
    String name = OperatorHarness.uniqueName("throttled");
    harness.emulator.failNext("RestoreTableFromBackup", "LimitExceededException", 2);

    try (var versions = new Versions<>(harness.restores().inNamespace(OperatorHarness.NAMESPACE).withName(name))) {
      harness.applyRestore(name, fromRef(backup, name + "-table"));

      awaitReady(harness, name);
      assertThat(versions.seen().stream().map(r -> readyReason(r)).filter(Objects::nonNull).distinct())
          .containsSubsequence("LimitExceeded", "Restored");
    }
    assertThat(harness.emulator.calls("RestoreTableFromBackup", name + "-table")).hasSize(3);
    assertThat(harness.getRestore(name).getStatus().failedAttempts).isNull();
  }

  @Test
  void aMissingBackupIsBackupNotFoundWithoutARestoreCall() {
    String byRef = OperatorHarness.uniqueName("no-ref");
    String byArn = OperatorHarness.uniqueName("no-arn");
    String missing = "arn:aws:dynamodb:" + REGION + ":123456789012:table/gone/backup/01700000000000-0000abcd";

    harness.applyRestore(byRef, fromRef("no-such-backup", byRef + "-table"));
    harness.applyRestore(byArn, fromArn(missing, byArn + "-table"));

    await().atMost(TIMEOUT).untilAsserted(() -> {
      Condition refReady = condition(harness.getRestore(byRef), Conditions.READY);
      assertThat(refReady.getReason()).isEqualTo("BackupNotFound");
      assertThat(refReady.getMessage()).contains("no DynamoBackup 'no-such-backup'");
      Condition arnReady = condition(harness.getRestore(byArn), Conditions.READY);
      assertThat(arnReady.getReason()).isEqualTo("BackupNotFound");
      assertThat(arnReady.getMessage()).contains(missing);
    });
    assertThat(harness.emulator.calls("RestoreTableFromBackup", byRef)).isEmpty();
    assertThat(harness.emulator.calls("RestoreTableFromBackup", byArn)).isEmpty();
  }

  @Test
  void aBackupOfAnotherRegionIsRefusedWithoutAnAwsCall() {
    String backup = OperatorHarness.uniqueName("source");
    availableBackup(harness, backup);
    String name = OperatorHarness.uniqueName("elsewhere");

    harness.applyRestore(name, fromRef(backup, name + "-table", s -> s.region = "us-east-1"));

    await().atMost(TIMEOUT).untilAsserted(() -> {
      Condition ready = condition(harness.getRestore(name), Conditions.READY);
      assertThat(ready.getReason()).isEqualTo("BackupInOtherRegion");
      assertThat(ready.getMessage()).contains("'eu-west-1'", "'us-east-1'");
    });
    assertThat(harness.emulator.calls("RestoreTableFromBackup", name)).isEmpty();
    assertThat(harness.emulator.calls("DescribeTable", name)).isEmpty();
  }

  static DynamoRestoreSpec fromRef(String backup, String target) {
    return fromRef(backup, target, s -> { });
  }

  static DynamoRestoreSpec fromRef(String backup, String target, Consumer<DynamoRestoreSpec> more) {
    var spec = new DynamoRestoreSpec();
    spec.backupRef = new DynamoRestoreSpec.BackupRef(backup);
    spec.targetTableName = target;
    more.accept(spec);
    return spec;
  }

  static DynamoRestoreSpec fromArn(String arn, String target) {
    var spec = new DynamoRestoreSpec();
    spec.backupArn = arn;
    spec.targetTableName = target;
    return spec;
  }

  static String readyReason(DynamoRestore restore) {
    return restore.getStatus() == null ? null : Conditions.find(restore.getStatus().conditions, Conditions.READY)
        .map(Condition::getReason).orElse(null);
  }
}
