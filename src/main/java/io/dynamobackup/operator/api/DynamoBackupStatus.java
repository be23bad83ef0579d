package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The operator's last observation of the backup, written as a whole by one status recorder. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DynamoBackupStatus extends LifecycleStatus {

  @JsonPropertyDescription("ARN of the backup this object manages.")
  public String backupArn;

  @JsonPropertyDescription("The backup this object stands for, recorded when the operator created or adopted it;"
      + " lookups and deletion follow it.")
  public BackupIdentity identity;

  @JsonPropertyDescription("CREATING, AVAILABLE or DELETED, as DynamoDB last reported it.")
  public String backupStatus;

  @JsonPropertyDescription("The AWS BackupDescription, mirrored as DynamoDB last returned it.")
  public BackupDescription backupDescription;

  @JsonPropertyDescription("When the backup expires under spec.retention (RFC 3339).")
  public String expiresAt;
}
