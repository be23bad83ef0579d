package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.reconcile.SpecRules;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.api.DynamoRestoreStatus;
import io.dynamobackup.operator.api.RestoreSummary;
import io.dynamobackup.operator.aws.TableState;
import io.dynamobackup.operator.support.UnitTest;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@UnitTest
class RestoreRulesTest {

  static final String ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/backup/01700000000000-abcdef12";
  static final String OTHER_ARN =
      "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/backup/01700000099999-99999999";
  static final String TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders-copy";
  static final Instant REQUESTED = Instant.parse("2026-11-25T10:00:00Z");

  @Test
  void aRestoreByReferenceOrByArnIsValid() {
    assertThat(RestoreRules.check(restore(s -> s.backupRef = new DynamoRestoreSpec.BackupRef("nightly"))))
        .isEmpty();
    assertThat(RestoreRules.check(restore(s -> s.backupArn = ARN))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no source             | ''      | ''          | orders-copy | ''        | InvalidSpec | exactly one of",
      "both sources          | nightly | " + ARN + " | orders-copy | ''        | InvalidSpec | exactly one of",
      "no target             | nightly | ''          | ''          | ''        | InvalidSpec | spec.targetTableName",
      "target with a space   | nightly | ''          | 'a b c'     | ''        | InvalidSpec | 'a b c'",
      "region typo           | nightly | ''          | orders-copy | euwest1   | InvalidSpec | spec.region 'euwest1'",
      "not a backup ARN      | ''      | arn:aws:x   | orders-copy | ''        | InvalidSpec | not a DynamoDB backup",
      "backup of elsewhere   | ''      | " + ARN + " | orders-copy | us-east-1 | BackupInOtherRegion | 'eu-west-1'",
  })
  void badSpecsAreRefusedWithASpecificReason(String title, String ref, String arn, String target, String region,
      String reason, String message) {
    var problem = RestoreRules.check(restore(s -> {
      s.backupRef = ref.isEmpty() ? null : new DynamoRestoreSpec.BackupRef(ref);
      s.backupArn = arn.isEmpty() ? null : arn;
      s.targetTableName = target.isEmpty() ? null : target;
      s.region = region.isEmpty() ? null : region;
    }));

    assertThat(problem).hasValueSatisfying(p -> {
      assertThat(p.reason()).isEqualTo(reason);
      assertThat(p.message()).contains(message);
    });
  }

  static final String SOURCE_TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders";

  @Test
  void aPointInTimeRestoreByNameOrArnAtATimeOrTheLatestIsValid() {
    assertThat(RestoreRules.check(restore(s -> s.pointInTime = pointInTime("orders", null, null, true)))).isEmpty();
    assertThat(RestoreRules.check(restore(s -> s.pointInTime = pointInTime(null, SOURCE_TABLE_ARN,
        "2026-11-25T03:00:00+01:00", null)))).isEmpty();
  }

