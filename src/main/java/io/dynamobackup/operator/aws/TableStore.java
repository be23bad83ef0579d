package io.dynamobackup.operator.aws;

import java.util.Map;

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

  /**
   * RestoreTableToPointInTime, with the same lack of a client token. Its own refusals are TERMINAL:
   * PointInTimeRecoveryUnavailableException (not enabled on the source), InvalidRestoreTimeException (outside the
   * restorable window), SourceTableNotFoundException.
   */
  TableState restoreToPointInTime(String region, PointInTimeRequest request);

  /** DescribeTable. A table that does not exist fails with kind GONE. */
  TableState describeTable(String region, String tableName);

  /** DeleteTable; returns the description DynamoDB answers with. Already gone: kind GONE. */
  TableState deleteTable(String region, String tableName);

  /** DescribeContinuousBackups: point-in-time recovery and its restorable window. Missing table: TableNotFound. */
  ContinuousBackups describeContinuousBackups(String region, String tableName);

  /** UpdateContinuousBackups: turns point-in-time recovery on or off; returns the new state. */
  ContinuousBackups updatePointInTimeRecovery(String region, String tableName, boolean enabled);

  /** DescribeTimeToLive. */
  TimeToLive describeTimeToLive(String region, String tableName);

  /** UpdateTimeToLive, enabling it on {@code attributeName}. */
  void enableTimeToLive(String region, String tableName, String attributeName);

  /** UpdateTable with DeletionProtectionEnabled only; returns the table as DynamoDB answers. */
  TableState updateDeletionProtection(String region, String tableName, boolean enabled);

  /** UpdateTable with a StreamSpecification enabling a stream of this view type; returns the table. */
  TableState enableStream(String region, String tableName, String viewType);

  /** One page of ListTagsOfResource ({@code nextToken} null for the first). */
  TagPage listTags(String region, String tableArn, String nextToken);

  /** TagResource: sets these tags, leaving the table's others as they are. */
  void tag(String region, String tableArn, Map<String, String> tags);
}
