package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** The operator's last observation of the backup, written as a whole by one status recorder. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DynamoBackupStatus extends LenientlyRead implements ReconciledStatus {

  public DynamoBackupStatus() {
    super("status");
  }


  @JsonPropertyDescription("ARN of the backup this object manages.")
  public String backupArn;

  @JsonPropertyDescription("The backup this object stands for, recorded when the operator created or adopted it;"
      + " lookups and deletion follow it.")
  public BackupIdentity identity;

  @JsonPropertyDescription("CREATING, AVAILABLE or DELETED, as DynamoDB last reported it.")
  public String backupStatus;

  @JsonPropertyDescription("metadata.generation of the spec this status was computed from.")
  public Long observedGeneration;

  @JsonPropertyDescription("The AWS BackupDescription, mirrored as DynamoDB last returned it.")
  public BackupDescription backupDescription;

  @JsonPropertyDescription("When the backup expires under spec.retention (RFC 3339).")
  public String expiresAt;

  @JsonPropertyDescription("Consecutive failed AWS calls of the current step; drives the retry backoff.")
  public Integer failedAttempts;

  @JsonPropertyDescription("Ready, Creating and Deleting, in the metav1.Condition shape.")
  public List<Condition> conditions = new ArrayList<>();

  @Override
  public List<Condition> conditionList() {
    if (conditions == null) {
      conditions = new ArrayList<>();
    }
    return conditions;
  }

  @Override
  public void observeGeneration(Long generation) {
    observedGeneration = generation;
  }

  @Override
  public Integer attempts() {
    return failedAttempts;
  }

  @Override
  public void attempts(Integer failedAttempts) {
    this.failedAttempts = failedAttempts;
  }
}
