package io.dynamobackup.operator.reconcile;

import static io.dynamobackup.operator.support.Backups.availableBackup;
import static io.dynamobackup.operator.support.Backups.lastWithStatus;
import static io.dynamobackup.operator.support.OperatorHarness.NAMESPACE;
import static io.dynamobackup.operator.support.OperatorHarness.REGION;
import static io.dynamobackup.operator.support.StatusConditions.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.sandbox.DynamoDbEmulator;
import io.dynamobackup.operator.support.OperatorHarness;
import io.dynamobackup.operator.support.Versions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The finalizer: DeleteBackup, retries with backoff, already-gone, Retain; the final status is written first. */
class BackupDeletionTest {

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final ReconcileSettings SETTINGS = new ReconcileSettings(Duration.ofSeconds(30), Duration.ofMillis(200),
      Duration.ofSeconds(1), new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2), () -> 0.5),
      Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(1));
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create(SETTINGS);

  @Test
  void deletedStatusAndDescriptionAreWrittenBeforeTheObjectDisappears() {
    String name = OperatorHarness.uniqueName("delete-me");
    String arn = availableBackup(harness, name, new DynamoBackupSpec(harness.newTable()));

    try (var watch = new Versions<>(harness.backups().inNamespace(NAMESPACE).withName(name))) {
      harness.deleteAndAwaitGone(name, TIMEOUT);

      DynamoBackup last = lastWithStatus(watch.seen(), "DELETED");
      assertThat(last.getMetadata().getDeletionTimestamp()).isNotNull();
      assertThat(last.getMetadata().getFinalizers()).contains(DynamoBackup.FINALIZER);
      assertThat(last.getStatus().backupArn).isEqualTo(arn);
      assertThat(last.getStatus().backupDescription.backupDetails.backupStatus).isEqualTo("DELETED");
      assertThat(last.getStatus().backupDescription.sourceTableDetails.tableName).isNotBlank();
      Condition deleting = condition(last, Conditions.DELETING);
      assertThat(deleting.getStatus()).isEqualTo("False");
      assertThat(deleting.getReason()).isEqualTo("Deleted");
    }
    assertThat(harness.emulator.backupArns(REGION)).doesNotContain(arn);
    assertThat(harness.emulator.calls("DeleteBackup", arn)).hasSize(1);
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).contains("Deleted"));
  }

  @Test
  void deleteRequeuesWhileBackupInUseThenLimitExceededThenSucceeds() {
    String name = OperatorHarness.uniqueName("in-use");
    String arn = availableBackup(harness, name, new DynamoBackupSpec(harness.newTable()));
    harness.emulator.failNext("DeleteBackup", "BackupInUseException", 3)
        .failNext("DeleteBackup", "LimitExceededException", 2);

    try (var watch = new Versions<>(harness.backups().inNamespace(NAMESPACE).withName(name))) {
      harness.backups().inNamespace(OperatorHarness.NAMESPACE).withName(name).delete();

      await().atMost(TIMEOUT).untilAsserted(() -> {
        var waiting = harness.get(name);
        assertThat(waiting).isNotNull();
        Condition deleting = condition(waiting, Conditions.DELETING);
        assertThat(deleting.getStatus()).isEqualTo("True");
        assertThat(deleting.getReason()).isIn("BackupInUse", "LimitExceeded");
        assertThat(deleting.getMessage()).contains("DeleteBackup of " + arn + " failed", "retry", " at ");
      });
      await().atMost(TIMEOUT).until(() -> harness.get(name) == null);

      var reasons = watch.seen().stream()
          .flatMap(b -> Conditions.find(b.getStatus() == null ? null : b.getStatus().conditions,
              Conditions.DELETING).stream())
          .map(Condition::getReason)
          .distinct()
          .toList();
      assertThat(reasons).containsSubsequence("BackupInUse", "LimitExceeded", "Deleted");
      DynamoBackup last = lastWithStatus(watch.seen(), "DELETED");
      assertThat(last.getStatus().conditions).extracting(Condition::getType)
          .containsExactlyInAnyOrder("Ready", "Creating", "Deleting");
      assertThat(last.getStatus().failedAttempts).isNull();
    }

    List<DynamoDbEmulator.Call> calls = harness.emulator.calls("DeleteBackup", arn);
    assertThat(calls).hasSize(6);
    for (int retry = 1; retry < calls.size(); retry++) {
      Duration gap = Duration.between(calls.get(retry - 1).at(), calls.get(retry).at());
      // jitter is pinned to the middle: retry n waits 3/4 of min(2 s, 200 ms * 2^(n-1))
      Duration expected = SETTINGS.retryBackoff().delay(retry);
      assertThat(gap).as("gap before call %d", retry + 1).isGreaterThanOrEqualTo(expected.minusMillis(20));
    }
    harness.awaitEventReasons(name, reasons -> assertThat(reasons.stream().filter("DeleteFailed"::equals))
        .hasSize(5));
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).endsWith("Deleted"));
    assertThat(harness.emulator.backupArns(REGION)).doesNotContain(arn);
  }

  @Test
  void backupAlreadyGoneCountsAsDeleted() {
    String name = OperatorHarness.uniqueName("gone");
    String arn = availableBackup(harness, name, new DynamoBackupSpec(harness.newTable()));
    harness.emulator.deleteOutOfBand(REGION, arn);

    try (var watch = new Versions<>(harness.backups().inNamespace(NAMESPACE).withName(name))) {
      harness.deleteAndAwaitGone(name, TIMEOUT);

      DynamoBackup last = lastWithStatus(watch.seen(), "DELETED");
      assertThat(condition(last, Conditions.DELETING).getReason()).isEqualTo("AlreadyDeleted");
      // the last description seen is kept
      assertThat(last.getStatus().backupDescription.sourceTableDetails).isNotNull();
    }
    // asked once, in its own account: the ownership check's DescribeBackup, or DeleteBackup itself, found it gone
    assertThat(harness.emulator.calls("DescribeBackup", arn).size() + harness.emulator.calls("DeleteBackup", arn)
        .size()).isBetween(1, 2);
  }

  @Test
  void retainLeavesTheBackupInAws() {
    String name = OperatorHarness.uniqueName("keep");
    var spec = new DynamoBackupSpec(harness.newTable());
    spec.deletionPolicy = DeletionPolicy.Retain;
    String arn = availableBackup(harness, name, spec);

    harness.deleteAndAwaitGone(name, TIMEOUT);

    assertThat(harness.emulator.backupArns(REGION)).contains(arn);
    assertThat(harness.emulator.calls("DeleteBackup", arn)).isEmpty();
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).contains("Retained"));
    assertThat(harness.events(name)).filteredOn(e -> e.getReason().equals("Retained"))
        .singleElement().satisfies(e -> assertThat(e.getMessage()).contains(arn, "Retain"));
  }

  @Test
  void terminalDeleteFailureKeepsTheFinalizerAndTheBackup() {
    String name = OperatorHarness.uniqueName("denied");
    String arn = availableBackup(harness, name, new DynamoBackupSpec(harness.newTable()));
    harness.emulator.failNext("DeleteBackup", "AccessDeniedException", 2);

    harness.backups().inNamespace(OperatorHarness.NAMESPACE).withName(name).delete();

    await().atMost(TIMEOUT).untilAsserted(() -> {
      Condition deleting = condition(harness.get(name), Conditions.DELETING);
      assertThat(deleting.getReason()).isEqualTo("AccessDenied");
    });
    assertThat(harness.emulator.backupArns(REGION)).contains(arn);
    // retried once per terminal period (2 s here), then the injected denials run out and deletion completes
    await().atMost(TIMEOUT).until(() -> harness.get(name) == null);
    List<DynamoDbEmulator.Call> calls = harness.emulator.calls("DeleteBackup", arn);
    assertThat(calls).hasSize(3);
    assertThat(Duration.between(calls.get(0).at(), calls.get(1).at()))
        .isGreaterThanOrEqualTo(SETTINGS.terminalRetry().minusMillis(20));
    assertThat(harness.emulator.backupArns(REGION)).doesNotContain(arn);
  }

  @Test
  void objectDeletedBeforeAnyBackupWasCreatedIsReleased() {
    String name = OperatorHarness.uniqueName("never");
    harness.apply(name, new DynamoBackupSpec("bad name!"));
    await().atMost(TIMEOUT).until(() -> harness.get(name).getStatus() != null);

    harness.deleteAndAwaitGone(name, TIMEOUT);

    assertThat(harness.emulator.calls("DeleteBackup", "bad name!")).isEmpty();
  }
}
