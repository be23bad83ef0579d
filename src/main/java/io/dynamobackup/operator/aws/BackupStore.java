package io.dynamobackup.operator.aws;

import io.dynamobackup.operator.api.BackupDescription;

/**
 * The port to DynamoDB's backup API. Every method is one AWS call, returns our own types and fails only with
 * {@link AwsFailure}, already classified; nothing of the AWS SDK leaks above it. A null region means the
 * operator's default region.
 */
public interface BackupStore {

  /** CreateBackup. DynamoDB has no client token: calling twice creates two backups. */
  BackupDescription create(String region, String tableName, String backupName);

  /** DescribeBackup. A backup that does not exist fails with kind GONE. */
  BackupDescription describe(String region, String backupArn);

  /** DeleteBackup; returns the description DynamoDB answers with (status DELETED). Already gone: kind GONE. */
  BackupDescription delete(String region, String backupArn);

  /** One page of ListBackups. */
  BackupPage list(String region, BackupQuery query);
}
