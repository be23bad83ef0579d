package io.dynamobackup.operator.reconcile.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.observability.OperatorMetrics;
import io.dynamobackup.operator.sandbox.DynamoDbEmulator;
import io.dynamobackup.operator.support.Backups;
import io.dynamobackup.operator.support.OperatorHarness;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Listing passes when the ListBackups quota is shared: shards of one account each list the whole account, so a long
 * pass is throttled now and then all along. It must still complete; only a quota taken for good stops it.
 */
class BackupListingTest {

  static final int PAGES = 25;

  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create(OperatorConfig.quickReconcile()
      .withResyncPeriod(Duration.ofSeconds(1)));

  @Test
  void aLongPassThrottledNowAndThenAllAlongStillCompletes() {
    String table = harness.newTable();
    Backups.availableBackup(harness, OperatorHarness.uniqueName("listed"), new DynamoBackupSpec(table));
    for (int i = 1; i < PAGES * BackupListing.PAGE_SIZE; i++) {
      harness.emulator.putBackup(String.format(Locale.ROOT, "arn:aws:dynamodb:%s:%s:table/%s/backup/%014d-%08x",
          OperatorHarness.REGION, DynamoDbEmulator.ACCOUNT, table, 1_700_000_000_000L + i, i));
    }
    // 40 % of the calls throttled, as when another shard lists at the same time: about 17 per pass, rarely 10 in
    // a row (the draws are seeded, so a run repeats)
    harness.emulator.randomFaults(new DynamoDbEmulator.RandomFaults(20, 0, 0, 0.4, 0, Duration.ZERO, 0,
        Duration.ZERO));
    double before = passes();
    try {
      await("two complete listing passes").atMost(Duration.ofSeconds(30)).until(() -> passes() >= before + 2);
    } finally {
      harness.emulator.randomFaults(DynamoDbEmulator.RandomFaults.NONE);
    }
    assertThat(harness.emulator.randomFaultCounts().get("LimitExceededException")).as("throttled answers")
        .isGreaterThan(2 * BackupListing.MAX_THROTTLED_PAGES);
  }

  static double passes() {
    var timer = harness.metrics.registry().find(OperatorMetrics.LISTING_PASS).timer();
    return timer == null ? 0 : timer.count();
  }
}
