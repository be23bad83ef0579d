package io.dynamobackup.operator.reconcile.backup;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.dynamobackup.operator.reconcile.ReconcileStep;
import io.dynamobackup.operator.reconcile.StepEffects;
import java.time.Clock;

/** One reconcile of a DynamoBackup: the kernel's step with the backup's own types. */
final class BackupStep extends ReconcileStep<DynamoBackup, DynamoBackupStatus> {

  BackupStep(DynamoBackup backup, StepEffects<DynamoBackup> effects, Clock clock) {
    super(backup, effects, DynamoBackupStatus::new, clock);
  }

  DynamoBackup backup() {
    return resource();
  }
}
