package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.aws.TableArn;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.aws.ContinuousBackups;
import io.dynamobackup.operator.aws.TableState;
import io.dynamobackup.operator.aws.TableStore;
import java.time.Instant;
import java.util.Optional;

/**
 * Before a point-in-time restore is requested: may this namespace use the source table, does it exist in the
 * account the policies give for it, is point-in-time recovery on, and is the requested time in its window? Each
 * "no" is a specific reason, found without calling RestoreTableToPointInTime.
 */
final class PointInTimeSources {

  static final String TABLE_NOT_FOUND = "TableNotFound";
  static final String RECOVERY_UNAVAILABLE = "PointInTimeRecoveryUnavailable";
  static final String INVALID_RESTORE_TIME = "InvalidRestoreTime";

  /** What the look at the source came to. */
  sealed interface Resolution {}

  /** The source, with its ARN as DynamoDB reports it, and the client of its account. */
  record Resolved(RestoreSource.PointInTime source, Connection.Connected aws) implements Resolution {}

  /** The policies refuse the source table, or no route reaches its account. */
  record NotConnected(Connection connection) implements Resolution {}

  /** A reason of our own or DynamoDB's: nothing to restore from until someone changes something. */
  record Refused(String reason, String message) implements Resolution {}

  record CallFailed(String call, AwsFailure failure) implements Resolution {}

  Resolution resolve(RestoreStep step, RestoreConnector connector) {
    DynamoRestoreSpec spec = step.spec();
    var pointInTime = spec.pointInTime;
    Optional<TableArn> arn = TableArn.parse(pointInTime.sourceTableArn);
    String name = arn.map(TableArn::table).orElse(pointInTime.sourceTableName);
    String region = RestoreRules.region(spec, pointInTime.sourceTableArn);
    Connection connection = connector.connect(step, arn.isPresent()
        ? RestoreAccess.toReach(spec, pointInTime.sourceTableArn) : RestoreAccess.toReachTable(name, region), region);
    if (!(connection instanceof Connection.Connected aws)) {
      return new NotConnected(connection);
    }
    TableStore tables = aws.client();
    String where = "source table '" + name + "'" + (region != null ? " in region " + region : "");
    TableState table;
    try {
      table = tables.describeTable(region, name);
    } catch (AwsFailure failure) {
      return failure.kind() == AwsFailure.Kind.GONE ? new Refused(TABLE_NOT_FOUND, where + " does not exist")
          : new CallFailed("DescribeTable", failure);
    }
    if (arn.isPresent() && !pointInTime.sourceTableArn.equals(table.tableArn())) {
      return new Refused(TABLE_NOT_FOUND, "table " + pointInTime.sourceTableArn + " is not reachable: the"
          + " credentials for its account find " + table.tableArn() + " under that name");
    }
    ContinuousBackups recovery;
    try {
      recovery = tables.describeContinuousBackups(region, name);
    } catch (AwsFailure failure) {
      return "TableNotFoundException".equals(failure.code()) ? new Refused(TABLE_NOT_FOUND, where + " does not"
          + " exist") : new CallFailed("DescribeContinuousBackups", failure);
    }
    if (!recovery.enabled()) {
      return new Refused(RECOVERY_UNAVAILABLE, "point-in-time recovery is " + recovery.pointInTimeRecoveryStatus()
          + " on " + where + ": enable it there (UpdateContinuousBackups, or the console's Backups tab); the"
          + " restore goes on once it is, from times after it was enabled");
    }
    Optional<Instant> point = RestoreRules.requestedPoint(spec);
    Instant earliest = recovery.earliestRestorableDateTime();
    Instant latest = recovery.latestRestorableDateTime();
    if (point.isPresent() && earliest != null && latest != null
        && (point.get().isBefore(earliest) || point.get().isAfter(latest))) {
      return new Refused(INVALID_RESTORE_TIME, "restoreDateTime " + point.get() + " is outside the restorable"
          + " window of " + where + ": " + earliest + " to " + latest + " (DescribeContinuousBackups)"
          + (point.get().isAfter(latest) ? "; a later time becomes restorable as the window moves on" : ""));
    }
    return new Resolved(new RestoreSource.PointInTime(table.tableArn(), point), aws);
  }
}
