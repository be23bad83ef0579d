package io.dynamobackup.operator.reconcile;

import static io.dynamobackup.operator.support.OperatorHarness.NAMESPACE;
import static io.dynamobackup.operator.support.OperatorHarness.REGION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.aws.QuotaLimiter;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.support.Backups;
import io.dynamobackup.operator.support.OperatorHarness;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator at the AWS quotas, small: the emulator enforces DeleteBackup at 10 calls/s and the operator's own
 * limiter paces at it, while AVAILABLE backups are kept fresh by ListBackups pages rather than a DescribeBackup each.
 * (bench/ measures the same at scale.)
 */
class ThroughputTest {

  static final Duration TIMEOUT = Duration.ofSeconds(60);

  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create(OperatorConfig.quickReconcile()
      .withResyncPeriod(Duration.ofSeconds(1))).withRateLimits(QuotaLimiter.DOCUMENTED_QUOTAS)
      .withReconcileThreads(OperatorConfig.DEFAULT_RECONCILE_THREADS); // as deployed: the limiter holds some

  @Test
  void availableBackupsAreKeptFreshByListingPagesNotOneDescribeEach() {
    List<String> arns = new ArrayList<>();
    String table = harness.newTable();
    for (int i = 0; i < 12; i++) {
      arns.add(Backups.availableBackup(harness, OperatorHarness.uniqueName("listed"),
          new DynamoBackupSpec(table)));
    }
    int describes = harness.emulator.calls("DescribeBackup");
    int lists = harness.emulator.calls("ListBackups");
    // a size change shows up through the listing alone
    harness.emulator.setBackupSize(REGION, arns.get(5), 987_654L);
    await().atMost(TIMEOUT).until(() -> harness.backups().inNamespace(NAMESPACE).list().getItems().stream()
        .anyMatch(b -> arns.get(5).equals(b.getStatus().backupArn)
            && Long.valueOf(987_654L).equals(b.getStatus().backupDescription.backupDetails.backupSizeBytes)));
    await().atMost(TIMEOUT).until(() -> harness.emulator.calls("ListBackups") >= lists + 5);
    assertThat(harness.emulator.calls("DescribeBackup")).as("DescribeBackup calls while AVAILABLE")
        .isEqualTo(describes);
  }

  @Test
  void massDeleteRunsAtTheQuotaWithoutThrottlingAndCreatesAreNotStuckBehindIt() {
    harness.emulator.quota("DeleteBackup", 10);
    String table = harness.newTable();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String name = OperatorHarness.uniqueName("mass");
      harness.apply(name, new DynamoBackupSpec(table));
      names.add(name);
    }
    await().atMost(TIMEOUT).until(() -> names.stream().allMatch(n -> harness.get(n).getStatus() != null
        && "AVAILABLE".equals(harness.get(n).getStatus().backupStatus)));
    int throttledBefore = harness.emulator.throttledAnswers();
    int deletesBefore = harness.emulator.calls("DeleteBackup");

    Instant start = Instant.now();
    names.forEach(n -> harness.backups().inNamespace(NAMESPACE).withName(n).delete());
    // while 40 deletes queue at 10/s, a new backup is created and AVAILABLE quickly
    String urgent = OperatorHarness.uniqueName("urgent");
    harness.apply(urgent, new DynamoBackupSpec(table));
    await().atMost(Duration.ofSeconds(2)).until(() -> harness.get(urgent).getStatus() != null
        && "AVAILABLE".equals(harness.get(urgent).getStatus().backupStatus));
    assertThat(harness.emulator.calls("DeleteBackup") - deletesBefore).as("deletes done when the create finished")
        .isLessThan(40);

    await().atMost(TIMEOUT).until(() -> names.stream().allMatch(n -> harness.get(n) == null));
    Duration took = Duration.between(start, Instant.now());
    // Without the limiter, 30 of the first 40 calls are throttled. With it, only arrival jitter can push an 11th
    // call into some one-second window (a busy 2-core CI machine delays single requests by tens of ms); the
    // benchmark measures the rate on 1,000 deletes.
    int throttled = harness.emulator.throttledAnswers() - throttledBefore;
    assertThat(throttled).as("throttled answers").isLessThanOrEqualTo(4);
    assertThat(harness.emulator.calls("DeleteBackup") - deletesBefore).isEqualTo(40 + throttled);
    // 40 calls at ~9.8/s: the first goes at once, the last about 4 s later
    assertThat(took).isBetween(Duration.ofMillis(3800), Duration.ofSeconds(12));
  }
}
