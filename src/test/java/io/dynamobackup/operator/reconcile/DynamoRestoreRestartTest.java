package io.dynamobackup.operator.reconcile;

import static io.dynamobackup.operator.reconcile.DynamoRestoreTest.fromArn;
import static io.dynamobackup.operator.reconcile.DynamoRestoreTest.fromRef;
import static io.dynamobackup.operator.support.Backups.availableBackup;
import static io.dynamobackup.operator.support.Restores.awaitReady;
import static io.dynamobackup.operator.support.StatusConditions.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.support.OperatorHarness;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RestoreTableFromBackup exactly once across restarts: a restart mid-restore resumes, and a crash between the
 * recorded intent and the call's answer is resolved by looking at the target table, never by a blind second call.
 */
class DynamoRestoreRestartTest {

  static final Duration TIMEOUT = Duration.ofSeconds(20);
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create();

  @Test
  void restartMidRestoreFollowsTheSameRestoreWithoutASecondCall() {
    String backup = OperatorHarness.uniqueName("source");
    availableBackup(harness, backup);
    String name = OperatorHarness.uniqueName("mid-restore");
    harness.emulator.restoringDuration(Duration.ofSeconds(3));
    try {
      harness.applyRestore(name, fromRef(backup, name + "-table"));
      await().atMost(TIMEOUT).until(() -> harness.getRestore(name).getStatus() != null
          && "CREATING".equals(harness.getRestore(name).getStatus().tableStatus));

      harness.stopOperator();
      harness.startOperator();

      awaitReady(harness, name);
    } finally {
      harness.emulator.restoringDuration(Duration.ZERO);
    }
    assertThat(harness.emulator.calls("RestoreTableFromBackup", name + "-table")).hasSize(1);
  }

  @Test
  void recordedIntentWithTheTableRestoredIsAdoptedInsteadOfRestoredAgain() {
    String backup = OperatorHarness.uniqueName("source");
    String arn = availableBackup(harness, backup);
    String name = OperatorHarness.uniqueName("crashed");
    String target = name + "-table";
    String tableArn;
    harness.stopOperator();
    try {
      harness.applyRestore(name, fromArn(arn, target));
      harness.recordRestoreIntent(name, arn, Instant.now());
      // the call that got through before the crash
      tableArn = harness.dynamo.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName(target))
          .tableDescription().tableArn();
      harness.emulator.resetCounters();
    } finally {
      harness.startOperator();
    }

    assertThat(awaitReady(harness, name).getStatus().tableArn).isEqualTo(tableArn);
    assertThat(harness.emulator.calls("RestoreTableFromBackup")).isZero();
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).contains("AdoptedEarlierAttempt"));
  }

  @Test
  void recordedIntentWithATableNotRestoredByUsLeavesItAlone() {
    String backup = OperatorHarness.uniqueName("source");
    String arn = availableBackup(harness, backup);
    String name = OperatorHarness.uniqueName("not-ours");
    String target = harness.newTable(); // made by someone else, under the name we asked for
    harness.stopOperator();
    try {
      harness.applyRestore(name, fromArn(arn, target));
      harness.recordRestoreIntent(name, arn, Instant.now());
      harness.emulator.resetCounters();
    } finally {
      harness.startOperator();
    }

    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(condition(harness.getRestore(name), Conditions.READY).getReason())
            .isEqualTo("TableAlreadyExists"));
    assertThat(harness.getRestore(name).getStatus().tableArn).isNull();
    assertThat(condition(harness.getRestore(name), Conditions.RESTORING).getStatus()).isEqualTo("False");
    assertThat(harness.emulator.calls("RestoreTableFromBackup")).isZero();
  }

  @Test
  void recordedIntentWithoutATableRestoresOnceTheCallCanNoLongerBeInFlight() {
    String backup = OperatorHarness.uniqueName("source");
    String arn = availableBackup(harness, backup);
    String name = OperatorHarness.uniqueName("lost");
    Duration bound = OperatorConfig.quickReconcile().inFlightBound();
    harness.stopOperator();
    Instant requested = Instant.now();
    try {
      harness.applyRestore(name, fromArn(arn, name + "-table"));
      harness.recordRestoreIntent(name, arn, requested);
      harness.emulator.resetCounters();
    } finally {
      harness.startOperator();
    }

    awaitReady(harness, name);
    assertThat(harness.emulator.calls("RestoreTableFromBackup", name + "-table")).singleElement()
        .satisfies(call -> assertThat(call.at()).isAfterOrEqualTo(requested.plus(bound).minusMillis(1000)));
    assertThat(harness.emulator.calls("DescribeTable", name + "-table")).hasSizeGreaterThanOrEqualTo(2);
  }
}
