package io.dynamobackup.operator.reconcile.backup;

import io.dynamobackup.operator.api.BackupIdentity;
import io.dynamobackup.operator.api.BackupIdentity.Origin;
import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.dynamobackup.operator.aws.BackupArn;
import io.dynamobackup.operator.policy.AccessPolicy;
import io.dynamobackup.operator.reconcile.SpecRules;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which backup an object stands for, decided purely: the identity the spec describes now, the one recorded when the
 * backup was asked for, whether they still agree, and what the object asks of the policies for it.
 */
final class BackupIdentities {

  private BackupIdentities() {}

  /**
   * The identity the spec and metadata describe now: for a new backup, what CreateBackup would be called with (its
   * account is the route's, not the spec's); for spec.backupArn, that backup's table, region and account.
   */
  static BackupIdentity expected(DynamoBackup backup, String defaultRegion) {
    DynamoBackupSpec spec = backup.getSpec();
    Optional<BackupArn> adopted = BackupArn.parse(spec.backupArn);
    if (adopted.isPresent()) {
      return new BackupIdentity(Origin.Adopted, null, adopted.get().table(), adopted.get().region(),
          adopted.get().account());
    }
    return new BackupIdentity(Origin.Created, SpecRules.backupName(backup), spec.tableName,
        spec.region != null ? spec.region : defaultRegion, null);
  }

  /**
   * The identity the object stands for: the recorded one; for objects recorded before identities were (an ARN but
   * no identity), the spec's with the ARN's region and account; empty when nothing was asked of AWS yet.
   */
  static Optional<BackupIdentity> recorded(DynamoBackup backup, String defaultRegion) {
    DynamoBackupStatus status = backup.getStatus();
    if (status == null) {
      return Optional.empty();
    }
    if (status.identity != null) {
      return Optional.of(status.identity);
    }
    return BackupArn.parse(status.backupArn).map(arn -> {
      BackupIdentity legacy = expected(backup, defaultRegion);
      String described = status.backupDescription == null || status.backupDescription.backupDetails == null ? null
          : status.backupDescription.backupDetails.backupName;
      return new BackupIdentity(legacy.origin, described != null ? described : legacy.backupName, arn.table(),
          arn.region(), arn.account());
    });
  }

  /** The deletionPolicy in effect: the spec's; else Retain for an adopted backup (pointing is not owning). */
  static DeletionPolicy effectivePolicy(DynamoBackup backup, Optional<BackupIdentity> recorded) {
    DynamoBackupSpec spec = backup.getSpec();
    if (spec.deletionPolicy != null) {
      return spec.deletionPolicy;
    }
    boolean adopted = recorded.map(identity -> identity.origin == Origin.Adopted).orElse(spec.backupArn != null);
    return adopted ? DeletionPolicy.Retain : DeletionPolicy.Delete;
  }

  /**
   * Why the spec no longer names the recorded backup, if it does not: a changed, added or removed identity field
   * (the CRD's rules refuse these; an older CRD, or a server without them, does not).
   */
  static Optional<String> change(DynamoBackup backup, String defaultRegion) {
    DynamoBackupStatus status = backup.getStatus();
    Optional<BackupIdentity> recorded = recorded(backup, defaultRegion);
    if (recorded.isEmpty()) {
      return Optional.empty();
    }
    BackupIdentity was = recorded.get();
    DynamoBackupSpec spec = backup.getSpec();
    BackupIdentity now = expected(backup, defaultRegion);
    if (was.origin == Origin.Adopted) {
      if (spec.backupArn == null) {
        return changed("spec.backupArn was removed after backup " + status.backupArn + " was adopted");
      }
      if (status.backupArn != null && !spec.backupArn.equals(status.backupArn)) {
        return changed("spec.backupArn changed from '" + status.backupArn + "' to '" + spec.backupArn + "'");
      }
      return Optional.empty();
    }
    if (spec.backupArn != null) {
      return changed("spec.backupArn was added after the backup was " + (status.backupArn != null
          ? "created (" + status.backupArn + ")" : "requested"));
    }
    if (!Objects.equals(was.tableName, now.tableName)) {
      return changed(field("tableName", was.tableName, now.tableName));
    }
    if (!Objects.equals(was.region, now.region)) {
      return changed(spec.region == null ? "spec.region was removed; the backup is in '" + was.region + "'"
          : field("region", was.region, now.region));
    }
    if (!Objects.equals(was.backupName, now.backupName)) {
      return changed(spec.backupName == null ? "spec.backupName was removed; the backup is named '"
          + was.backupName + "'" : field("backupName", was.backupName, now.backupName));
    }
    return Optional.empty();
  }

  /** What the object asks of its namespace's grants to observe its backup (or make it). */
  static Function<AccessPolicy.Grants, AccessPolicy.Decision> toObserve(DynamoBackup backup, String defaultRegion) {
    Optional<BackupIdentity> target = target(backup, defaultRegion);
    if (target.isEmpty()) {
      BackupIdentity created = expected(backup, defaultRegion);
      return grants -> grants.backUp(created.tableName, backup.getSpec().region);
    }
    BackupIdentity it = target.get();
    return it.origin == Origin.Adopted ? grants -> grants.adopt(it.tableName, it.region, it.account)
        : grants -> grants.use(it.tableName, it.region, it.account);
  }

  /** What the object asks to delete its backup: for an adopted one, adoption must be allowed as well. */
  static Function<AccessPolicy.Grants, AccessPolicy.Decision> toDelete(DynamoBackup backup, String defaultRegion) {
    BackupIdentity it = target(backup, defaultRegion).orElseGet(() -> expected(backup, defaultRegion));
    if (it.origin == Origin.Adopted) {
      return grants -> {
        AccessPolicy.Decision adopt = grants.adopt(it.tableName, it.region, it.account);
        return adopt.permitted() ? grants.delete(it.tableName, it.region, it.account) : adopt;
      };
    }
    return grants -> grants.delete(it.tableName, it.region, it.account);
  }

  /** The region calls about the object's backup go to (null: the operator's default). */
  static String region(DynamoBackup backup, String defaultRegion) {
    return target(backup, defaultRegion).map(it -> it.region).orElse(backup.getSpec().region);
  }

  /** The backup calls are about: the recorded one, else the one spec.backupArn adopts; empty for a new one. */
  private static Optional<BackupIdentity> target(DynamoBackup backup, String defaultRegion) {
    return recorded(backup, defaultRegion).or(() -> BackupArn.parse(backup.getSpec().backupArn)
        .map(arn -> expected(backup, defaultRegion)));
  }

  private static String field(String name, String was, String now) {
    return "spec." + name + " changed from '" + was + "' to '" + now + "'";
  }

  private static Optional<String> changed(String what) {
    return Optional.of(what + " after the backup was recorded; it is immutable.");
  }
}
