package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The requested settings of a restored table, one entry per setting of spec.tableSettings that is set. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TableSettingsStatus {

  @JsonPropertyDescription("Point-in-time recovery: the status DescribeContinuousBackups reports.")
  public Setting pointInTimeRecovery;

  @JsonPropertyDescription("Time to Live: the status and attribute DescribeTimeToLive reports.")
  public Setting timeToLive;

  @JsonPropertyDescription("Deletion protection, as DescribeTable reports it.")
  public Setting deletionProtection;

  @JsonPropertyDescription("The requested tags, as ListTagsOfResource reports them.")
  public Setting tags;

  @JsonPropertyDescription("The stream's view type, as DescribeTable reports it (NONE: no enabled stream).")
  public Setting stream;

  /** One setting: what AWS reports, whether it is as requested, and if not, why. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Setting {
    @JsonPropertyDescription("InPlace: as requested. Applying: the change was made and is read back next. Failed:"
        + " the last call failed (see reason), or the table's setting conflicts with the request.")
    public String state;

    @JsonPropertyDescription("The setting as AWS last reported it.")
    public String observed;

    @JsonPropertyDescription("When Failed: the AWS error code without Exception (AccessDenied, LimitExceeded, ...),"
        + " or SettingConflict.")
    public String reason;

    @JsonPropertyDescription("When Failed: which call failed and why, and when the next try is.")
    public String message;

    @JsonPropertyDescription("Consecutive failed calls for this setting; drives its retry backoff.")
    public Integer failedAttempts;

    @JsonPropertyDescription("When Failed: the earliest time of the next call for this setting (RFC 3339).")
    public String nextAttemptAt;
  }
}
