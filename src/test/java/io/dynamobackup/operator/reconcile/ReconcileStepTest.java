package io.dynamobackup.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.dynamobackup.operator.support.Backups;
import io.dynamobackup.operator.support.RecordingEffects;
import io.dynamobackup.operator.support.UnitTest;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The per-reconcile context: a status is written only when it changed, with the version read, never over another. */
@UnitTest
class ReconcileStepTest {

  static final Instant NOW = Instant.parse("2027-01-01T10:00:00Z");

  final DynamoBackup backup = Backups.stored("nightly", new DynamoBackupSpec("orders"), NOW);

  ReconcileStep<DynamoBackup, DynamoBackupStatus> step(RecordingEffects<DynamoBackup> effects) {
    return new ReconcileStep<>(backup, effects, DynamoBackupStatus::new, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Test
  void aStatusThatDidNotChangeIsNotWritten() {
    var status = new DynamoBackupStatus();
    status.observedGeneration = 1L;
    Conditions.set(status.conditions, Conditions.READY, true, Reasons.AVAILABLE, "available", 1L, NOW);
    backup.setStatus(status);
    var effects = new RecordingEffects<>(backup);
    var step = step(effects);

    step.set(Conditions.READY, true, Reasons.AVAILABLE, "available");

    assertThat(step.record()).isFalse();
    assertThat(effects.writes()).isEmpty();
  }

  @Test
  void aChangedStatusIsWrittenOnceWithTheObservedGeneration() {
    var effects = new RecordingEffects<>(backup);
    var step = step(effects);
    step.notReady(Reasons.BACKUP_CREATING, "creating");

    assertThat(step.record()).isTrue();
    assertThat(step.record()).isFalse();

    assertThat(effects.writes()).singleElement().satisfies(written -> {
      assertThat(written.getStatus().observedGeneration).isEqualTo(1L);
      assertThat(Conditions.find(written.getStatus().conditions, Conditions.READY).orElseThrow().getReason())
          .isEqualTo(Reasons.BACKUP_CREATING);
    });
  }

  @Test
  void twoWritesOfOneReconcileCarryTheVersionTheFirstWrote() {
    var effects = new RecordingEffects<>(backup);
    var step = step(effects);

    step.set(Conditions.CREATING, true, Reasons.CREATE_REQUESTED, "intent");
    step.record();
    step.set(Conditions.CREATING, false, Reasons.CREATED, "answer");
    step.record(); // with the version read at the start, the API server would answer 409

    assertThat(effects.writes()).extracting(b -> b.getMetadata().getResourceVersion()).containsExactly("2", "3");
    assertThat(backup.getMetadata().getResourceVersion()).isEqualTo("3");
  }

  @Test
  void aConflictStopsTheReconcileAndWritesNothingOverTheOtherWriter() {
    var effects = new RecordingEffects<>(backup).conflictOnNextWrite();
    var step = step(effects);
    step.set(Conditions.CREATING, true, Reasons.CREATE_REQUESTED, "intent");

    assertThatThrownBy(step::record).isInstanceOf(StatusConflict.class);

    assertThat(effects.writes()).isEmpty();
  }

  @Test
  void aWarningIsRaisedWhenTheStatusIsNewNotWhenItRepeats() {
    var effects = new RecordingEffects<>(backup);
    var step = step(effects);

    step.notReady(Reasons.INVALID_SPEC, "spec.tableName is required");
    step.recordWithWarning(Reasons.INVALID_SPEC, "spec.tableName is required");
    step.notReady(Reasons.INVALID_SPEC, "spec.tableName is required");
    step.recordWithWarning(Reasons.INVALID_SPEC, "spec.tableName is required");

    assertThat(effects.warnings()).extracting(RecordingEffects.Event::reason).containsExactly(Reasons.INVALID_SPEC);
  }

  @Test
  void continuingFromAnObjectWhoseStatusAnotherWriterChangedIsAConflict() {
    var step = step(new RecordingEffects<>(backup));
    DynamoBackup updated = Serialization.clone(backup);
    updated.setStatus(new DynamoBackupStatus());
    updated.getStatus().backupArn =
        "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/backup/01800000000000-0000000a";

    assertThatThrownBy(() -> step.continueFrom(updated)).isInstanceOf(StatusConflict.class);
  }
}
