package io.dynamobackup.operator.reconcile.backup;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.dynamobackup.operator.reconcile.EventRecorder;
import io.dynamobackup.operator.reconcile.ReconcileStep;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Clock;

/** One reconcile of a DynamoBackup: the kernel's step with the backup's own types. */
final class BackupStep extends ReconcileStep<DynamoBackup, DynamoBackupStatus> {

  BackupStep(DynamoBackup backup, Context<DynamoBackup> context, Clock clock, EventRecorder events) {
    super(backup, context, DynamoBackupStatus::new, clock, events);
  }

  DynamoBackup backup() {
    return resource();
  }
}
