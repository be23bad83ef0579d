package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What the user asks for. The identity fields are immutable: they name one backup for the object's life. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.tableName) || has(self.backupArn)",
    message = "spec.tableName is required unless spec.backupArn is set")
@ValidationRule(
    value = "!has(self.retention) || !(has(self.retention.expireAfter) && has(self.retention.expiresAt))",
    message = "spec.retention takes expireAfter or expiresAt, not both")
@ValidationRule(
    value = "has(self.tableName) == has(oldSelf.tableName) && has(self.backupName) == has(oldSelf.backupName)"
        + " && has(self.backupArn) == has(oldSelf.backupArn) && has(self.region) == has(oldSelf.region)",
    message = "tableName, backupName, backupArn and region cannot be added or removed after creation")
public class DynamoBackupSpec extends LenientlyRead {

  @JsonPropertyDescription("Name of the source DynamoDB table. Required unless backupArn is set. Immutable.")
  @Size(min = 3, max = 255)
  @Pattern("^[a-zA-Z0-9_.-]+$")
  @ValidationRule(value = "self == oldSelf", message = "tableName is immutable")
  public String tableName;

  @JsonPropertyDescription("Name of the DynamoDB backup (3-255 characters of [a-zA-Z0-9_.-]); defaults to"
      + " NAMESPACE_NAME_UID8, which names this object alone. Immutable.")
  @Size(min = 3, max = 255)
  @Pattern("^[a-zA-Z0-9_.-]+$")
  @ValidationRule(value = "self == oldSelf", message = "backupName is immutable")
  public String backupName;

  @JsonPropertyDescription("ARN of an existing backup to adopt instead of creating one. Immutable.")
  @Size(max = 1024)
  @ValidationRule(value = "self == oldSelf", message = "backupArn is immutable")
  public String backupArn;

  @JsonPropertyDescription("AWS region of the table; defaults to the operator's region (AWS_REGION). Immutable.")
  @Size(max = 32)
  @ValidationRule(value = "self == oldSelf", message = "region is immutable")
  public String region;

  @JsonPropertyDescription("Delete (default): deleting the object deletes the backup in AWS. Retain: the backup"
      + " stays in AWS.")
  public DeletionPolicy deletionPolicy;

  @JsonPropertyDescription("When the operator deletes the backup in AWS by itself; the object stays, with"
      + " backupStatus DELETED and condition Expired. Only for backups it deletes anyway: deletionPolicy Delete.")
  public Retention retention;

  @JsonPropertyDescription("While true, deleting the object (or its expiry, or a schedule's pruning) leaves the"
      + " object and the backup in place, with condition DeletionBlocked. Set it to false to let deletion proceed.")
  public Boolean deletionProtection;

  public DynamoBackupSpec() {
    super("spec");
  }

  public DynamoBackupSpec(String tableName) {
    this();
    this.tableName = tableName;
  }
}
