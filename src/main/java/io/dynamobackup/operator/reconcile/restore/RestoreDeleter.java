package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.aws.TableState;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.CreateIntent;
import io.dynamobackup.operator.reconcile.Failures;
import io.dynamobackup.operator.reconcile.Reasons;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The finalizer of a DynamoRestore. A restored table holds live data: DeleteTable runs only under deletionPolicy
 * Delete, through the source's account, for the very table this object restored (its TableId), never one another
 * DynamoRestore records, and only once its restore has finished. In this order:
 * <ol>
 *   <li>Retain (the default): let go, the table stays;
 *   <li>a spec that cannot be read: wait, never fall back to a default;
 *   <li>nothing was ever requested: let go;
 *   <li>the policies refuse the source's account: let go, the table stays; no route to it: wait;
 *   <li>an intent without a table ARN: the target, if an earlier call of ours made it, is recorded first;
 *   <li>the table gone: let go; made again under that name: let go, it is not ours; recorded by another live
 *       restore: wait; still restoring: wait.
 * </ol>
 */
final class RestoreDeleter {

  private static final Logger log = LoggerFactory.getLogger(RestoreDeleter.class);

  private final ReconcileSettings settings;
  private final Failures failures;
  private final RestoreConnector connect;
  private final RestoreRequester requester;
  /** The other restores aiming at this one's target name: all of them, or only those not being deleted. */
  private final BiFunction<RestoreStep, Boolean, List<TableOwnership.OtherRestore>> others;

  RestoreDeleter(ReconcileSettings settings, Failures failures, RestoreConnector connect,
      RestoreRequester requester, BiFunction<RestoreStep, Boolean, List<TableOwnership.OtherRestore>> others) {
    this.settings = settings;
    this.failures = failures;
    this.connect = connect;
    this.requester = requester;
    this.others = others;
  }

  DeleteControl cleanup(RestoreStep step) {
    var status = step.status();
    String what = status.tableArn != null ? "table " + status.tableArn : "the restored table, if any,";
    if (RestoreRules.deletionPolicy(step.spec()) == DeletionPolicy.Retain && step.spec().typeErrors().isEmpty()) {
      log.info("{}: deletionPolicy Retain, {} left in AWS", step.id(), what);
      step.normal(Reasons.RETAINED, "deletionPolicy is Retain: " + what + " is left in AWS");
      return DeleteControl.defaultDelete();
    }
    String source = RestoreRules.recordedSource(status);
    if (source == null && status.tableArn == null) {
      step.normal(Reasons.NOTHING_TO_DELETE, "no table was restored for this object");
      return DeleteControl.defaultDelete();
    }
    if (!step.spec().typeErrors().isEmpty()) {
      return keep(step, Reasons.INVALID_SPEC, "the spec cannot be read (" + String.join("; ",
          step.spec().typeErrors()) + "), so whether " + what + " may be deleted is not known; it is kept until the"
          + " spec is fixed");
    }
    Connection connection = connect.connect(step, RestoreAccess.toReach(step.spec(), source), step.region());
    if (connection instanceof Connection.Refused refused) {
      // Nothing is deleted in an account the namespace may not reach: the object goes, the table stays.
      String message = what + " is kept in AWS: " + refused.message();
      log.info("{}: released without DeleteTable: {}", step.id(), message);
      step.warning(refused.reason(), message);
      return DeleteControl.defaultDelete();
    }
    if (connection instanceof Connection.Waiting waiting) {
      return keep(step, waiting.reason(), what + " is not deleted until its account can be reached: "
          + waiting.message());
    }
    var aws = (Connection.Connected) connection;
    try {
      if (status.tableArn == null) {
        Optional<DeleteControl> unrecorded = recordEarlierAttempt(step, aws);
        if (unrecorded.isPresent()) {
          return unrecorded.get();
        }
      }
      String name = RestoreRules.tableName(status.tableArn);
      TableState table = aws.client().describeTable(aws.region(), name);
      if (!RestoreRules.sameTable(status, table)) {
        String message = "table '" + name + "' is no longer the table this object restored; it is not deleted";
        step.warning(Reasons.TABLE_REPLACED, message);
        return DeleteControl.defaultDelete();
      }
      Optional<String> claimed = TableOwnership.recordedByAnother(table, others.apply(step, true));
      if (claimed.isPresent()) {
        return keep(step, Reasons.NOT_OWNED, "table " + status.tableArn + " is recorded by DynamoRestore "
            + claimed.get() + " too; it is not deleted while another restore records it. Set deletionPolicy:"
            + " Retain to let this object go without deleting anything");
      }
      status.tableStatus = table.tableStatus();
      status.restoreSummary = table.restoreSummary();
      if (table.restoring()) {
        step.set(Conditions.DELETING, true, Reasons.RESTORE_IN_PROGRESS, "waiting for the restore into table "
            + status.tableArn + " to finish (" + table.tableStatus() + ") before DeleteTable");
        step.record();
        Instant started = step.restoreStarted().orElse(step.now());
        return retry(settings.creatingPoll(Duration.between(started, step.now())));
      }
      aws.client().deleteTable(aws.region(), name);
      status.tableStatus = "DELETING";
      return step.release(Reasons.DELETED, "DeleteTable accepted: table " + status.tableArn + " is DELETING");
    } catch (AwsFailure failure) {
      if (failure.kind() == AwsFailure.Kind.GONE) {
        Optional<Duration> mayAppear = step.newTableMayNotBeListedYet(settings.inFlightBound(),
            settings.creatingPollMin());
        if (mayAppear.isPresent()) {
          return retry(mayAppear.get());
        }
        return step.release(Reasons.ALREADY_DELETED, "table " + status.tableArn + " was already gone");
      }
      String call = status.tableArn == null ? "DescribeTable (looking for an unrecorded restore)"
          : "DeleteTable of " + status.tableArn;
      return retry(failures.handle(step, Failures.Path.CLEANUP, call, failure));
    }
  }

