package io.dynamobackup.operator.reconcile;

import static io.dynamobackup.operator.support.OperatorHarness.NAMESPACE;
import static io.dynamobackup.operator.support.OperatorHarness.REGION;
import static io.dynamobackup.operator.support.Restores.awaitReady;
import static io.dynamobackup.operator.support.StatusConditions.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.api.TableSettingsStatus;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.support.OperatorHarness;
import io.dynamobackup.operator.support.Versions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.Tag;

/**
 * A DynamoRestore from a table at a point in time, and the settings a restored table gets afterwards: each way
 * it can fail before the restore call, exactly once across a crash, and each setting applied only where it differs.
 */
class DynamoRestorePointInTimeTest {

  static final Duration TIMEOUT = Duration.ofSeconds(20);
  // a short resync, so that a Ready restore is observed again within the test
  @RegisterExtension
  static final OperatorHarness harness =
      OperatorHarness.create(OperatorConfig.quickReconcile().withResyncPeriod(Duration.ofSeconds(1)));

  @Test
  void latestRestorableTimeBecomesReadyWithEveryTableSettingInPlace() {
    String source = sourceWithRecovery();
    String name = OperatorHarness.uniqueName("pitr");
    String target = name + "-table";

    harness.applyRestore(name, fromTable(source, target, s -> s.tableSettings = allSettings()));

    var status = awaitReady(harness, name).getStatus();
    String sourceArn = "arn:aws:dynamodb:" + REGION + ":123456789012:table/" + source;
    assertThat(status.sourceTableArn).isEqualTo(sourceArn);
    assertThat(status.sourceBackupArn).isNull();
    assertThat(status.tableArn).endsWith(":table/" + target);
    assertThat(status.restoreSummary.sourceTableArn).isEqualTo(sourceArn);
    assertThat(status.restoreSummary.sourceBackupArn).isNull();
    assertThat(condition(harness.getRestore(name), Conditions.READY).getMessage())
        .contains("restored from table " + sourceArn + " at its latest restorable time",
            "table settings in place: pointInTimeRecovery, timeToLive, tags, deletionProtection, stream");
    assertSetting(status.tableSettings.pointInTimeRecovery, "ENABLED");
    assertSetting(status.tableSettings.timeToLive, "ENABLED on expiresAt");
    assertSetting(status.tableSettings.tags, "{env=prod, team=payments}");
    assertSetting(status.tableSettings.deletionProtection, "true");
    assertSetting(status.tableSettings.stream, "NEW_AND_OLD_IMAGES");
    var table = harness.dynamo.describeTable(r -> r.tableName(target)).table();
    assertThat(table.deletionProtectionEnabled()).isTrue();
    assertThat(table.streamSpecification().streamViewTypeAsString()).isEqualTo("NEW_AND_OLD_IMAGES");
    assertThat(harness.dynamo.describeTimeToLive(r -> r.tableName(target)).timeToLiveDescription()
        .attributeName()).isEqualTo("expiresAt");
    assertThat(harness.dynamo.describeContinuousBackups(r -> r.tableName(target)).continuousBackupsDescription()
        .pointInTimeRecoveryDescription().pointInTimeRecoveryStatusAsString()).isEqualTo("ENABLED");
    assertThat(harness.dynamo.listTagsOfResource(r -> r.resourceArn(table.tableArn())).tags())
        .extracting(Tag::key).containsExactlyInAnyOrder("team", "env");
    assertThat(harness.emulator.calls("RestoreTableToPointInTime", target)).hasSize(1);
    harness.awaitEventReasons(name,
        reasons -> assertThat(reasons).containsSubsequence("Restoring", "ApplyingTableSettings", "Restored"));

    // read back at each resync, and nothing called again: every setting is in place
    int reads = harness.emulator.calls("DescribeTimeToLive", target).size();
    await().atMost(TIMEOUT).until(() -> harness.emulator.calls("DescribeTimeToLive", target).size() >= reads + 2);
    assertThat(harness.emulator.calls("UpdateTimeToLive", target)).hasSize(1);
    assertThat(harness.emulator.calls("UpdateContinuousBackups", target)).hasSize(1);
    assertThat(harness.emulator.calls("TagResource", target)).hasSize(1);
    assertThat(harness.emulator.calls("UpdateTable", target)).hasSize(2);
    assertThat(harness.getRestore(name).getStatus().tableSettings.timeToLive.state).isEqualTo("InPlace");
  }

