package io.dynamobackup.operator.reconcile;

import static io.dynamobackup.operator.support.OperatorHarness.REGION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.support.OperatorHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A stopped and restarted operator picks up where it was, and never creates a second backup for an object. */
class OperatorRestartTest {

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create();

  @Test
  void restartWithBackupsMidFlightResumesWithoutASecondCreate() {
    harness.emulator.creatingDuration(Duration.ofSeconds(3));
    List<String> names = new ArrayList<>();
    List<String> tables = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        tables.add(harness.newTable());
        names.add(OperatorHarness.uniqueName("mid-flight"));
        harness.apply(names.get(i), new DynamoBackupSpec(tables.get(i)));
      }
      await().atMost(TIMEOUT).until(() -> names.stream().allMatch(n -> {
        var status = harness.get(n).getStatus();
        return status != null && "CREATING".equals(status.backupStatus);
      }));

      harness.stopOperator();
      harness.startOperator();

      await().atMost(TIMEOUT).until(() -> names.stream()
          .allMatch(n -> "AVAILABLE".equals(harness.get(n).getStatus().backupStatus)));
    } finally {
      harness.emulator.creatingDuration(Duration.ZERO);
    }
    for (String table : tables) {
      assertThat(harness.emulator.calls("CreateBackup", table)).hasSize(1);
      assertThat(harness.emulator.backupArns(REGION)).filteredOn(arn -> arn.contains("/" + table + "/")).hasSize(1);
    }
  }

  @Test
  void recordedIntentWithoutArnAdoptsTheBackupInsteadOfCreatingAnother() {
    // The state a crash leaves between CreateBackup and recording its answer: intent in status, backup in AWS.
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("crashed");
    harness.stopOperator();
    try {
      harness.apply(name, new DynamoBackupSpec(table));
      harness.recordCreateIntent(name);
      var object = harness.get(name);
      String backupName = SpecRules.backupName(object);
      String orphan = harness.dynamo.createBackup(r -> r.tableName(table).backupName(backupName)).backupDetails()
          .backupArn();
      harness.emulator.resetCounters();

      harness.startOperator();

      await().atMost(TIMEOUT).untilAsserted(() -> {
        var adopted = harness.get(name).getStatus();
        assertThat(adopted.backupStatus).isEqualTo("AVAILABLE");
        assertThat(adopted.backupArn).isEqualTo(orphan);
      });
      assertThat(harness.emulator.calls("CreateBackup", table)).isEmpty();
      assertThat(harness.emulator.calls("ListBackups", table)).isNotEmpty();
      assertThat(harness.emulator.backupArns(REGION)).filteredOn(arn -> arn.contains("/" + table + "/"))
          .containsExactly(orphan);
    } finally {
      if (harness.get(name) != null) {
        harness.deleteAndAwaitGone(name, TIMEOUT);
      }
    }
  }

  @Test
  void stoppingWhileAnAwsCallIsInFlightWritesNothingIntoStatus() {
    // The stop interrupts the reconcile thread, and the SDK call it is in ends without an answer. That is the
    // operator's own doing, not news about the backup: its Ready=True must stay, and no warning may be recorded.
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("stopped");
    harness.emulator.latency("DescribeBackup", Duration.ofMillis(1000));
    try {
      harness.apply(name, new DynamoBackupSpec(table));
      await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(10)).until(() -> {
        var status = harness.get(name).getStatus();
        return status != null && Conditions.isTrue(status.conditions, Conditions.READY)
            && !harness.emulator.calls("DescribeBackup", "/" + table + "/").isEmpty();
      });
      var before = harness.get(name).getStatus();

      harness.stopOperator();

      // The stop does not wait for the interrupted thread: watch past the moment the call would have answered.
      await().during(Duration.ofMillis(2000)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        var after = harness.get(name).getStatus();
        assertThat(Conditions.find(after.conditions, Conditions.READY)).get()
            .satisfies(ready -> assertThat(ready.getStatus()).as(ready.getMessage()).isEqualTo("True"));
        assertThat(after.failedAttempts).isEqualTo(before.failedAttempts);
        assertThat(harness.events(name)).noneMatch(event -> "Warning".equals(event.getType()));
      });
    } finally {
      harness.emulator.latency("DescribeBackup", Duration.ZERO);
      harness.startOperator();
      harness.deleteAndAwaitGone(name, TIMEOUT);
    }
  }
}
