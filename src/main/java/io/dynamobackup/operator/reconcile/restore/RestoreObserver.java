package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.aws.TableState;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.Failures;
import io.dynamobackup.operator.reconcile.Reasons;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the restored table: DescribeTable until it is ACTIVE, then the requested table settings
 * ({@link TableSettingsApplier}); Ready only when every one is in place. A table deleted, or made again, outside
 * Kubernetes is reported and never restored again or deleted.
 */
final class RestoreObserver {

  private static final Logger log = LoggerFactory.getLogger(RestoreObserver.class);

  private final ReconcileSettings settings;
  private final Failures failures;
  private final TableSettingsApplier tableSettings;

  RestoreObserver(ReconcileSettings settings, Failures failures, TableSettingsApplier tableSettings) {
    this.settings = settings;
    this.failures = failures;
    this.tableSettings = tableSettings;
  }

  UpdateControl<DynamoRestore> observe(RestoreStep step, Connection.Connected aws) {
    var status = step.status();
    String name = RestoreRules.tableName(status.tableArn);
    try {
      TableState table = aws.client().describeTable(aws.region(), name);
      if (!RestoreRules.sameTable(status, table)) {
        String message = "table '" + name + "' is no longer the table this object restored (it was deleted and"
            + " made again outside Kubernetes); it is not followed, and deletionPolicy Delete will not delete it";
        step.set(Conditions.RESTORING, false, Reasons.TABLE_REPLACED, message);
        step.notReady(Reasons.TABLE_REPLACED, message);
        step.recordWithWarning(Reasons.TABLE_REPLACED, message);
        return UpdateControl.noUpdate();
      }
      return mirror(step, aws, table);
    } catch (AwsFailure failure) {
      if (failure.kind() != AwsFailure.Kind.GONE) {
        return RestoreStarter.retry(failures.handle(step, Failures.Path.RECONCILE, "DescribeTable", failure));
      }
      Optional<Duration> mayAppear = step.newTableMayNotBeListedYet(settings.inFlightBound(),
          settings.creatingPollMin());
      if (mayAppear.isPresent()) {
        return RestoreStarter.retry(mayAppear.get());
      }
      // Deleted behind our back (asked in its own account). Restoring again would make another table: report it.
      String message = "table " + status.tableArn + " no longer exists in AWS (deleted outside Kubernetes);"
          + " it is not restored again";
      step.set(Conditions.RESTORING, false, Reasons.TABLE_MISSING, message);
      step.notReady(Reasons.TABLE_MISSING, message);
      step.recordWithWarning(Reasons.TABLE_MISSING, message);
      return UpdateControl.noUpdate();
    }
  }

  /** Records a table just described by AWS, applies the settings once it is ACTIVE, and decides when to look again. */
  UpdateControl<DynamoRestore> mirror(RestoreStep step, Connection.Connected aws, TableState table) {
    var status = step.status();
    boolean wasReady = step.isTrue(Conditions.READY);
    status.tableArn = table.tableArn();
    if (status.tableId == null) {
      status.tableId = table.tableId();
    }
    status.tableStatus = table.tableStatus();
    status.restoreSummary = table.restoreSummary();
    status.attempts(null);
    RestoreSource source = RestoreSource.recorded(step.spec(), status).orElseThrow();
    if (table.restoring()) {
      step.set(Conditions.RESTORING, true, Reasons.RESTORE_IN_PROGRESS, "table " + table.tableArn() + " is "
          + table.tableStatus() + ", restoring from " + source);
      step.notReady(Reasons.RESTORING, "table " + table.tableArn() + " is " + table.tableStatus() + " (restore in"
          + " progress)");
      step.record();
      Instant started = step.restoreStarted().orElse(step.now());
      return RestoreStarter.retry(settings.creatingPoll(Duration.between(started, step.now())));
    }
    String restored = "table " + table.tableArn() + " is " + table.tableStatus() + ", restored from " + source;
    step.set(Conditions.RESTORING, false, Reasons.RESTORED, restored);
    var outcome = tableSettings.apply(aws.client(), aws.region(), table, step.spec().tableSettings,
        status.tableSettings);
    status.tableSettings = outcome.status();
    if (!outcome.applied().isEmpty()) {
      step.normal(TableSettingsApplier.APPLYING, String.join("; ", outcome.applied()));
    }
    String message = status.tableSettings == null ? restored : restored + "; " + outcome.message();
    if (!outcome.inPlace()) {
      step.notReady(outcome.reason(), message);
      if (TableSettingsApplier.APPLYING.equals(outcome.reason())) {
        step.record();
      } else {
        log.info("{}: {}", step.id(), message);
        step.recordWithWarning(outcome.reason(), message);
      }
      return RestoreStarter.retry(outcome.retryAfter());
    }
    step.set(Conditions.READY, true, Reasons.RESTORED, message);
    step.record();
    if (!wasReady) {
      log.info("{}: {}", step.id(), message);
      step.normal(Reasons.RESTORED, message);
    }
    return RestoreStarter.retry(settings.resyncPeriod());
  }
}
