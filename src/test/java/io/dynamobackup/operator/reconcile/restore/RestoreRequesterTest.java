package io.dynamobackup.operator.reconcile.restore;

import static io.dynamobackup.operator.reconcile.restore.RestorePhases.REGION;
import static io.dynamobackup.operator.reconcile.restore.RestorePhases.SETTINGS;
import static io.dynamobackup.operator.reconcile.restore.RestorePhases.TARGET;
import static io.dynamobackup.operator.support.StatusConditions.condition;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.aws.TableState;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.Reasons;
import io.dynamobackup.operator.support.RecordingEffects;
import io.dynamobackup.operator.support.UnitTest;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The restore call exactly once, against an in-memory account: the intent goes first, an ambiguous answer keeps it,
 * and a resumed restore adopts only the table its own earlier call made, never one another restore records.
 */
@UnitTest
class RestoreRequesterTest {

  final RestorePhases rig = new RestorePhases();

  @Test
  void theSourceAndTheIntentAreWrittenBeforeTheRestoreCall() {
    List<DynamoRestore> writtenBeforeTheCall = new ArrayList<>();
    rig.account.beforeNext("RestoreTableFromBackup", () -> writtenBeforeTheCall.addAll(rig.effects.writes()));

    request();

    assertThat(writtenBeforeTheCall).singleElement().satisfies(intent -> {
      assertThat(intent.getStatus().sourceBackupArn).isEqualTo(rig.sourceArn);
      assertThat(intent.getStatus().tableArn).isNull();
      assertThat(condition(intent, Conditions.RESTORING).getReason()).isEqualTo(Reasons.RESTORE_REQUESTED);
    });
    assertThat(rig.restore.getStatus().tableArn).isEqualTo(rig.account.describeTable(REGION, TARGET).tableArn());
  }

  @ParameterizedTest
  @ValueSource(strings = {"InternalServerError", "ServiceUnavailable", "HTTP502", AwsFailure.NO_ANSWER})
  void anAmbiguousAnswerKeepsTheIntentAndTheResumedRestoreRecordsItsTable(String code) {
    rig.account.failAfterActing("RestoreTableFromBackup", code);

    request();

    var status = rig.restore.getStatus();
    assertThat(status.tableArn).isNull();
    assertThat(condition(rig.restore, Conditions.RESTORING).getReason()).isEqualTo(Reasons.RESTORE_REQUESTED);
    assertThat(status.failedAttempts).isEqualTo(1);
    assertThat(rig.effects.warnings()).extracting(RecordingEffects.Event::reason)
        .containsExactly("RestoreTableFailed");

    rig.clock.advance(Duration.ofSeconds(2));
    resume();

    assertThat(rig.restore.getStatus().tableArn).isEqualTo(rig.account.describeTable(REGION, TARGET).tableArn());
    assertThat(rig.account.calls("RestoreTableFromBackup")).hasSize(1);
    assertThat(rig.effects.eventReasons()).contains(Reasons.ADOPTED_EARLIER_ATTEMPT);
  }

  @Test
  void aRefusalClearsTheIntent() {
    rig.account.failNext("RestoreTableFromBackup", "ValidationException");

    request();

    assertThat(condition(rig.restore, Conditions.RESTORING)).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getReason()).isEqualTo("Validation");
    });
  }

  @Test
  void aRestoreHeldBackByTheQuotaIsNoFailure() {
    rig.account.failNext("RestoreTableFromBackup", AwsFailure.quotaWait("RestoreTableFromBackup",
        Duration.ofMillis(700)));

    var control = request();

    assertThat(control.getScheduleDelay()).contains(700L);
    assertThat(rig.restore.getStatus().failedAttempts).isNull();
    assertThat(rig.effects.warnings()).isEmpty();
  }

  @Test
  void aResumedRestoreRecordsTheTableItsOwnEarlierCallMade() {
    rig.intentRecordedAt(rig.clock.instant());
    rig.clock.advance(Duration.ofSeconds(1));
    TableState made = rig.restoredOutsideThisReconcile();

    resume();

    assertThat(rig.restore.getStatus().tableArn).isEqualTo(made.tableArn());
    assertThat(rig.restore.getStatus().tableId).isEqualTo(made.tableId());
    assertThat(rig.account.calls("RestoreTableFromBackup")).isEmpty();
  }

  @Test
  void aResumedRestoreNeverTakesATableAnotherRestoreRecords() {
    rig.intentRecordedAt(rig.clock.instant());
    rig.clock.advance(Duration.ofSeconds(1));
    rig.anotherRestoreRecords(rig.restoredOutsideThisReconcile());

    resume();

    assertLeftAlone();
  }

  @Test
  void aResumedRestoreLeavesATableThatAnotherRestoreOfTheSameSourceAskedForLater() {
    Instant intent = rig.clock.instant();
    rig.intentRecordedAt(intent);
    rig.others.add(new TableOwnership.OtherRestore("default/other", null, null, intent.plusSeconds(1),
        rig.sourceArn));
    rig.clock.advance(Duration.ofSeconds(2));
    rig.restoredOutsideThisReconcile();

    resume();

    assertLeftAlone();
  }

  @Test
  void aResumedRestoreLeavesATableMadeBeforeItsRequest() {
    rig.restoredOutsideThisReconcile();
    rig.clock.advance(Duration.ofMinutes(10));
    rig.intentRecordedAt(rig.clock.instant());

    resume();

    assertLeftAlone();
  }

  @Test
  void aResumedRestoreWaitsForACallInFlightThenRestoresAgain() {
    rig.intentRecordedAt(rig.clock.instant().minusSeconds(10));

    var waiting = resume();

    assertThat(waiting.getScheduleDelay()).contains(SETTINGS.inFlightBound().minusSeconds(10).toMillis());
    assertThat(rig.account.calls("RestoreTableFromBackup")).isEmpty();

    rig.clock.advance(SETTINGS.inFlightBound());
    resume();

    assertThat(rig.account.calls("RestoreTableFromBackup")).hasSize(1);
    assertThat(rig.restore.getStatus().tableArn).isNotNull();
  }

  private void assertLeftAlone() {
    assertThat(rig.restore.getStatus().tableArn).isNull();
    assertThat(condition(rig.restore, Conditions.READY).getReason()).isEqualTo(Reasons.TABLE_ALREADY_EXISTS);
    assertThat(rig.account.calls("RestoreTableFromBackup")).isEmpty();
    assertThat(rig.account.calls("DeleteTable")).isEmpty();
  }

  private UpdateControl<DynamoRestore> request() {
    return rig.run(step -> rig.requester.request(step, rig.aws, new RestoreSource.Backup(rig.sourceArn)));
  }

  /** As the reconciler resumes: with the intent the status records. */
  private UpdateControl<DynamoRestore> resume() {
    return rig.run(step -> rig.requester.resume(step, rig.aws, step.intent().orElseThrow()));
  }
}
