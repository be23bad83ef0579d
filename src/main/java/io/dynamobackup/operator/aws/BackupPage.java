package io.dynamobackup.operator.aws;

import java.time.Instant;
import java.util.List;

/** One page of ListBackups; {@code lastEvaluatedBackupArn} is null on the last page. */
public record BackupPage(List<BackupSummary> backups, String lastEvaluatedBackupArn) {

  public record BackupSummary(
      String backupArn, String backupName, String tableName, String backupStatus, Instant createdAt,
      Long backupSizeBytes) {}

  public boolean hasMore() {
    return lastEvaluatedBackupArn != null;
  }
}
