package io.dynamobackup.operator.reconcile;

import static io.dynamobackup.operator.reconcile.DynamoRestoreTest.fromRef;
import static io.dynamobackup.operator.support.Backups.availableBackup;
import static io.dynamobackup.operator.support.Backups.lastWithStatus;
import static io.dynamobackup.operator.support.OperatorHarness.NAMESPACE;
import static io.dynamobackup.operator.support.OperatorHarness.REGION;
import static io.dynamobackup.operator.support.Restores.awaitReady;
import static io.dynamobackup.operator.support.StatusConditions.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.support.OperatorHarness;
import io.dynamobackup.operator.support.Versions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * Deleting a restore (the table stays unless Delete is explicit, and never goes mid-restore), and deleting a
 * backup that a restore is using (it waits with BackupInUse, whoever tells: our own objects or AWS).
 */
class DynamoRestoreDeletionTest {

  static final Duration TIMEOUT = Duration.ofSeconds(20);
  static final Duration RESTORING = Duration.ofSeconds(3);
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create();

  @AfterEach
  void restoresAreQuickAgain() {
    harness.emulator.restoringDuration(Duration.ZERO);
  }

  @Test
  void retainIsTheDefaultAndLeavesTheRestoredTable() {
    String backup = OperatorHarness.uniqueName("source");
    availableBackup(harness, backup);
    String name = OperatorHarness.uniqueName("kept");
    harness.applyRestore(name, fromRef(backup, name + "-table"));
    String tableArn = awaitReady(harness, name).getStatus().tableArn;

    harness.restores().inNamespace(NAMESPACE).withName(name).delete();

    await().atMost(TIMEOUT).until(() -> harness.getRestore(name) == null);
    assertThat(harness.dynamo.describeTable(r -> r.tableName(name + "-table")).table().tableArn())
        .isEqualTo(tableArn);
    assertThat(harness.emulator.calls("DeleteTable", name)).isEmpty();
    assertThat(harness.events(name)).filteredOn(e -> e.getReason().equals("Retained"))
        .singleElement().satisfies(e -> assertThat(e.getMessage()).contains(tableArn, "Retain"));
  }

