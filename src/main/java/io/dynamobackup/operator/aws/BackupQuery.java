package io.dynamobackup.operator.aws;

import java.time.Instant;

/** Filters of one ListBackups call; null fields are not sent. */
public record BackupQuery(
    String tableName, Instant createdAfter, Instant createdBefore, String exclusiveStartBackupArn, Integer limit) {

  /** Every USER backup of the region. */
  public static BackupQuery all() {
    return new BackupQuery(null, null, null, null, null);
  }

  public static BackupQuery ofTable(String tableName) {
    return new BackupQuery(tableName, null, null, null, null);
  }

  public BackupQuery createdAfter(Instant time) {
    return new BackupQuery(tableName, time, createdBefore, exclusiveStartBackupArn, limit);
  }

  public BackupQuery startingAfter(String backupArn) {
    return new BackupQuery(tableName, createdAfter, createdBefore, backupArn, limit);
  }

  public BackupQuery limit(int pageSize) {
    return new BackupQuery(tableName, createdAfter, createdBefore, exclusiveStartBackupArn, pageSize);
  }
}
