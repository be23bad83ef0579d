package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.aws.TableArn;
import io.dynamobackup.operator.aws.BackupArn;
import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.api.DynamoRestoreStatus;
import io.dynamobackup.operator.aws.TableState;
import io.dynamobackup.operator.reconcile.SpecRules;
import io.dynamobackup.operator.reconcile.SpecRules.Problem;
import java.time.Duration;
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
  public static final String SOURCE_TABLE_IN_OTHER_REGION = "SourceTableInOtherRegion";
  /** The precision to which a point-in-time restore's RestoreDateTime names the time that was asked for. */
  static final Duration POINT_IN_TIME_PRECISION = Duration.ofSeconds(1);

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
    boolean byTime = spec.pointInTime != null;
    if ((byRef ? 1 : 0) + (byArn ? 1 : 0) + (byTime ? 1 : 0) != 1) {
      return invalid("set exactly one of spec.backupRef.name, spec.backupArn and spec.pointInTime");
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
    Optional<Problem> problem = byTime ? pointInTimeProblem(spec) : Optional.empty();
    if (problem.isEmpty()) {
      problem = TableSettingsPlan.check(spec.tableSettings);
    }
    return problem.isPresent() ? problem : identityChange(spec, restore.getStatus());
  }

  private static Optional<Problem> pointInTimeProblem(DynamoRestoreSpec spec) {
    var source = spec.pointInTime;
    boolean byName = source.sourceTableName != null;
    if (byName == (source.sourceTableArn != null)) {
      return invalid("set exactly one of spec.pointInTime.sourceTableName and spec.pointInTime.sourceTableArn");
    }
    if (byName && !NAME.matcher(source.sourceTableName).matches()) {
      return invalid("spec.pointInTime.sourceTableName '" + source.sourceTableName + "' must be 3-255 characters"
          + " of [a-zA-Z0-9_.-]");
    }
    if (!byName && TableArn.parse(source.sourceTableArn).isEmpty()) {
      return invalid("spec.pointInTime.sourceTableArn '" + source.sourceTableArn + "' is not a DynamoDB table ARN"
          + " (arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE)");
    }
    boolean latest = Boolean.TRUE.equals(source.useLatestRestorableTime);
    if (latest == (source.restoreDateTime != null)) {
      return invalid("set exactly one of spec.pointInTime.restoreDateTime and"
          + " spec.pointInTime.useLatestRestorableTime: true");
    }
    if (!latest && parseTime(source.restoreDateTime).isEmpty()) {
      return invalid("spec.pointInTime.restoreDateTime '" + source.restoreDateTime + "' is not an RFC 3339 time"
          + " (like 2026-11-25T03:00:00Z)");
    }
    String tableRegion = TableArn.parse(source.sourceTableArn).map(TableArn::region).orElse(null);
    if (spec.region != null && tableRegion != null && !spec.region.equals(tableRegion)) {
      return Optional.of(new Problem(SOURCE_TABLE_IN_OTHER_REGION, "table " + source.sourceTableArn + " is in"
          + " region '" + tableRegion + "', not in spec.region '" + spec.region + "': DynamoDB restores a table to"
          + " a point in time only in its own region"));
    }
    return Optional.empty();
  }

  /** The point in time a spec asks for; empty for the latest restorable time (or a spec without pointInTime). */
  public static Optional<Instant> requestedPoint(DynamoRestoreSpec spec) {
    return spec.pointInTime == null ? Optional.empty() : parseTime(spec.pointInTime.restoreDateTime);
  }

  /** What this object restores from, once recorded: the source backup's ARN, or the source table's. */
  public static String recordedSource(DynamoRestoreStatus status) {
    return status.sourceBackupArn != null ? status.sourceBackupArn : status.sourceTableArn;
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

  /**
   * The region to call: the source's (a backup ARN, or a table ARN), once known; else spec.region (may be null: the
   * default).
   */
  public static String region(DynamoRestoreSpec spec, String sourceArn) {
    return BackupArn.parse(sourceArn).map(BackupArn::region)
        .or(() -> TableArn.parse(sourceArn).map(TableArn::region))
        .orElse(spec == null ? null : spec.region);
  }

  /** A restored table holds live data: it is deleted with the object only when the user says Delete. */
  public static DeletionPolicy deletionPolicy(DynamoRestoreSpec spec) {
    return spec != null && spec.deletionPolicy != null ? spec.deletionPolicy : DeletionPolicy.Retain;
  }

  /**
   * Whether a table found under the target name is the one an earlier RestoreTableFromBackup of this object made:
   * restored from the same backup, and made no earlier than the recorded request (less the clock skew allowance).
   * "Made" is the table's CreationDateTime: AWS documents RestoreDateTime as the source backup's time, not the
   * request's; only a table without a creation time (some emulators) falls back to RestoreDateTime.
   */
  public static boolean madeByEarlierAttempt(TableState table, String sourceBackupArn, Instant notBefore) {
    var summary = table.restoreSummary();
    if (summary == null || !Objects.equals(summary.sourceBackupArn, sourceBackupArn)) {
      return false;
    }
    Optional<Instant> made = table.creationDateTime() != null ? Optional.of(table.creationDateTime())
        : parseTime(summary.restoreDateTime);
    return made.map(t -> !t.isBefore(notBefore)).orElse(false);
  }

  /**
   * Whether a table found under the target name is the one an earlier RestoreTableToPointInTime of this object made.
   * DynamoDB's RestoreSummary names the source table and no backup, and its RestoreDateTime is the point in time
   * restored, not the time of the request (documented: "point in time or source backup time"), so "since the
   * request" is judged by the table's CreationDateTime; a requested point in time must match RestoreDateTime too.
   * A table without a creation time is not taken as ours.
   */
  public static boolean madeByEarlierPointInTimeAttempt(TableState table, String sourceTableArn,
      Optional<Instant> requestedPoint, Instant notBefore) {
    var summary = table.restoreSummary();
    if (summary == null || summary.sourceBackupArn != null || !Objects.equals(summary.sourceTableArn, sourceTableArn)
        || table.creationDateTime() == null || table.creationDateTime().isBefore(notBefore)) {
      return false;
    }
    return requestedPoint.map(point -> parseTime(summary.restoreDateTime)
        .map(restored -> Duration.between(point, restored).abs().compareTo(POINT_IN_TIME_PRECISION) <= 0)
        .orElse(false)).orElse(true);
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
    if (status.sourceBackupArn != null && spec.pointInTime != null) {
      return changed("the source", "backup " + status.sourceBackupArn, "spec.pointInTime");
    }
    if (status.sourceTableArn != null && spec.pointInTime == null) {
      return changed("the source", "table " + status.sourceTableArn + " at a point in time", "a backup");
    }
    var source = spec.pointInTime;
    var recorded = TableArn.parse(status.sourceTableArn);
    if (source != null && recorded.isPresent()) {
      if (source.sourceTableArn != null && !source.sourceTableArn.equals(status.sourceTableArn)) {
        return changed("spec.pointInTime.sourceTableArn", status.sourceTableArn, source.sourceTableArn);
      }
      if (source.sourceTableName != null && !source.sourceTableName.equals(recorded.get().table())) {
        return changed("spec.pointInTime.sourceTableName", recorded.get().table(), source.sourceTableName);
      }
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

  static Optional<Instant> parseTime(String time) {
    try {
      return time == null ? Optional.empty() : Optional.of(OffsetDateTime.parse(time).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
