package io.dynamobackup.operator.aws;

/** The DynamoDB calls of one AWS account: its backups and its tables, under its own rate limits. */
public interface AccountClient extends BackupStore, TableStore {}
