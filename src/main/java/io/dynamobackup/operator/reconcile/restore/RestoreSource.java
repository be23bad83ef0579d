package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.api.DynamoRestoreStatus;
import io.dynamobackup.operator.aws.PointInTimeRequest;
import io.dynamobackup.operator.aws.RestoreRequest;
import io.dynamobackup.operator.aws.TableState;
import io.dynamobackup.operator.aws.TableStore;
import java.time.Instant;
import java.util.Optional;

/**
 * What a DynamoRestore restores from, once known: a backup (RestoreTableFromBackup) or a table at a point in time
 * (RestoreTableToPointInTime). Both follow one exactly-once protocol; this says, for each, what is recorded before
 * the call, which call it is, and which table found later is the one that call made.
 */
sealed interface RestoreSource {

  /** The source's ARN, which the status records and the policies judge. */
  String arn();

  /** The restore call's name, for conditions, events and logs. */
  String call();

  /** Records the source in status, before the call (the intent). */
  void record(DynamoRestoreStatus status);

  TableState restore(TableStore tables, String region, DynamoRestoreSpec spec);

  /** Whether {@code table}, found under the target name, was made by this object's call requested at {@code intent}. */
  boolean madeBy(TableState table, Instant notBefore);

  /** The source recorded in status, if any; the point in time comes from the (immutable) spec. */
  static Optional<RestoreSource> recorded(DynamoRestoreSpec spec, DynamoRestoreStatus status) {
    if (status.sourceBackupArn != null) {
      return Optional.of(new Backup(status.sourceBackupArn));
    }
    if (status.sourceTableArn != null) {
      return Optional.of(new PointInTime(status.sourceTableArn, RestoreRules.requestedPoint(spec)));
    }
    return Optional.empty();
  }

  record Backup(String arn) implements RestoreSource {
    @Override
    public String call() {
      return "RestoreTableFromBackup";
    }

    @Override
    public void record(DynamoRestoreStatus status) {
      status.sourceBackupArn = arn;
    }

    @Override
    public TableState restore(TableStore tables, String region, DynamoRestoreSpec spec) {
      return tables.restore(region, RestoreRequest.of(arn, spec));
    }

    @Override
    public boolean madeBy(TableState table, Instant notBefore) {
      return RestoreRules.madeByEarlierAttempt(table, arn, notBefore);
    }

    @Override
    public String toString() {
      return "backup " + arn;
    }
  }

  /** @param point the requested point in time; empty: the latest restorable time */
  record PointInTime(String arn, Optional<Instant> point) implements RestoreSource {
    @Override
    public String call() {
      return "RestoreTableToPointInTime";
    }

    @Override
    public void record(DynamoRestoreStatus status) {
      status.sourceTableArn = arn;
    }

    @Override
    public TableState restore(TableStore tables, String region, DynamoRestoreSpec spec) {
      return tables.restoreToPointInTime(region, PointInTimeRequest.of(RestoreRules.tableName(arn),
          point.orElse(null), spec));
    }

    @Override
    public boolean madeBy(TableState table, Instant notBefore) {
      return RestoreRules.madeByEarlierPointInTimeAttempt(table, arn, point, notBefore);
    }

    @Override
    public String toString() {
      return "table " + arn + " at " + point.map(Instant::toString).orElse("its latest restorable time");
    }
  }
}
