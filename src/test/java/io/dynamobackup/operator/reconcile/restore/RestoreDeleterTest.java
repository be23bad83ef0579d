package io.dynamobackup.operator.reconcile.restore;

import static io.dynamobackup.operator.reconcile.restore.RestorePhases.REGION;
import static io.dynamobackup.operator.reconcile.restore.RestorePhases.SETTINGS;
import static io.dynamobackup.operator.reconcile.restore.RestorePhases.TARGET;
import static io.dynamobackup.operator.support.StatusConditions.condition;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.aws.TableState;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.Reasons;
import io.dynamobackup.operator.support.RecordingEffects;
import io.dynamobackup.operator.support.UnitTest;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The finalizer of a DynamoRestore, against an in-memory account: DeleteTable only under Delete, only of the very
 * table this object restored, never while another restore records it or its restore runs; Retain leaves it.
 */
@UnitTest
class RestoreDeleterTest {

  final RestorePhases rig = new RestorePhases();

  @Test
  void retainTheDefaultLeavesTheRestoredTable() {
    restored();

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isTrue();
    assertThat(rig.effects.eventReasons()).containsExactly(Reasons.RETAINED);
    assertTableStays();
  }

  @Test
  void deleteDeletesTheTableThisObjectRestored() {
    restored();
    rig.restore.getSpec().deletionPolicy = DeletionPolicy.Delete;

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isTrue();
    assertThat(condition(rig.restore, Conditions.DELETING).getReason()).isEqualTo(Reasons.DELETED);
    assertThat(rig.account.calls("DeleteTable")).containsExactly(TARGET);
  }

  @Test
  void deletionWaitsWhileAnotherRestoreRecordsTheTable() {
    rig.anotherRestoreRecords(restored());
    rig.restore.getSpec().deletionPolicy = DeletionPolicy.Delete;

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isFalse();
    assertThat(condition(rig.restore, Conditions.DELETING).getReason()).isEqualTo(Reasons.NOT_OWNED);
    assertTableStays();
  }

  @Test
  void aTableMadeAgainUnderTheNameIsNotDeleted() {
    restored();
    rig.restore.getSpec().deletionPolicy = DeletionPolicy.Delete;
    rig.account.deleteTable(REGION, TARGET); // outside Kubernetes, then made again
    rig.account.createTable(REGION, TARGET);
    rig.account.clearCalls();

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isTrue();
    assertThat(rig.effects.warnings()).extracting(RecordingEffects.Event::reason)
        .containsExactly(Reasons.TABLE_REPLACED);
    assertTableStays();
  }

  @Test
  void deletionWaitsForARestoreStillRunning() {
    rig.account.restoringFor(Duration.ofMinutes(10));
    restored();
    rig.restore.getSpec().deletionPolicy = DeletionPolicy.Delete;

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isFalse();
    assertThat(control.getScheduleDelay()).isPresent();
    assertThat(condition(rig.restore, Conditions.DELETING).getReason()).isEqualTo(Reasons.RESTORE_IN_PROGRESS);
    assertTableStays();
  }

  @Test
  void refusedByThePoliciesTheObjectGoesAndTheTableStays() {
    restored();
    rig.restore.getSpec().deletionPolicy = DeletionPolicy.Delete;
    rig.connection = new Connection.Refused("NotPermitted", "no policy allows it");

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isTrue();
    assertThat(rig.effects.warnings()).extracting(RecordingEffects.Event::reason).containsExactly("NotPermitted");
    assertTableStays();
  }

  @Test
  void noRouteToTheAccountWaits() {
    restored();
    rig.restore.getSpec().deletionPolicy = DeletionPolicy.Delete;
    rig.connection = new Connection.Waiting("AccountUnreachable", "AssumeRole failed");

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isFalse();
    assertThat(control.getScheduleDelay()).contains(SETTINGS.terminalRetry().toMillis());
    assertThat(condition(rig.restore, Conditions.DELETING).getReason()).isEqualTo("AccountUnreachable");
    assertTableStays();
  }

