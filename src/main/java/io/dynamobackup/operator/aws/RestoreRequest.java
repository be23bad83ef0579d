package io.dynamobackup.operator.aws;

import io.dynamobackup.operator.api.BackupDescription;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import java.util.List;

/**
 * What RestoreTableFromBackup is asked: the backup, the new table's name and the optional overrides (null: the
 * backup's own settings).
 */
public record RestoreRequest(
    String backupArn,
    String targetTableName,
    DynamoRestoreSpec.BillingMode billingMode,
    BackupDescription.ProvisionedThroughput provisionedThroughput,
    DynamoRestoreSpec.SseSpecification sseSpecification,
    List<BackupDescription.GlobalSecondaryIndexInfo> globalSecondaryIndexes,
    List<BackupDescription.LocalSecondaryIndexInfo> localSecondaryIndexes) {

  /** The request a restore's spec asks for, from the backup {@code backupArn}. */
  public static RestoreRequest of(String backupArn, DynamoRestoreSpec spec) {
    return new RestoreRequest(backupArn, spec.targetTableName, spec.billingModeOverride,
        spec.provisionedThroughputOverride, spec.sseSpecificationOverride, spec.globalSecondaryIndexOverride,
        spec.localSecondaryIndexOverride);
  }
}