  /**
   * An intent without a table ARN: the target, if an earlier call of this object made it, is recorded so that it is
   * deleted too; while a call may still be in flight the object waits. Empty: the table is recorded, go on.
   */
  private Optional<DeleteControl> recordEarlierAttempt(RestoreStep step, Connection.Connected aws) {
    var status = step.status();
    Optional<Instant> intent = step.intent();
    Optional<RestoreSource> source = RestoreSource.recorded(step.spec(), status);
    if (intent.isPresent() && source.isPresent()) {
      RestoreRequester.Target target = requester.target(step, aws, source.get(), intent.get());
      if (target.ours()) {
        status.tableArn = target.table().tableArn();
        status.tableId = target.table().tableId();
        status.restoreSummary = target.table().restoreSummary();
        return Optional.empty();
      }
      Optional<Duration> wait = CreateIntent.stillInFlight(intent.get(), step.now(), settings.inFlightBound());
      if (target.table() == null && wait.isPresent()) {
        // A restore call may still be in flight: releasing now could leave its table behind.
        step.set(Conditions.DELETING, true, Reasons.WAITING_FOR_RESTORE, "an earlier restore call got no recorded"
            + " answer; waiting " + wait.get().toSeconds() + "s for its table to show up before releasing");
        step.record();
        return Optional.of(retry(wait.get()));
      }
    }
    step.normal(Reasons.NOTHING_TO_DELETE, "no table was restored for this object");
    return Optional.of(DeleteControl.defaultDelete());
  }

  private DeleteControl keep(RestoreStep step, String reason, String message) {
    step.set(Conditions.DELETING, true, reason, message);
    step.recordWithWarning(reason, message);
    return reason.startsWith("Account") ? retry(settings.terminalRetry()) : DeleteControl.noFinalizerRemoval();
  }

  private static DeleteControl retry(Duration delay) {
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(delay);
  }
}
