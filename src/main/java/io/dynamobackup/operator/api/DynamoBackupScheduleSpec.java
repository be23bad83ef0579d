package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** When to back up a table, how many backups to keep, and what each backup looks like. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DynamoBackupScheduleSpec extends LenientlyRead {

  public DynamoBackupScheduleSpec() {
    super("spec");
  }


  @Required
  @JsonPropertyDescription("Name of the DynamoDB table to back up.")
  public String tableName;

  @Required
  @JsonPropertyDescription("Cron expression with five fields (minute hour day-of-month month day-of-week), e.g."
      + " '0 3 * * *' for 03:00 every day.")
  public String schedule;

  @JsonPropertyDescription("IANA time zone of the schedule, e.g. Europe/Berlin; default UTC.")
  public String timeZone;

  @JsonPropertyDescription("Which backups to keep; older ones are pruned by deleting their DynamoBackup objects.")
  public ScheduleRetention retention;

  @JsonPropertyDescription("What each DynamoBackup created by this schedule looks like.")
  public BackupTemplate template;

  @JsonPropertyDescription("While true, no new backups are created; pruning goes on.")
  public Boolean suspend;

  @Min(1)
  @JsonPropertyDescription("A run missed by more than this many seconds (operator down) is skipped. At most one"
      + " missed run is ever made up, never a burst.")
  public Long startingDeadlineSeconds;

  /** keepLast and/or maxAge; a backup is pruned when either says so. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ScheduleRetention {
    @Min(1)
    @JsonPropertyDescription("Keep the newest N AVAILABLE backups of this schedule; failed runs, which hold no"
        + " backup, do not count.")
    public Integer keepLast;

    @JsonPropertyDescription("Prune backups scheduled longer ago than this: 36h, 14d, or ISO-8601; longer than zero."
        + " Never below minAvailable AVAILABLE backups.")
    @Pattern(Retention.POSITIVE_DURATION)
    public String maxAge;

    @Min(0)
    @JsonPropertyDescription("maxAge never prunes the newest this many AVAILABLE backups (default 1), so that a table"
        + " whose backups fail keeps its last good one; 0 lets maxAge prune every backup.")
    public Integer minAvailable;
  }

  /** The fields of each child DynamoBackup's spec. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class BackupTemplate {
    @JsonPropertyDescription("deletionPolicy of each backup; default Delete.")
    public DeletionPolicy deletionPolicy;

    @JsonPropertyDescription("AWS region of the table; default the operator's region.")
    public String region;

    @JsonPropertyDescription("deletionProtection of each backup: protected backups are never pruned.")
    public Boolean deletionProtection;
  }
}
