package io.dynamobackup.operator.api;

/** What happens to the AWS backup when its DynamoBackup object is deleted. */
public enum DeletionPolicy {
  /** DeleteBackup runs before the finalizer is released. */
  Delete,
  /** The backup stays in AWS; only the Kubernetes object goes. */
  Retain
}
