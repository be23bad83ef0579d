package io.dynamobackup.operator.aws;

import io.dynamobackup.operator.api.RestoreSummary;

/**
 * What DescribeTable (or RestoreTableFromBackup, DeleteTable) tells about a table. {@code tableId} may be null
 * (moto leaves it out); {@code restoreSummary} is null for a table that was not restored.
 */
public record TableState(String tableName, String tableArn, String tableId, String tableStatus,
    RestoreSummary restoreSummary) {

  /** Whether the restore into this table still runs: DynamoDB reports both the status and the flag. */
  public boolean restoring() {
    return "CREATING".equals(tableStatus)
        || restoreSummary != null && Boolean.TRUE.equals(restoreSummary.restoreInProgress);
  }
}