  @Test
  void deleteWaitsForTheRestoreToFinishThenDeletesTheTable() {
    harness.emulator.restoringDuration(RESTORING);
    String backup = OperatorHarness.uniqueName("source");
    availableBackup(harness, backup);
    String name = OperatorHarness.uniqueName("dropped");
    String target = name + "-table";
    harness.applyRestore(name, fromRef(backup, target, s -> s.deletionPolicy = DeletionPolicy.Delete));
    await().atMost(TIMEOUT).until(() -> harness.getRestore(name).getStatus() != null
        && "CREATING".equals(harness.getRestore(name).getStatus().tableStatus));

    try (var versions = new Versions<>(harness.restores().inNamespace(NAMESPACE).withName(name))) {
      harness.restores().inNamespace(NAMESPACE).withName(name).delete();

      await().atMost(TIMEOUT).untilAsserted(() -> {
        Condition deleting = condition(harness.getRestore(name), Conditions.DELETING);
        assertThat(deleting.getStatus()).isEqualTo("True");
        assertThat(deleting.getReason()).isEqualTo("RestoreInProgress");
        assertThat(deleting.getMessage()).contains(target, "before DeleteTable");
      });
      assertThat(harness.emulator.calls("DeleteTable", target)).isEmpty();
      await().atMost(TIMEOUT).until(() -> harness.getRestore(name) == null);

      DynamoRestore last = versions.seen().stream().filter(r -> r.getStatus() != null
          && "DELETING".equals(r.getStatus().tableStatus)).reduce((a, b) -> b).orElseThrow();
      assertThat(condition(last, Conditions.DELETING).getReason()).isEqualTo("Deleted");
      assertThat(condition(last, Conditions.READY).getStatus()).isEqualTo("False");
    }
    Instant restoreEnd = harness.emulator.calls("RestoreTableFromBackup", target).get(0).at().plus(RESTORING);
    assertThat(harness.emulator.calls("DeleteTable", target)).singleElement()
        .satisfies(call -> assertThat(call.at()).isAfterOrEqualTo(restoreEnd));
    assertThatThrownBy(() -> harness.dynamo.describeTable(r -> r.tableName(target)))
        .isInstanceOf(ResourceNotFoundException.class);
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).endsWith("Deleted"));
  }

  @Test
  void aTableDeletedOutsideKubernetesIsReportedAndNotRestoredAgain() {
    String backup = OperatorHarness.uniqueName("source");
    availableBackup(harness, backup);
    String name = OperatorHarness.uniqueName("vanished");
    String target = name + "-table";
    harness.applyRestore(name, fromRef(backup, target));
    awaitReady(harness, name);

    harness.dynamo.deleteTable(r -> r.tableName(target));
    setDeletionPolicy(name, DeletionPolicy.Delete); // a spec change: the operator looks again now

    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(condition(harness.getRestore(name), Conditions.READY).getReason()).isEqualTo("TableMissing"));
    harness.restores().inNamespace(NAMESPACE).withName(name).delete();
    await().atMost(TIMEOUT).until(() -> harness.getRestore(name) == null);
    assertThat(harness.emulator.calls("RestoreTableFromBackup", target)).hasSize(1);
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).contains("TableMissing", "AlreadyDeleted"));
  }

  @Test
  void aTableOfTheSameNameMadeAgainOutsideKubernetesIsNeverDeleted() {
    String backup = OperatorHarness.uniqueName("source");
    String arn = availableBackup(harness, backup);
    String name = OperatorHarness.uniqueName("replaced");
    String target = name + "-table";
    harness.applyRestore(name, fromRef(backup, target));
    awaitReady(harness, name);

    harness.dynamo.deleteTable(r -> r.tableName(target));
    harness.dynamo.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName(target));
    setDeletionPolicy(name, DeletionPolicy.Delete);

    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(condition(harness.getRestore(name), Conditions.READY).getReason()).isEqualTo("TableReplaced"));
    harness.restores().inNamespace(NAMESPACE).withName(name).delete();
    await().atMost(TIMEOUT).until(() -> harness.getRestore(name) == null);
    assertThat(harness.dynamo.describeTable(r -> r.tableName(target)).table().tableStatusAsString())
        .isEqualTo("ACTIVE");
    assertThat(harness.emulator.calls("DeleteTable", target)).hasSize(1); // the test's own, not the operator's
  }

  static void setDeletionPolicy(String name, DeletionPolicy policy) {
    harness.restores().inNamespace(NAMESPACE).withName(name).edit(r -> {
      r.getSpec().deletionPolicy = policy;
      return r;
    });
  }

  @Test
  void deletingABackupWhileOurRestoreRunsWaitsWithBackupInUseThenCompletes() {
    harness.emulator.restoringDuration(RESTORING);
    String backup = OperatorHarness.uniqueName("in-use");
    String arn = availableBackup(harness, backup);
    String name = OperatorHarness.uniqueName("reader");
    harness.applyRestore(name, fromRef(backup, name + "-table"));
    await().atMost(TIMEOUT).until(() -> harness.getRestore(name).getStatus() != null
        && "CREATING".equals(harness.getRestore(name).getStatus().tableStatus));

    try (var watch = new Versions<>(harness.backups().inNamespace(NAMESPACE).withName(backup))) {
      harness.backups().inNamespace(NAMESPACE).withName(backup).delete();

      await().atMost(TIMEOUT).untilAsserted(() -> {
        Condition deleting = condition(harness.get(backup), Conditions.DELETING);
        assertThat(deleting.getStatus()).isEqualTo("True");
        assertThat(deleting.getReason()).isEqualTo("BackupInUse");
        assertThat(deleting.getMessage()).contains("DynamoRestore " + name, arn);
      });
      // the operator knew from its own DynamoRestore: it did not even ask AWS while the restore ran
      assertThat(harness.emulator.calls("DeleteBackup", arn)).isEmpty();
      await().atMost(TIMEOUT).until(() -> harness.get(backup) == null);

      var last = lastWithStatus(watch.seen(), "DELETED");
      assertThat(condition(last, Conditions.DELETING).getReason()).isEqualTo("Deleted");
    }
    // the deletion went on once AWS said the restore was over; the restore's own status follows at its next look
    await().atMost(TIMEOUT).until(() -> "ACTIVE".equals(harness.getRestore(name).getStatus().tableStatus));
    assertThat(harness.emulator.calls("DeleteBackup", arn)).singleElement().satisfies(call ->
        assertThat(call.at()).isAfterOrEqualTo(Instant.parse(harness.getRestore(name).getStatus().restoreSummary
            .restoreDateTime).plus(RESTORING)));
    harness.awaitEventReasons(backup,
        reasons -> assertThat(reasons).containsSubsequence("WaitingForRestore", "Deleted"));
  }

  @Test
  void deletingABackupThatAwsReportsInUseWaitsWithBackupInUseThenCompletes() {
    harness.emulator.restoringDuration(RESTORING);
    String backup = OperatorHarness.uniqueName("in-use-aws");
    String arn = availableBackup(harness, backup);
    // a restore the operator knows nothing of: made with the console, say
    Instant restoreEnd = harness.dynamo.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName(backup
        + "-console")).tableDescription().restoreSummary().restoreDateTime().plus(RESTORING);

    harness.backups().inNamespace(NAMESPACE).withName(backup).delete();

    await().atMost(TIMEOUT).untilAsserted(() -> {
      Condition deleting = condition(harness.get(backup), Conditions.DELETING);
      assertThat(deleting.getReason()).isEqualTo("BackupInUse");
      assertThat(deleting.getMessage()).contains("DeleteBackup of " + arn + " failed", "BackupInUseException");
    });
    await().atMost(TIMEOUT).until(() -> harness.get(backup) == null);
    var calls = harness.emulator.calls("DeleteBackup", arn);
    assertThat(calls.size()).isGreaterThanOrEqualTo(2);
    assertThat(calls.get(calls.size() - 1).at()).isAfterOrEqualTo(restoreEnd);
    assertThat(harness.emulator.backupArns(REGION)).doesNotContain(arn);
  }
}