  /** Columns: backupRef, source table name, its ARN ("ARN": SOURCE_TABLE_ARN), time, latest, region. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "backup and point in time | nightly | orders | '' | '' | true | '' | InvalidSpec | spec.backupRef.name,",
      "no source table | '' | '' | '' | '' | true | '' | InvalidSpec | sourceTableName and",
      "name and ARN | '' | orders | ARN | '' | true | '' | InvalidSpec | sourceTableName and",
      "source name with a space | '' | 'a b' | '' | '' | true | '' | InvalidSpec | sourceTableName 'a b'",
      "not a table ARN | '' | '' | arn:aws:x | '' | true | '' | InvalidSpec | not a DynamoDB table",
      "no time | '' | orders | '' | '' | false | '' | InvalidSpec | restoreDateTime and",
      "time and latest | '' | orders | '' | 03:00Z | true | '' | InvalidSpec | restoreDateTime and",
      "time without a zone | '' | orders | '' | 03:00 | false | '' | InvalidSpec | not an RFC 3339 time",
      "source of another region | '' | '' | ARN | '' | true | us-1 | SourceTableInOtherRegion | 'eu-west-1'",
  })
  void badPointInTimeSpecsAreRefusedWithASpecificReason(String title, String ref, String name, String arn,
      String time, boolean latest, String region, String reason, String message) {
    var problem = RestoreRules.check(restore(s -> {
      s.backupRef = ref.isEmpty() ? null : new DynamoRestoreSpec.BackupRef(ref);
      s.pointInTime = pointInTime(name.isEmpty() ? null : name, arn.isEmpty() ? null
          : arn.equals("ARN") ? SOURCE_TABLE_ARN : arn, time.isEmpty() ? null : "2026-11-25T" + time + ":00",
          latest ? true : null);
      s.region = region.isEmpty() ? null : region.replace("us-1", "us-east-1");
    }));

    assertThat(problem).hasValueSatisfying(p -> {
      assertThat(p.reason()).isEqualTo(reason);
      assertThat(p.message()).contains(message);
    });
  }

  @Test
  void thePointInTimeSourceCannotChangeOnceRecorded() {
    var renamed = restore(s -> s.pointInTime = pointInTime("orders-v2", null, null, true));
    renamed.setStatus(new DynamoRestoreStatus());
    renamed.getStatus().sourceTableArn = SOURCE_TABLE_ARN;

    assertThat(RestoreRules.check(renamed)).hasValueSatisfying(p -> {
      assertThat(p.reason()).isEqualTo(SpecRules.IMMUTABLE_FIELD_CHANGED);
      assertThat(p.message()).contains("spec.pointInTime.sourceTableName changed from 'orders' to 'orders-v2'");
    });
    var toBackup = restore(s -> s.backupArn = ARN);
    toBackup.setStatus(new DynamoRestoreStatus());
    toBackup.getStatus().sourceTableArn = SOURCE_TABLE_ARN;
    var toPointInTime = restore(s -> s.pointInTime = pointInTime("orders", null, null, true));
    toPointInTime.setStatus(new DynamoRestoreStatus());
    toPointInTime.getStatus().sourceBackupArn = ARN;
    assertThat(RestoreRules.check(toBackup)).hasValueSatisfying(p ->
        assertThat(p.message()).contains("the source changed from 'table " + SOURCE_TABLE_ARN));
    assertThat(RestoreRules.check(toPointInTime)).hasValueSatisfying(p ->
        assertThat(p.message()).contains("the source changed from 'backup " + ARN + "' to 'spec.pointInTime'"));
  }

  @Test
  void theRecordedSourceIsTheBackupOrTheTableAndGivesTheRegion() {
    var status = new DynamoRestoreStatus();
    assertThat(RestoreRules.recordedSource(status)).isNull();
    status.sourceTableArn = SOURCE_TABLE_ARN.replace("eu-west-1", "eu-central-1");
    assertThat(RestoreRules.recordedSource(status)).isEqualTo(status.sourceTableArn);
    assertThat(RestoreRules.region(new DynamoRestoreSpec(), RestoreRules.recordedSource(status)))
        .isEqualTo("eu-central-1");
    status.sourceBackupArn = ARN;
    assertThat(RestoreRules.recordedSource(status)).isEqualTo(ARN);
  }

  /**
   * DynamoDB's RestoreSummary of a point-in-time restore names the source table and the point restored, not the
   * request's time; the table's creation time tells whether it was made since the request.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "ours, at the time asked | orders | '' | 2026-11-24T03:00:00Z | 2026-11-24T03:00:00Z | 60 | true",
      "ours, RestoreDateTime to the ms | orders | '' | 2026-11-24T03:00:00Z | 2026-11-24T03:00:00.400Z | 60 | true",
      "ours, the latest time | orders | '' | '' | 2026-11-25T09:55:00Z | 60 | true",
      "another point in time | orders | '' | 2026-11-24T03:00:00Z | 2026-11-24T04:00:00Z | 60 | false",
      "another source table | other | '' | '' | 2026-11-25T09:55:00Z | 60 | false",
      "made before the request | orders | '' | '' | 2026-11-25T09:00:00Z | -3600 | false",
      "restored from a backup | orders | backup | '' | 2026-11-25T09:55:00Z | 60 | false",
  })
  void anEarlierPointInTimeAttemptIsATableOfOurSourceAndPointMadeSinceTheRequest(String title, String sourceTable,
      String sourceBackup, String asked, String restoredAt, long createdAfterRequestSeconds, boolean ours) {
    var summary = new RestoreSummary();
    summary.sourceTableArn = SOURCE_TABLE_ARN.replace("table/orders", "table/" + sourceTable);
    summary.sourceBackupArn = sourceBackup.isEmpty() ? null : ARN;
    summary.restoreDateTime = restoredAt;
    summary.restoreInProgress = true;
    var table = new TableState("orders-copy", TABLE_ARN, "t1", "CREATING", summary,
        REQUESTED.plusSeconds(createdAfterRequestSeconds), false, null);

    assertThat(RestoreRules.madeByEarlierPointInTimeAttempt(table, SOURCE_TABLE_ARN,
        asked.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(asked)), REQUESTED.minusSeconds(300)))
        .isEqualTo(ours);
  }

  @Test
  void aTableWithoutACreationTimeIsNotTakenForAnEarlierPointInTimeAttempt() {
    var summary = new RestoreSummary();
    summary.sourceTableArn = SOURCE_TABLE_ARN;
    summary.restoreDateTime = REQUESTED.toString();
    var table = new TableState("orders-copy", TABLE_ARN, "t1", "ACTIVE", summary, null, false, null);

    assertThat(RestoreRules.madeByEarlierPointInTimeAttempt(table, SOURCE_TABLE_ARN, Optional.empty(), REQUESTED))
        .isFalse();
  }

  static DynamoRestoreSpec.PointInTime pointInTime(String name, String arn, String time, Boolean latest) {
    var pointInTime = new DynamoRestoreSpec.PointInTime();
    pointInTime.sourceTableName = name;
    pointInTime.sourceTableArn = arn;
    pointInTime.restoreDateTime = time;
    pointInTime.useLatestRestorableTime = latest;
    return pointInTime;
  }

  @Test
  void targetAndSourceCannotChangeOnceRecorded() {
    var renamed = restore(s -> s.backupArn = ARN);
    renamed.getSpec().targetTableName = "orders-other";
    renamed.setStatus(new DynamoRestoreStatus());
    renamed.getStatus().tableArn = TABLE_ARN;
    var resourced = restore(s -> s.backupArn = OTHER_ARN);
    resourced.setStatus(new DynamoRestoreStatus());
    resourced.getStatus().sourceBackupArn = ARN;

    assertThat(RestoreRules.check(renamed)).hasValueSatisfying(p -> {
      assertThat(p.reason()).isEqualTo(SpecRules.IMMUTABLE_FIELD_CHANGED);
      assertThat(p.message()).contains("spec.targetTableName changed from 'orders-copy' to 'orders-other'");
    });
    assertThat(RestoreRules.check(resourced)).hasValueSatisfying(p ->
        assertThat(p.message()).contains("spec.backupArn changed"));
  }

  @Test
  void restoredTablesAreRetainedUnlessDeleteIsExplicit() {
    assertThat(RestoreRules.deletionPolicy(new DynamoRestoreSpec())).isEqualTo(DeletionPolicy.Retain);
    var spec = new DynamoRestoreSpec();
    spec.deletionPolicy = DeletionPolicy.Delete;
    assertThat(RestoreRules.deletionPolicy(spec)).isEqualTo(DeletionPolicy.Delete);
  }

  @Test
  void theRegionIsTheBackupsOnceKnown() {
    var spec = new DynamoRestoreSpec();
    assertThat(RestoreRules.region(spec, null)).isNull();
    spec.region = "eu-west-1";
    assertThat(RestoreRules.region(spec, null)).isEqualTo("eu-west-1");
    assertThat(RestoreRules.region(new DynamoRestoreSpec(), ARN)).isEqualTo("eu-west-1");
  }

  @Test
  void anEarlierAttemptIsATableRestoredFromOurBackupSinceTheRequest() {
    assertThat(RestoreRules.madeByEarlierAttempt(table("t1", ARN, REQUESTED.plusSeconds(1)), ARN, REQUESTED))
        .isTrue();
    assertThat(RestoreRules.madeByEarlierAttempt(table("t1", OTHER_ARN, REQUESTED.plusSeconds(1)), ARN, REQUESTED))
        .as("restored from another backup").isFalse();
    assertThat(RestoreRules.madeByEarlierAttempt(table("t1", ARN, REQUESTED.minusSeconds(60)), ARN, REQUESTED))
        .as("restored before we asked").isFalse();
    assertThat(RestoreRules.madeByEarlierAttempt(new TableState("orders-copy", TABLE_ARN, "t1", "ACTIVE", null, null,
        false, null), ARN, REQUESTED)).as("created, not restored").isFalse();
  }

  @Test
  void theSameTableHasTheSameIdAndTheSameRestore() {
    var recorded = new DynamoRestoreStatus();
    recorded.tableId = "t1";
    recorded.restoreSummary = table("t1", ARN, REQUESTED).restoreSummary();

    assertThat(RestoreRules.sameTable(recorded, table("t1", ARN, REQUESTED))).isTrue();
    assertThat(RestoreRules.sameTable(recorded, table("t2", ARN, REQUESTED))).isFalse();
    assertThat(RestoreRules.sameTable(recorded, table(null, ARN, REQUESTED))).as("moto reports no TableId").isTrue();
    assertThat(RestoreRules.sameTable(recorded, table(null, ARN, REQUESTED.plusSeconds(600))))
        .as("restored again after a deletion").isFalse();
    assertThat(RestoreRules.sameTable(recorded, new TableState("orders-copy", TABLE_ARN, null, "ACTIVE", null, null,
        false, null))).as("created again after a deletion").isFalse();
  }

  static TableState table(String id, String sourceBackupArn, Instant restoredAt) {
    var summary = new RestoreSummary();
    summary.sourceBackupArn = sourceBackupArn;
    summary.restoreDateTime = restoredAt.toString();
    summary.restoreInProgress = false;
    return new TableState("orders-copy", TABLE_ARN, id, "ACTIVE", summary, restoredAt, false, null);
  }

  static DynamoRestore restore(Consumer<DynamoRestoreSpec> spec) {
    var restore = new DynamoRestore();
    restore.setMetadata(new ObjectMetaBuilder().withName("copy").withNamespace("team-a").withGeneration(1L).build());
    restore.setSpec(new DynamoRestoreSpec());
    restore.getSpec().targetTableName = "orders-copy";
    spec.accept(restore.getSpec());
    return restore;
  }
}
