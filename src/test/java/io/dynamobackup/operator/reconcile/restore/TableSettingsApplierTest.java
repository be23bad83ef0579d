package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.reconcile.ReconcileSettings;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.api.DynamoRestoreSpec.TableSettings;
import io.dynamobackup.operator.api.TableSettingsStatus;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.aws.ContinuousBackups;
import io.dynamobackup.operator.aws.PointInTimeRequest;
import io.dynamobackup.operator.aws.RestoreRequest;
import io.dynamobackup.operator.aws.TableState;
import io.dynamobackup.operator.aws.TableStore;
import io.dynamobackup.operator.aws.TagPage;
import io.dynamobackup.operator.aws.TimeToLive;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.support.UnitTest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The applier's calls against a fake table store: reads first, only the changes needed, one UpdateTable a pass. */
@UnitTest
class TableSettingsApplierTest {

  static final ReconcileSettings SETTINGS = OperatorConfig.quickReconcile();
  static final TableState TABLE = table("ACTIVE", false, null);

  final FakeTables tables = new FakeTables();
  final TableSettingsApplier applier = new TableSettingsApplier(SETTINGS,
      Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC));

  @Test
  void aFreshRestoredTableGetsEveryChangeButOneUpdateTablePerPass() {
    var outcome = applier.apply(tables, "eu-west-1", TABLE, all(), null);

    assertThat(tables.calls).containsExactly("DescribeContinuousBackups", "DescribeTimeToLive", "ListTagsOfResource",
        "UpdateContinuousBackups", "UpdateTimeToLive", "TagResource {team=a}", "UpdateTable deletionProtection");
    assertThat(outcome.reason()).isEqualTo(TableSettingsApplier.APPLYING);
    assertThat(outcome.retryAfter()).isEqualTo(SETTINGS.creatingPollMin());
    assertThat(outcome.status().stream.state).isEqualTo("Applying");
    assertThat(outcome.applied()).hasSize(4);
  }

  @Test
  void settingsInPlaceAreOnlyRead() {
    tables.pitr = "ENABLED";
    tables.ttl = new TimeToLive("ENABLED", "expiresAt");
    tables.tags.put("team", "a");

    var outcome = applier.apply(tables, "eu-west-1", table("ACTIVE", true, "NEW_IMAGE"), all(), null);

    assertThat(tables.calls).containsExactly("DescribeContinuousBackups", "DescribeTimeToLive", "ListTagsOfResource");
    assertThat(outcome.inPlace()).isTrue();
    assertThat(outcome.message()).isEqualTo("table settings in place: pointInTimeRecovery, timeToLive, tags,"
        + " deletionProtection, stream");
    assertThat(outcome.retryAfter()).isEqualTo(SETTINGS.resyncPeriod());
  }

  @Test
  void aTableThatIsNotActiveIsReadButNotChanged() {
    var outcome = applier.apply(tables, "eu-west-1", table("UPDATING", false, null), all(), null);

    assertThat(tables.calls).containsExactly("DescribeContinuousBackups", "DescribeTimeToLive", "ListTagsOfResource");
    assertThat(outcome.reason()).isEqualTo(TableSettingsApplier.APPLYING);
    assertThat(outcome.message()).contains("waiting for the table to be ACTIVE (it is UPDATING)");
  }

  @Test
  void aFailedReadFailsItsSettingOnlyAndItsCountCarriesOn() {
    tables.failing.put("DescribeTimeToLive", new AwsFailure(AwsFailure.Kind.THROTTLED, "LimitExceededException",
        "slow down"));
    var before = new TableSettingsStatus();
    before.timeToLive = new TableSettingsStatus.Setting();
    before.timeToLive.failedAttempts = 2;

    var outcome = applier.apply(tables, "eu-west-1", TABLE, all(), before);

    assertThat(tables.calls).doesNotContain("UpdateTimeToLive")
        .contains("UpdateContinuousBackups", "TagResource {team=a}");
    var ttl = outcome.status().timeToLive;
    assertThat(ttl.state).isEqualTo("Failed");
    assertThat(ttl.reason).isEqualTo("LimitExceeded");
    assertThat(ttl.failedAttempts).isEqualTo(3);
    assertThat(ttl.message).startsWith("DescribeTimeToLive failed: LimitExceededException: slow down; retry 3 at");
    assertThat(outcome.reason()).isEqualTo("TimeToLiveFailed");
    assertThat(outcome.retryAfter()).as("the third retry's backoff, with jitter")
        .isBetween(SETTINGS.retryBackoff().ceiling(3).dividedBy(2), SETTINGS.retryBackoff().ceiling(3));
  }

  @Test
  void aTerminalFailureWaitsTheTerminalPeriod() {
    tables.failing.put("UpdateContinuousBackups", new AwsFailure(AwsFailure.Kind.TERMINAL, "AccessDeniedException",
        "no"));

    var outcome = applier.apply(tables, "eu-west-1", TABLE, all(), null);

    assertThat(outcome.reason()).isEqualTo("PointInTimeRecoveryFailed");
    assertThat(outcome.retryAfter()).isEqualTo(SETTINGS.terminalRetry());
    assertThat(outcome.message()).startsWith("pointInTimeRecovery: UpdateContinuousBackups failed:"
        + " AccessDeniedException: no");
  }

  @Test
  void withoutTableSettingsNothingIsCalled() {
    var outcome = applier.apply(tables, "eu-west-1", TABLE, null, null);

    assertThat(tables.calls).isEmpty();
    assertThat(outcome.inPlace()).isTrue();
    assertThat(outcome.status()).isNull();
  }

  static TableSettings all() {
    var settings = new TableSettings();
    settings.pointInTimeRecovery = true;
    settings.timeToLive = new DynamoRestoreSpec.TimeToLive();
    settings.timeToLive.attributeName = "expiresAt";
    settings.tags = Map.of("team", "a");
    settings.deletionProtection = true;
    settings.stream = new DynamoRestoreSpec.Stream();
    settings.stream.viewType = DynamoRestoreSpec.StreamViewType.NEW_IMAGE;
    return settings;
  }

  static TableState table(String status, boolean protectedFromDeletion, String stream) {
    return new TableState("orders-copy", "arn:aws:dynamodb:eu-west-1:123456789012:table/orders-copy", "t1", status,
        null, Instant.parse("2026-11-25T09:00:00Z"), protectedFromDeletion, stream);
  }

  /** Answers as a freshly restored table would, records each call, and fails the calls it is told to. */
  static final class FakeTables implements TableStore {
    final List<String> calls = new ArrayList<>();
    final Map<String, AwsFailure> failing = new HashMap<>();
    String pitr = "DISABLED";
    TimeToLive ttl = new TimeToLive("DISABLED", null);
    final Map<String, String> tags = new HashMap<>();

    private void call(String name) {
      calls.add(name);
      AwsFailure failure = failing.get(name.split(" ")[0]);
      if (failure != null) {
        throw failure;
      }
    }

    @Override
    public ContinuousBackups describeContinuousBackups(String region, String tableName) {
      call("DescribeContinuousBackups");
      return new ContinuousBackups(pitr, null, null);
    }

    @Override
    public ContinuousBackups updatePointInTimeRecovery(String region, String tableName, boolean enabled) {
      call("UpdateContinuousBackups");
      return new ContinuousBackups(enabled ? "ENABLED" : "DISABLED", null, null);
    }

    @Override
    public TimeToLive describeTimeToLive(String region, String tableName) {
      call("DescribeTimeToLive");
      return ttl;
    }

    @Override
    public void enableTimeToLive(String region, String tableName, String attributeName) {
      call("UpdateTimeToLive");
    }

    @Override
    public TableState updateDeletionProtection(String region, String tableName, boolean enabled) {
      call("UpdateTable deletionProtection");
      return TABLE;
    }

    @Override
    public TableState enableStream(String region, String tableName, String viewType) {
      call("UpdateTable stream");
      return TABLE;
    }

    @Override
    public TagPage listTags(String region, String tableArn, String nextToken) {
      call("ListTagsOfResource");
      return new TagPage(Map.copyOf(tags), null);
    }

    @Override
    public void tag(String region, String tableArn, Map<String, String> tags) {
      call("TagResource " + tags);
    }

    @Override
    public TableState restore(String region, RestoreRequest request) {
      throw new AssertionError("no restore here");
    }

    @Override
    public TableState restoreToPointInTime(String region, PointInTimeRequest request) {
      throw new AssertionError("no restore here");
    }

    @Override
    public TableState describeTable(String region, String tableName) {
      throw new AssertionError("the applier is handed the table");
    }

    @Override
    public TableState deleteTable(String region, String tableName) {
      throw new AssertionError("never deletes");
    }
  }
}
