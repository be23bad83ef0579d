package io.dynamobackup.operator.reconcile;

import io.dynamobackup.operator.aws.BackupArn;
import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.api.DynamoRestoreStatus;
import io.dynamobackup.operator.aws.TableState;
import io.dynamobackup.operator.reconcile.SpecRules.Problem;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a DynamoRestore's spec means and which table is its own: pure functions, checked before any AWS call. The
 * CRD's schema and CEL rules say the same to the API server; these checks hold where those do not run.
 */
public final class RestoreRules {

  public static final String BACKUP_IN_OTHER_REGION = "BackupInOtherRegion";

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{3,255}");
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");

  private RestoreRules() {}

  public static Optional<Problem> check(DynamoRestore restore) {
    DynamoRestoreSpec spec = restore.getSpec();
    if (spec == null) {
      return invalid("spec is required");
    }
    if (!spec.typeErrors().isEmpty()) {
      return invalid(String.join("; ", spec.typeErrors()));
    }
    boolean byRef = spec.backupRef != null && spec.backupRef.name != null && !spec.backupRef.name.isBlank();
    boolean byArn = spec.backupArn != null && !spec.backupArn.isBlank();
    if (byRef == byArn) {
      return invalid("set exactly one of spec.backupRef.name and spec.backupArn");
    }
    if (spec.targetTableName == null || !NAME.matcher(spec.targetTableName).matches()) {
      return invalid("spec.targetTableName '" + spec.targetTableName + "' must be 3-255 characters of"
          + " [a-zA-Z0-9_.-]");
    }
    if (spec.region != null && !REGION.matcher(spec.region).matches()) {
      return invalid("spec.region '" + spec.region + "' is not an AWS region name (like eu-west-1)");
    }
    if (byArn) {
      Optional<BackupArn> arn = BackupArn.parse(spec.backupArn);
      if (arn.isEmpty()) {
        return invalid("spec.backupArn '" + spec.backupArn + "' is not a DynamoDB backup ARN"
            + " (arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/backup/ID)");
      }
      Optional<Problem> region = sourceRegionProblem(spec, spec.backupArn);
      if (region.isPresent()) {
        return region;
      }
    }
    return identityChange(spec, restore.getStatus());
  }

  /** A restore stays in its backup's region: a spec.region that names another is an error, found before a call. */
  public static Optional<Problem> sourceRegionProblem(DynamoRestoreSpec spec, String sourceBackupArn) {
    String backupRegion = BackupArn.parse(sourceBackupArn).map(BackupArn::region).orElse(null);
    if (spec.region != null && backupRegion != null && !spec.region.equals(backupRegion)) {
      return Optional.of(new Problem(BACKUP_IN_OTHER_REGION, "backup " + sourceBackupArn + " is in region '"
          + backupRegion + "', not in spec.region '" + spec.region + "': DynamoDB restores a backup only in its"
          + " own region"));
    }
    return Optional.empty();
  }

  /** The region to call: the source backup's, once known; else spec.region (may be null: the default). */
  public static String region(DynamoRestoreSpec spec, String sourceBackupArn) {
    return BackupArn.parse(sourceBackupArn).map(BackupArn::region).orElse(spec == null ? null : spec.region);
  }

  /** A restored table holds live data: it is deleted with the object only when the user says Delete. */
  public static DeletionPolicy deletionPolicy(DynamoRestoreSpec spec) {
    return spec != null && spec.deletionPolicy != null ? spec.deletionPolicy : DeletionPolicy.Retain;
  }

  /**
   * Whether a table found under the target name is the one an earlier RestoreTableFromBackup of this object made:
   * restored from the same backup, no earlier than the recorded request (less the clock skew allowance).
   */
  public static boolean madeByEarlierAttempt(TableState table, String sourceBackupArn, Instant notBefore) {
    var summary = table.restoreSummary();
    if (summary == null || !Objects.equals(summary.sourceBackupArn, sourceBackupArn)) {
      return false;
    }
    return parseTime(summary.restoreDateTime).map(t -> !t.isBefore(notBefore)).orElse(true);
  }

  /**
   * Whether the table now under the recorded name is still the one this object restored, and not one created or
   * restored again after it was deleted: same TableId where both are known, and the same restore.
   */
  public static boolean sameTable(DynamoRestoreStatus recorded, TableState table) {
    if (recorded.tableId != null && table.tableId() != null && !recorded.tableId.equals(table.tableId())) {
      return false;
    }
    var mine = recorded.restoreSummary;
    var now = table.restoreSummary();
    if (mine == null || now == null) {
      return mine == null && now == null && recorded.tableId != null && table.tableId() != null;
    }
    return Objects.equals(mine.sourceBackupArn, now.sourceBackupArn)
        && Objects.equals(parseTime(mine.restoreDateTime), parseTime(now.restoreDateTime));
  }

  /** The table's name in its ARN, arn:aws:dynamodb:REGION:ACCOUNT:table/NAME. */
  public static String tableName(String tableArn) {
    return tableArn.substring(tableArn.lastIndexOf('/') + 1);
  }

  /** Identity is fixed once a restore is requested; a change would silently point the object at another table. */
  private static Optional<Problem> identityChange(DynamoRestoreSpec spec, DynamoRestoreStatus status) {
    if (status == null) {
      return Optional.empty();
    }
    if (status.tableArn != null && !spec.targetTableName.equals(tableName(status.tableArn))) {
      return changed("spec.targetTableName", tableName(status.tableArn), spec.targetTableName);
    }
    if (status.sourceBackupArn != null && spec.backupArn != null && !spec.backupArn.equals(status.sourceBackupArn)) {
      return changed("spec.backupArn", status.sourceBackupArn, spec.backupArn);
    }
    return Optional.empty();
  }

  private static Optional<Problem> changed(String field, String was, String now) {
    return Optional.of(new Problem(SpecRules.IMMUTABLE_FIELD_CHANGED, field + " changed from '" + was + "' to '"
        + now + "' after the restore was requested; it is immutable. Revert it, or create a new DynamoRestore."));
  }

  private static Optional<Problem> invalid(String message) {
    return Optional.of(new Problem(SpecRules.INVALID_SPEC, message));
  }

  private static Optional<Instant> parseTime(String time) {
    try {
      return time == null ? Optional.empty() : Optional.of(OffsetDateTime.parse(time).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
