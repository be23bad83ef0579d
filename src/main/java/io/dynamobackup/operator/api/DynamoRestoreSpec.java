package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * Which backup, or which table at which point in time, to restore into which new table, and the settings the new
 * table gets afterwards. The source, the target and the region name one restore for the object's life and are
 * immutable; the overrides are read once, when the restore is requested; tableSettings may change at any time.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "(has(self.backupRef) ? 1 : 0) + (has(self.backupArn) ? 1 : 0) + (has(self.pointInTime) ? 1 : 0) == 1",
    message = "set exactly one of spec.backupRef, spec.backupArn and spec.pointInTime")
@ValidationRule(
    value = "has(self.backupRef) == has(oldSelf.backupRef) && has(self.backupArn) == has(oldSelf.backupArn)"
        + " && has(self.pointInTime) == has(oldSelf.pointInTime) && has(self.region) == has(oldSelf.region)",
    message = "backupRef, backupArn, pointInTime and region cannot be added or removed after creation")
public class DynamoRestoreSpec extends LenientlyRead {

  public DynamoRestoreSpec() {
    super("spec");
  }


  @JsonPropertyDescription("The DynamoBackup in this namespace whose backup is restored. Immutable.")
  @ValidationRule(value = "self == oldSelf", message = "backupRef is immutable")
  public BackupRef backupRef;

  @JsonPropertyDescription("ARN of the backup to restore, instead of backupRef. Immutable.")
  @Size(max = 1024)
  @ValidationRule(value = "self == oldSelf", message = "backupArn is immutable")
  public String backupArn;

  @JsonPropertyDescription("Restore a table as it was at a point in time (RestoreTableToPointInTime), instead of a"
      + " backup. The source table needs point-in-time recovery enabled. Immutable.")
  @ValidationRule(value = "self == oldSelf", message = "pointInTime is immutable")
  public PointInTime pointInTime;

  @JsonPropertyDescription("Name of the new table (3-255 characters of [a-zA-Z0-9_.-]); it must not exist yet."
      + " Immutable.")
  @Required
  @Size(min = 3, max = 255)
  @Pattern("^[a-zA-Z0-9_.-]+$")
  @ValidationRule(value = "self == oldSelf", message = "targetTableName is immutable")
  public String targetTableName;

  @JsonPropertyDescription("AWS region; defaults to the backup's (or pointInTime.sourceTableArn's) region, else"
      + " the operator's. A restore stays in its source's region: another region is an error (BackupInOtherRegion,"
      + " SourceTableInOtherRegion). Immutable.")
  @Size(max = 32)
  @ValidationRule(value = "self == oldSelf", message = "region is immutable")
  public String region;

  @JsonPropertyDescription("Retain (default): deleting the object leaves the restored table in AWS. Delete:"
      + " deleting the object deletes the table, once the restore has finished.")
  public DeletionPolicy deletionPolicy;

  @JsonPropertyDescription("BillingModeOverride of the restore call: PROVISIONED or PAY_PER_REQUEST.")
  public BillingMode billingModeOverride;

  @JsonPropertyDescription("ProvisionedThroughputOverride of the restore call.")
  public BackupDescription.ProvisionedThroughput provisionedThroughputOverride;

  @JsonPropertyDescription("SSESpecificationOverride of the restore call.")
  public SseSpecification sseSpecificationOverride;

  @JsonPropertyDescription("GlobalSecondaryIndexOverride of the restore call: the restored table's global"
      + " secondary indexes, instead of the source's.")
  public List<BackupDescription.GlobalSecondaryIndexInfo> globalSecondaryIndexOverride;

  @JsonPropertyDescription("LocalSecondaryIndexOverride of the restore call: the restored table's local"
      + " secondary indexes, instead of the source's.")
  public List<BackupDescription.LocalSecondaryIndexInfo> localSecondaryIndexOverride;

  @JsonPropertyDescription("Settings AWS does not restore, applied to the new table once it is ACTIVE, each by its"
      + " own call and only where the table differs (read back first). Ready is True only when all are in place."
      + " A setting left out, or removed later, is left as it is.")
  public TableSettings tableSettings;

