package io.dynamobackup.operator.aws;

/**
 * The port to the DynamoDB table calls a restore needs. As {@link BackupStore}: one AWS call per method, our own
 * types, failures only as classified {@link AwsFailure}s. A null region means the operator's default region.
 */
public interface TableStore {

  /**
   * RestoreTableFromBackup. No client token here either: a second call restores again, or answers
   * TableAlreadyExistsException once the first created the table.
   */
  TableState restore(String region, RestoreRequest request);

  /** DescribeTable. A table that does not exist fails with kind GONE. */
  TableState describeTable(String region, String tableName);

  /** DeleteTable; returns the description DynamoDB answers with. Already gone: kind GONE. */
  TableState deleteTable(String region, String tableName);
}
