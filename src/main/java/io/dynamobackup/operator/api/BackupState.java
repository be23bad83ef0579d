package io.dynamobackup.operator.api;

/** The BackupStatus values DynamoDB reports, as status.backupStatus mirrors them. */
public enum BackupState {
  CREATING, AVAILABLE, DELETED;

  /** Whether a mirrored status string is this state. */
  public boolean is(String status) {
    return name().equals(status);
  }
}
