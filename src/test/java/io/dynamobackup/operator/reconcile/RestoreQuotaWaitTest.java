package io.dynamobackup.operator.reconcile;

import static io.dynamobackup.operator.support.OperatorHarness.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.Main;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.observability.OperatorMetrics;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.support.Backups;
import io.dynamobackup.operator.support.OperatorHarness;
import io.dynamobackup.operator.support.Versions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16: a call the client-side rate limit holds back is no failure, for restores as for backups (the restore's
 * copy of the retry logic lacked that branch): no Ready=False QuotaWait, no failedAttempts, no Warning event.
 */
class RestoreQuotaWaitTest {

  static final Duration TIMEOUT = Duration.ofSeconds(60);
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create()
      .withRateLimits(Map.of("DescribeBackup", 0.5, "CreateBackup", 50.0, "DeleteBackup", 10.0, "ListBackups", 5.0));

  @Test
  void aQuotaWaitDuringARestoreIsNotAFailure() {
    String table = harness.newTable();
    String backup = OperatorHarness.uniqueName("limited-source");
    String arn = Backups.availableBackup(harness, backup, new DynamoBackupSpec(table));
    List<String> names = new ArrayList<>();
    List<Versions<DynamoRestore>> watched = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) { // three DescribeBackup calls at once, one slot every two seconds
        String name = OperatorHarness.uniqueName("limited-restore");
        names.add(name);
        watched.add(new Versions<>(harness.restores().inNamespace(NAMESPACE).withName(name)));
        harness.applyRestore(name, DynamoRestoreTest.fromArn(arn, name + "-table"));
      }
      await("all restored").atMost(TIMEOUT).until(() -> names.stream().allMatch(n -> "Restored"
          .equals(DynamoRestoreTest.readyReason(harness.getRestore(n)))));
      var waits = harness.metrics.registry().find(OperatorMetrics.RATE_LIMIT_WAIT).tag("operation", "DescribeBackup")
          .timer();
      assertThat(waits).isNotNull();
      assertThat(waits.max(TimeUnit.MILLISECONDS)).as("the limiter held a call back beyond its wait in place")
          .isGreaterThan(Main.QUOTA_MAX_BLOCK.toMillis());
      for (var versions : watched) {
        assertThat(versions.seen()).noneMatch(r -> "QuotaWait".equals(DynamoRestoreTest.readyReason(r)))
            .noneMatch(r -> r.getStatus() != null && r.getStatus().failedAttempts != null);
      }
      for (String name : names) {
        assertThat(harness.eventReasons(name)).noneMatch(reason -> reason.endsWith("Failed"));
      }
    } finally {
      watched.forEach(Versions::close);
    }
  }
}
