package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** The operator's last observation of the restore and its table, written as a whole by one status recorder. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DynamoRestoreStatus extends LenientlyRead implements ReconciledStatus {

  public DynamoRestoreStatus() {
    super("status");
  }


  @JsonPropertyDescription("ARN of the backup being restored, recorded before RestoreTableFromBackup is called.")
  public String sourceBackupArn;

  @JsonPropertyDescription("ARN of the source table of a point-in-time restore, recorded before"
      + " RestoreTableToPointInTime is called.")
  public String sourceTableArn;

  @JsonPropertyDescription("ARN of the restored table.")
  public String tableArn;

  @JsonPropertyDescription("TableId of the restored table, when DynamoDB reports one: the table this object"
      + " restored, not a later one of the same name.")
  public String tableId;

  @JsonPropertyDescription("CREATING, ACTIVE, ... as DynamoDB last reported it; DELETING once deleted.")
  public String tableStatus;

  @JsonPropertyDescription("The table's RestoreSummary, mirrored as DynamoDB last returned it.")
  public RestoreSummary restoreSummary;

  @JsonPropertyDescription("Each setting of spec.tableSettings as last read back from the table, once it is"
      + " ACTIVE.")
  public TableSettingsStatus tableSettings;

  @JsonPropertyDescription("metadata.generation of the spec this status was computed from.")
  public Long observedGeneration;

  @JsonPropertyDescription("Consecutive failed AWS calls of the current step; drives the retry backoff.")
  public Integer failedAttempts;

  @JsonPropertyDescription("Ready, Restoring and Deleting, in the metav1.Condition shape.")
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