  @Test
  void aTimeOutsideTheWindowIsInvalidRestoreTimeWithTheWindowAndNoRestoreCall() {
    String source = sourceWithRecovery();
    String name = OperatorHarness.uniqueName("too-early");
    String before = Instant.now().minus(Duration.ofHours(1)).toString();

    harness.applyRestore(name, fromTable(source, name + "-table", s -> {
      s.pointInTime.useLatestRestorableTime = null;
      s.pointInTime.restoreDateTime = before;
    }));

    await().atMost(TIMEOUT).untilAsserted(() -> {
      Condition ready = condition(harness.getRestore(name), Conditions.READY);
      assertThat(ready.getReason()).isEqualTo("InvalidRestoreTime");
      assertThat(ready.getMessage()).contains("restoreDateTime " + before, "outside the restorable window",
          "(DescribeContinuousBackups)");
    });
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).contains("InvalidRestoreTime"));
    assertThat(harness.emulator.calls("RestoreTableToPointInTime", name)).isEmpty();
  }

  @Test
  void aSourceWithoutRecoveryWaitsAsPointInTimeRecoveryUnavailableUntilItIsEnabled() {
    String source = harness.newTable();
    String name = OperatorHarness.uniqueName("no-pitr");

    harness.applyRestore(name, fromTable(source, name + "-table", s -> { }));

    await().atMost(TIMEOUT).untilAsserted(() -> {
      Condition ready = condition(harness.getRestore(name), Conditions.READY);
      assertThat(ready.getReason()).isEqualTo("PointInTimeRecoveryUnavailable");
      assertThat(ready.getMessage()).contains("point-in-time recovery is DISABLED on source table '" + source);
    });
    assertThat(harness.emulator.calls("RestoreTableToPointInTime", name)).isEmpty();

    harness.emulator.enablePointInTimeRecovery(REGION, source);

    awaitReady(harness, name);
    assertThat(harness.emulator.calls("RestoreTableToPointInTime", name)).hasSize(1);
  }

  @Test
  void aMissingSourceTableIsTableNotFoundWithoutARestoreCall() {
    String name = OperatorHarness.uniqueName("no-source");

    harness.applyRestore(name, fromTable("missing-" + name, name + "-table", s -> { }));

    await().atMost(TIMEOUT).untilAsserted(() -> {
      Condition ready = condition(harness.getRestore(name), Conditions.READY);
      assertThat(ready.getReason()).isEqualTo("TableNotFound");
      assertThat(ready.getMessage()).contains("source table 'missing-" + name + "' does not exist");
    });
    assertThat(harness.emulator.calls("RestoreTableToPointInTime", name)).isEmpty();
  }

  /** A crash between the recorded intent and the call's answer: the target's RestoreSummary says it is ours. */
  @Test
  void recordedIntentWithTheTableRestoredIsAdoptedInsteadOfRestoredAgain() {
    String source = sourceWithRecovery();
    String name = OperatorHarness.uniqueName("pitr-crashed");
    String target = name + "-table";
    String sourceArn = "arn:aws:dynamodb:" + REGION + ":123456789012:table/" + source;
    String tableArn;
    harness.stopOperator();
    try {
      harness.applyRestore(name, fromTable(source, target, s -> { }));
      harness.recordRestoreIntent(name, sourceArn, Instant.now());
      // the call that got through before the crash
      tableArn = harness.dynamo.restoreTableToPointInTime(r -> r.sourceTableName(source).targetTableName(target)
          .useLatestRestorableTime(true)).tableDescription().tableArn();
      harness.emulator.resetCounters();
    } finally {
      harness.startOperator();
    }

    assertThat(awaitReady(harness, name).getStatus().tableArn).isEqualTo(tableArn);
    assertThat(harness.emulator.calls("RestoreTableToPointInTime")).isZero();
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).contains("AdoptedEarlierAttempt"));
  }

  /** The same crash, but the table under the target name was restored from the source before we asked. */
  @Test
  void recordedIntentWithATableRestoredBeforeTheRequestLeavesItAlone() {
    String source = sourceWithRecovery();
    String name = OperatorHarness.uniqueName("pitr-not-ours");
    String target = name + "-table";
    harness.stopOperator();
    try {
      harness.applyRestore(name, fromTable(source, target, s -> { }));
      harness.dynamo.restoreTableToPointInTime(r -> r.sourceTableName(source).targetTableName(target)
          .useLatestRestorableTime(true));
      harness.recordRestoreIntent(name, "arn:aws:dynamodb:" + REGION + ":123456789012:table/" + source,
          Instant.now().plus(CreateIntent.CLOCK_SKEW).plusSeconds(60));
      harness.emulator.resetCounters();
    } finally {
      harness.startOperator();
    }

    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(condition(harness.getRestore(name), Conditions.READY).getReason())
            .isEqualTo("TableAlreadyExists"));
    assertThat(harness.getRestore(name).getStatus().tableArn).isNull();
    assertThat(harness.emulator.calls("RestoreTableToPointInTime")).isZero();
  }

  /** UpdateTimeToLive denied, then throttled, then accepted: each failure in status, the others unaffected. */
  @Test
  void aSettingThatFailsHasItsOwnReasonAndIsRetriedByItsKind() {
    String source = sourceWithRecovery();
    String name = OperatorHarness.uniqueName("ttl-denied");
    String target = name + "-table";
    harness.emulator.failNext("UpdateTimeToLive", "AccessDeniedException", 1)
        .failNext("UpdateTimeToLive", "LimitExceededException", 1);

    try (var versions = new Versions<>(harness.restores().inNamespace(NAMESPACE).withName(name))) {
      harness.applyRestore(name, fromTable(source, target, s -> s.tableSettings = allSettings()));

      awaitReady(harness, name);
      var denied = versions.seen().stream().filter(r -> "TimeToLiveFailed".equals(DynamoRestoreTest.readyReason(r))
          && "AccessDenied".equals(r.getStatus().tableSettings.timeToLive.reason)).findFirst().orElseThrow();
      assertThat(condition(denied, Conditions.READY).getMessage())
          .contains("timeToLive: UpdateTimeToLive failed: AccessDeniedException", "retry 1 at");
      assertThat(denied.getStatus().tableSettings.timeToLive.state).isEqualTo("Failed");
      assertThat(denied.getStatus().tableSettings.timeToLive.failedAttempts).isEqualTo(1);
      assertThat(denied.getStatus().tableSettings.pointInTimeRecovery.state).as("applied all the same")
          .isEqualTo("Applying");
      assertThat(versions.seen().stream().map(r -> r.getStatus() == null || r.getStatus().tableSettings == null
          ? null : r.getStatus().tableSettings.timeToLive.reason).filter(Objects::nonNull).distinct())
          .containsExactly("AccessDenied", "LimitExceeded");
    }
    var calls = harness.emulator.calls("UpdateTimeToLive", target);
    assertThat(calls).hasSize(3);
    assertThat(Duration.between(calls.get(0).at(), calls.get(1).at())).as("a terminal failure: no hot retry")
        .isGreaterThanOrEqualTo(Duration.ofMillis(800));
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).contains("TimeToLiveFailed"));
    var ttl = harness.getRestore(name).getStatus().tableSettings.timeToLive;
    assertThat(ttl.failedAttempts).isNull();
    assertThat(ttl.state).isEqualTo("InPlace");
  }

  @Test
  void changedSettingsAreAppliedAndAConflictingStreamIsReportedNotChanged() {
    String source = sourceWithRecovery();
    String name = OperatorHarness.uniqueName("edited");
    String target = name + "-table";
    harness.applyRestore(name, fromTable(source, target, s -> {
      s.tableSettings = new DynamoRestoreSpec.TableSettings();
      s.tableSettings.tags = Map.of("team", "payments");
      s.deletionPolicy = DeletionPolicy.Delete;
    }));
    awaitReady(harness, name);
    // someone turns a stream on outside Kubernetes
    harness.dynamo.updateTable(r -> r.tableName(target).streamSpecification(t -> t.streamEnabled(true)
        .streamViewType("KEYS_ONLY")));
    int updates = harness.emulator.calls("UpdateTable", target).size();

    edit(name, spec -> {
      spec.tableSettings.tags = Map.of("team", "payments", "env", "prod");
      spec.tableSettings.stream = new DynamoRestoreSpec.Stream();
      spec.tableSettings.stream.viewType = DynamoRestoreSpec.StreamViewType.NEW_IMAGE;
    });

    await().atMost(TIMEOUT).untilAsserted(() -> {
      var restore = harness.getRestore(name);
      assertThat(condition(restore, Conditions.READY).getReason()).isEqualTo("StreamFailed");
      assertThat(restore.getStatus().tableSettings.stream.reason).isEqualTo("SettingConflict");
      assertThat(restore.getStatus().tableSettings.stream.message).contains("view type KEYS_ONLY, not NEW_IMAGE");
      assertSetting(restore.getStatus().tableSettings.tags, "{env=prod, team=payments}");
    });
    assertThat(harness.emulator.calls("UpdateTable", target)).hasSize(updates);
    assertThat(harness.emulator.calls("TagResource", target)).hasSize(2);

    edit(name, spec -> spec.tableSettings.stream.viewType = DynamoRestoreSpec.StreamViewType.KEYS_ONLY);
    awaitReady(harness, name);
    harness.restores().inNamespace(NAMESPACE).withName(name).delete();
    await().atMost(TIMEOUT).until(() -> harness.getRestore(name) == null);
    assertThat(harness.emulator.calls("DeleteTable", target)).hasSize(1);
  }

  /** A source table of a namespace with point-in-time recovery on since now. */
  static String sourceWithRecovery() {
    String table = harness.newTable();
    harness.emulator.enablePointInTimeRecovery(REGION, table);
    return table;
  }

  static DynamoRestoreSpec fromTable(String source, String target, Consumer<DynamoRestoreSpec> more) {
    var spec = new DynamoRestoreSpec();
    spec.pointInTime = new DynamoRestoreSpec.PointInTime();
    spec.pointInTime.sourceTableName = source;
    spec.pointInTime.useLatestRestorableTime = true;
    spec.targetTableName = target;
    more.accept(spec);
    return spec;
  }

  static DynamoRestoreSpec.TableSettings allSettings() {
    var settings = new DynamoRestoreSpec.TableSettings();
    settings.pointInTimeRecovery = true;
    settings.timeToLive = new DynamoRestoreSpec.TimeToLive();
    settings.timeToLive.attributeName = "expiresAt";
    settings.deletionProtection = true;
    settings.tags = Map.of("team", "payments", "env", "prod");
    settings.stream = new DynamoRestoreSpec.Stream();
    settings.stream.viewType = DynamoRestoreSpec.StreamViewType.NEW_AND_OLD_IMAGES;
    return settings;
  }

  static void assertSetting(TableSettingsStatus.Setting setting, String observed) {
    assertThat(setting.state).isEqualTo("InPlace");
    assertThat(setting.observed).isEqualTo(observed);
    assertThat(setting.reason).isNull();
  }

  static void edit(String name, Consumer<DynamoRestoreSpec> change) {
    harness.restores().inNamespace(NAMESPACE).withName(name).edit(r -> {
      change.accept(r.getSpec());
      return r;
    });
  }
}