  /** RestoreTableToPointInTime's source: one table, and one point in time within its restorable window. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "has(self.sourceTableName) != has(self.sourceTableArn)",
      message = "set exactly one of pointInTime.sourceTableName and pointInTime.sourceTableArn")
  @ValidationRule(
      value = "has(self.restoreDateTime) != (has(self.useLatestRestorableTime) && self.useLatestRestorableTime)",
      message = "set exactly one of pointInTime.restoreDateTime and pointInTime.useLatestRestorableTime: true")
  public static class PointInTime {
    @JsonPropertyDescription("Name of the source table, in spec.region (default the operator's region).")
    @Size(min = 3, max = 255)
    @Pattern("^[a-zA-Z0-9_.-]+$")
    public String sourceTableName;

    @JsonPropertyDescription("ARN of the source table, instead of sourceTableName: its region and account are the"
        + " restore's.")
    @Pattern("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[a-zA-Z0-9_.-]{3,255}$")
    public String sourceTableArn;

    @JsonPropertyDescription("The time to restore the table as of, RFC 3339 (2026-11-25T03:00:00Z). It must lie in"
        + " the source's restorable window (DescribeContinuousBackups: from when recovery was enabled, at most 35"
        + " days back, to about five minutes ago); outside it, Ready says InvalidRestoreTime with the window.")
    @Pattern("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")
    public String restoreDateTime;

    @JsonPropertyDescription("true: restore the latest restorable time at the request, instead of"
        + " restoreDateTime.")
    public Boolean useLatestRestorableTime;
  }

  /** What a restored table gets that AWS does not restore. Each field unset means "leave it as it is". */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class TableSettings {
    @JsonPropertyDescription("Point-in-time recovery of the new table (UpdateContinuousBackups): true or false.")
    public Boolean pointInTimeRecovery;

    @JsonPropertyDescription("Time to Live (UpdateTimeToLive), enabled on one attribute. A table whose TTL is"
        + " already on another attribute is reported (SettingConflict), not changed: AWS changes it only by"
        + " disabling it first.")
    public TimeToLive timeToLive;

    @JsonPropertyDescription("Deletion protection of the new table (UpdateTable): true or false. While true,"
        + " deletionPolicy Delete cannot delete the table; set it to false first.")
    public Boolean deletionProtection;

    @JsonPropertyDescription("Tags set on the new table (TagResource); its other tags are left as they are, and a"
        + " tag removed here stays on the table. Keys 1-128 characters, not starting with aws:; values up to 256;"
        + " at most 50.")
    // No CEL rule on the keys: a map's keys have no maxLength, so any rule reading them has an unbounded estimated
    // cost, which the API server refuses when the CRD is applied. The operator checks them (TableSettingsPlan).
    @Size(max = 50)
    public Map<String, String> tags;

    @JsonPropertyDescription("A DynamoDB stream on the new table (UpdateTable StreamSpecification). A table with a"
        + " stream of another view type is reported (SettingConflict), not changed: AWS changes it only by"
        + " disabling the stream first.")
    public Stream stream;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class TimeToLive {
    @JsonPropertyDescription("The attribute holding each item's expiry time, in epoch seconds.")
    @Required
    @Size(min = 1, max = 255)
    public String attributeName;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Stream {
    @JsonPropertyDescription("What the stream records of each change: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or"
        + " NEW_AND_OLD_IMAGES.")
    @Required
    public StreamViewType viewType;
  }

  public enum StreamViewType { KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES }

  /** A DynamoBackup in the restore's own namespace. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class BackupRef {
    @JsonPropertyDescription("Name of the DynamoBackup.")
    @Required
    public String name;

    public BackupRef() {}

    public BackupRef(String name) {
      this.name = name;
    }
  }

  public enum BillingMode { PROVISIONED, PAY_PER_REQUEST }

  /** DynamoDB's SSESpecification. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SseSpecification {
    @JsonPropertyDescription("true: encryption with an AWS KMS key (sseType KMS); false: an AWS owned key.")
    public Boolean enabled;
    @JsonPropertyDescription("KMS (the only type DynamoDB accepts).")
    public String sseType;
    @JsonPropertyDescription("ID, ARN or alias of the KMS key; default the AWS managed key aws/dynamodb.")
    public String kmsMasterKeyId;
  }
}
