package io.dynamobackup.operator.aws;

import io.dynamobackup.operator.api.RestoreSummary;
import java.time.Instant;

/**
 * What DescribeTable (or a restore call, UpdateTable, DeleteTable) tells about a table. {@code tableId} may be null
 * (moto leaves it out); {@code restoreSummary} is null for a table that was not restored; {@code streamViewType} is
 * null while the table has no enabled stream.
 */
public record TableState(String tableName, String tableArn, String tableId, String tableStatus,
    RestoreSummary restoreSummary, Instant creationDateTime, boolean deletionProtectionEnabled,
    String streamViewType) {

  /** Whether the restore into this table still runs: DynamoDB reports both the status and the flag. */
  public boolean restoring() {
    return "CREATING".equals(tableStatus)
        || restoreSummary != null && Boolean.TRUE.equals(restoreSummary.restoreInProgress);
  }
}
