package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.aws.TableState;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.CreateIntent;
import io.dynamobackup.operator.reconcile.Failures;
import io.dynamobackup.operator.reconcile.Reasons;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The restore call, exactly once: the intent and the source are recorded in status before the call (a write that
 * conflicts with another writer stops the reconcile before it), so a restart that finds them without a table ARN
 * looks at the target table before calling again. Only an answer that proves nothing happened clears the intent.
 */
final class RestoreRequester {

  private static final Logger log = LoggerFactory.getLogger(RestoreRequester.class);

  private final ReconcileSettings settings;
  private final Failures failures;
  private final RestoreObserver observer;
  private final Function<RestoreStep, List<TableOwnership.OtherRestore>> others;

  RestoreRequester(ReconcileSettings settings, Failures failures, RestoreObserver observer,
      Function<RestoreStep, List<TableOwnership.OtherRestore>> others) {
    this.settings = settings;
    this.failures = failures;
    this.observer = observer;
    this.others = others;
  }

  UpdateControl<DynamoRestore> request(RestoreStep step, Connection.Connected aws, RestoreSource source) {
    String target = step.target();
    source.record(step.status());
    step.restart(Conditions.RESTORING, true, Reasons.RESTORE_REQUESTED, source.call() + " of " + source
        + " into table '" + target + "' requested");
    step.notReady(Reasons.RESTORING, "restoring " + source + " into table '" + target + "'");
    step.record();
    try {
      TableState table = source.restore(aws.client(), aws.region(), step.spec());
      log.info("{}: restoring {} into table {} ({})", step.id(), source, table.tableArn(), table.tableStatus());
      step.normal(Reasons.RESTORING, source.call() + " accepted: table " + table.tableArn() + " from " + source);
      return observer.mirror(step, aws, table);
    } catch (AwsFailure failure) {
      if (failure.provesNothingHappened()) {
        // AWS refused it, or it was never sent: nothing was restored, the next attempt needs no look at the target
        step.set(Conditions.RESTORING, false, failure.reason(), source.call() + " failed: " + failure);
      }
      if ("TableAlreadyExistsException".equals(failure.code())) {
        return DynamoRestoreReconciler.tableAlreadyExists(step, source.call() + ": table '" + target
            + "' already exists", settings);
      }
      if (failure.kind() == AwsFailure.Kind.GONE || "SourceTableNotFoundException".equals(failure.code())) {
        String reason = failure.kind() == AwsFailure.Kind.GONE ? Reasons.BACKUP_NOT_FOUND
            : PointInTimeSources.TABLE_NOT_FOUND;
        String message = source.call() + ": " + source + " does not exist";
        step.notReady(reason, message);
        step.recordWithWarning(reason, message);
        return RestoreStarter.retry(settings.terminalRetry());
      }
      return RestoreStarter.retry(failures.handle(step, Failures.Path.RECONCILE, source.call(), failure));
    }
  }

  /**
   * An intent without a table ARN: an earlier call may have restored without its answer being recorded (a crash, a
   * lost or ambiguous answer). The target table tells: made from our source since our request, and no other
   * DynamoRestore's, it is ours; otherwise it is someone else's and left alone. Not there yet: give a call in
   * flight time to show up, then call again.
   */
  UpdateControl<DynamoRestore> resume(RestoreStep step, Connection.Connected aws, Instant intent) {
    RestoreSource source = RestoreSource.recorded(step.spec(), step.status()).orElseThrow();
    Target found;
    try {
      found = target(step, aws, source, intent);
    } catch (AwsFailure failure) {
      return RestoreStarter.retry(failures.handle(step, Failures.Path.RECONCILE, "DescribeTable", failure));
    }
    if (found.ours()) {
      log.info("{}: table {} was restored by an earlier attempt; recording it", step.id(), found.table().tableArn());
      step.normal(Reasons.ADOPTED_EARLIER_ATTEMPT, "table " + found.table().tableArn() + " was restored from "
          + source + " by an earlier attempt and is now recorded");
      return observer.mirror(step, aws, found.table());
    }
    if (found.table() != null) {
      String message = "table '" + step.target() + "' exists but was not restored from " + source + " by this"
          + " object; it is left alone";
      step.set(Conditions.RESTORING, false, Reasons.TABLE_ALREADY_EXISTS, message);
      return DynamoRestoreReconciler.tableAlreadyExists(step, message, settings);
    }
    Optional<Duration> wait = CreateIntent.stillInFlight(intent, step.now(), settings.inFlightBound());
    if (wait.isPresent()) {
      step.notReady(Reasons.RESTORING, "an earlier " + source.call() + " into '" + step.target() + "' got no"
          + " recorded answer; waiting " + wait.get().toSeconds() + "s for the table to show up before restoring"
          + " again");
      step.record();
      return RestoreStarter.retry(wait.get());
    }
    return request(step, aws, source);
  }

  /** What the target name holds: no table (null), or a table, which an earlier call of ours made or not. */
  record Target(TableState table, boolean ours) {}

  /**
   * The target table, and whether an earlier call of this object made it ({@link TableOwnership#madeByUs}). AWS
   * failures other than "not found" propagate.
   */
  Target target(RestoreStep step, Connection.Connected aws, RestoreSource source, Instant intent) {
    try {
      TableState table = aws.client().describeTable(aws.region(), step.target());
      return new Target(table, TableOwnership.madeByUs(table, source, intent, intent.minus(CreateIntent.CLOCK_SKEW),
          others.apply(step)));
    } catch (AwsFailure failure) {
      if (failure.kind() == AwsFailure.Kind.GONE) {
        return new Target(null, false);
      }
      throw failure;
    }
  }
}