  @Test
  void anUnreadableSpecKeepsTheTable() {
    restored();
    rig.restore.getSpec().typeErrors().add("spec.deletionPolicy: expected Delete or Retain, got 7");

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isFalse();
    assertThat(condition(rig.restore, Conditions.DELETING).getReason()).isEqualTo(Reasons.INVALID_SPEC);
    assertTableStays();
  }

  @Test
  void aFailedDeleteTableKeepsTheFinalizerAndCountsTheAttempt() {
    restored();
    rig.restore.getSpec().deletionPolicy = DeletionPolicy.Delete;
    rig.account.failNext("DeleteTable", "ResourceInUseException");

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isFalse();
    assertThat(condition(rig.restore, Conditions.DELETING).getReason()).isEqualTo("ResourceInUse");
    assertThat(rig.restore.getStatus().failedAttempts).isEqualTo(1);
    assertThat(rig.effects.warnings()).extracting(RecordingEffects.Event::reason).containsExactly("DeleteFailed");
  }

  @Test
  void aDescribeTableHeldBackByTheQuotaIsNoFailure() {
    restored();
    rig.restore.getSpec().deletionPolicy = DeletionPolicy.Delete;
    rig.account.failNext("DescribeTable", AwsFailure.quotaWait("DescribeTable", Duration.ofMillis(900)));

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isFalse();
    assertThat(control.getScheduleDelay()).contains(900L);
    assertThat(rig.restore.getStatus().failedAttempts).isNull();
    assertThat(rig.effects.warnings()).isEmpty();
  }

  @Test
  void anIntentWithoutATableArnRecordsTheTableItsEarlierCallMadeAndDeletesIt() {
    rig.restore.getSpec().deletionPolicy = DeletionPolicy.Delete;
    rig.intentRecordedAt(rig.clock.instant());
    rig.clock.advance(Duration.ofSeconds(1));
    rig.restoredOutsideThisReconcile();

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isTrue();
    assertThat(rig.account.calls("DeleteTable")).containsExactly(TARGET);
  }

  @Test
  void anIntentWithoutATableArnNeverDeletesATableAnotherRestoreRecords() {
    rig.restore.getSpec().deletionPolicy = DeletionPolicy.Delete;
    rig.intentRecordedAt(rig.clock.instant());
    rig.clock.advance(Duration.ofSeconds(1));
    rig.anotherRestoreRecords(rig.restoredOutsideThisReconcile());

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isTrue();
    assertThat(rig.effects.eventReasons()).containsExactly(Reasons.NOTHING_TO_DELETE);
    assertTableStays();
  }

  @Test
  void anIntentWithoutATableArnWaitsWhileItsCallMayBeInFlight() {
    rig.restore.getSpec().deletionPolicy = DeletionPolicy.Delete;
    rig.intentRecordedAt(rig.clock.instant().minusSeconds(10));

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isFalse();
    assertThat(control.getScheduleDelay()).contains(SETTINGS.inFlightBound().minusSeconds(10).toMillis());
    assertThat(condition(rig.restore, Conditions.DELETING).getReason()).isEqualTo(Reasons.WAITING_FOR_RESTORE);
  }

  /** The restore requested and its table recorded, ACTIVE; returns the table. */
  private TableState restored() {
    rig.run(step -> rig.requester.request(step, rig.aws, new RestoreSource.Backup(rig.sourceArn)));
    assertThat(rig.restore.getStatus().tableArn).isNotNull();
    rig.account.clearCalls();
    return rig.account.describeTable(REGION, TARGET);
  }

  private DeleteControl cleanup() {
    return rig.run(rig.deleter::cleanup);
  }

  private void assertTableStays() {
    assertThat(rig.account.calls("DeleteTable")).isEmpty();
    assertThat(rig.account.describeTable(REGION, TARGET)).isNotNull();
  }
}
