package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The backup an object stands for, as the operator recorded it when it asked AWS for it: before CreateBackup (with
 * the intent), or at adoption. Lookups and deletion follow it, not the spec as it is now, and a spec that no longer
 * names it is refused (ImmutableFieldChanged) instead of pointing the object elsewhere.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupIdentity {

  /** How the object came to stand for its backup. */
  public enum Origin {
    /** CreateBackup for this object. */
    Created,
    /** Named by spec.backupArn. */
    Adopted
  }

  @JsonPropertyDescription("Created (CreateBackup for this object) or Adopted (named by spec.backupArn).")
  public Origin origin;

  @JsonPropertyDescription("The backup's name: the one CreateBackup was called with.")
  public String backupName;

  @JsonPropertyDescription("The backup's source table.")
  public String tableName;

  @JsonPropertyDescription("The region the backup is in.")
  public String region;

  @JsonPropertyDescription("The AWS account the backup is in.")
  public String account;

  public BackupIdentity() {}

  public BackupIdentity(Origin origin, String backupName, String tableName, String region, String account) {
    this.origin = origin;
    this.backupName = backupName;
    this.tableName = tableName;
    this.region = region;
    this.account = account;
  }

  @Override
  public String toString() {
    return origin + " backup '" + backupName + "' of table '" + tableName + "' in " + region + ", account "
        + account;
  }
}
