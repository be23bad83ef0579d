package io.dynamobackup.operator.aws;

import io.dynamobackup.operator.api.BackupDescription;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import java.time.Instant;
import java.util.List;

/**
 * What RestoreTableToPointInTime is asked: the source table (by name: the call goes to its account and region),
 * the point in time (null: the latest restorable time), the new table's name and the optional overrides (null: the
 * source's own settings).
 */
public record PointInTimeRequest(
    String sourceTableName,
    Instant restoreDateTime,
    String targetTableName,
    DynamoRestoreSpec.BillingMode billingMode,
    BackupDescription.ProvisionedThroughput provisionedThroughput,
    DynamoRestoreSpec.SseSpecification sseSpecification,
    List<BackupDescription.GlobalSecondaryIndexInfo> globalSecondaryIndexes,
    List<BackupDescription.LocalSecondaryIndexInfo> localSecondaryIndexes) {

  /** The request a restore's spec asks for, from the table {@code sourceTableName} at {@code restoreDateTime}. */
  public static PointInTimeRequest of(String sourceTableName, Instant restoreDateTime, DynamoRestoreSpec spec) {
    return new PointInTimeRequest(sourceTableName, restoreDateTime, spec.targetTableName, spec.billingModeOverride,
        spec.provisionedThroughputOverride, spec.sseSpecificationOverride, spec.globalSecondaryIndexOverride,
        spec.localSecondaryIndexOverride);
  }
}
