package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** The schedule as last observed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DynamoBackupScheduleStatus extends LenientlyRead {

  public DynamoBackupScheduleStatus() {
    super("status");
  }


  @JsonPropertyDescription("The scheduled time of the newest backup created (RFC 3339).")
  public String lastScheduleTime;

  @JsonPropertyDescription("The value of the dynamobackup.io/run-now annotation handled last: a run was made for it.")
  public String lastRunNow;

  @JsonPropertyDescription("The next scheduled time (RFC 3339); absent while suspended.")
  public String nextScheduleTime;

  @JsonPropertyDescription("The schedule's DynamoBackups by backupStatus.")
  public ChildCounts children;

  @JsonPropertyDescription("Children that retention would prune but spec.deletionProtection keeps.")
  public List<String> protectedFromPruning;

  public Long observedGeneration;

  @JsonPropertyDescription("Ready, in the metav1.Condition shape.")
  public List<Condition> conditions = new ArrayList<>();

  /** How many children are in each state. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ChildCounts {
    public int total;
    public int creating;
    public int available;
    public int deleted;
    public int notReady;
  }
}
