package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * Which backup to restore into which new table. The source, the target and the region name one restore for the
 * object's life and are immutable; the overrides are read once, when RestoreTableFromBackup is called.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.backupRef) != has(self.backupArn)",
    message = "set exactly one of spec.backupRef and spec.backupArn")
@ValidationRule(
    value = "has(self.backupRef) == has(oldSelf.backupRef) && has(self.backupArn) == has(oldSelf.backupArn)"
        + " && has(self.region) == has(oldSelf.region)",
    message = "backupRef, backupArn and region cannot be added or removed after creation")
public class DynamoRestoreSpec {

  @JsonPropertyDescription("The DynamoBackup in this namespace whose backup is restored. Immutable.")
  @ValidationRule(value = "self == oldSelf", message = "backupRef is immutable")
  public BackupRef backupRef;

  @JsonPropertyDescription("ARN of the backup to restore, instead of backupRef. Immutable.")
  @Size(max = 1024)
  @ValidationRule(value = "self == oldSelf", message = "backupArn is immutable")
  public String backupArn;

  @JsonPropertyDescription("Name of the new table (3-255 characters of [a-zA-Z0-9_.-]); it must not exist yet."
      + " Immutable.")
  @Required
  @Size(min = 3, max = 255)
  @Pattern("^[a-zA-Z0-9_.-]+$")
  @ValidationRule(value = "self == oldSelf", message = "targetTableName is immutable")
  public String targetTableName;

  @JsonPropertyDescription("AWS region; defaults to the backup's region. A restore stays in the backup's region:"
      + " another region is an error (BackupInOtherRegion). Immutable.")
  @Size(max = 32)
  @ValidationRule(value = "self == oldSelf", message = "region is immutable")
  public String region;

  @JsonPropertyDescription("Retain (default): deleting the object leaves the restored table in AWS. Delete:"
      + " deleting the object deletes the table, once the restore has finished.")
  public DeletionPolicy deletionPolicy;

  @JsonPropertyDescription("BillingModeOverride of RestoreTableFromBackup: PROVISIONED or PAY_PER_REQUEST.")
  public BillingMode billingModeOverride;

  @JsonPropertyDescription("ProvisionedThroughputOverride of RestoreTableFromBackup.")
  public BackupDescription.ProvisionedThroughput provisionedThroughputOverride;

  @JsonPropertyDescription("SSESpecificationOverride of RestoreTableFromBackup.")
  public SseSpecification sseSpecificationOverride;

  @JsonPropertyDescription("GlobalSecondaryIndexOverride of RestoreTableFromBackup: the restored table's global"
      + " secondary indexes, instead of the backup's.")
  public List<BackupDescription.GlobalSecondaryIndexInfo> globalSecondaryIndexOverride;

  @JsonPropertyDescription("LocalSecondaryIndexOverride of RestoreTableFromBackup: the restored table's local"
      + " secondary indexes, instead of the backup's.")
  public List<BackupDescription.LocalSecondaryIndexInfo> localSecondaryIndexOverride;

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
