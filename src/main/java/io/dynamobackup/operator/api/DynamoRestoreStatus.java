package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The operator's last observation of the restore and its table, written as a whole by one status recorder. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DynamoRestoreStatus extends LifecycleStatus {

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
}
