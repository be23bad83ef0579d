package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.api.BackupState;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.reconcile.Failures;
import io.dynamobackup.operator.reconcile.Reasons;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import io.dynamobackup.operator.reconcile.SpecRules;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Before anything is requested: may this namespace make the target table, what is the source (a backup by
 * reference or ARN, or a table at a point in time), may it use that source, is the source ready, and is the target
 * name free? Each "no" is a specific reason, found without the restore call, which {@link RestoreRequester} makes.
 */
final class RestoreStarter {

  private final ReconcileSettings settings;
  private final Failures failures;
  private final RestoreConnector connect;
  private final PointInTimeSources pointInTimeSources;
  private final RestoreRequester requester;

  RestoreStarter(ReconcileSettings settings, Failures failures, RestoreConnector connect,
      PointInTimeSources pointInTimeSources, RestoreRequester requester) {
    this.settings = settings;
    this.failures = failures;
    this.connect = connect;
    this.pointInTimeSources = pointInTimeSources;
    this.requester = requester;
  }

  UpdateControl<DynamoRestore> start(RestoreStep step) {
    var spec = step.spec();
    Connection target = connect.connect(step, RestoreAccess.toRestoreInto(spec.targetTableName), spec.region);
    if (!(target instanceof Connection.Connected)) {
      return DynamoRestoreReconciler.notConnected(step, target, settings);
    }
    if (spec.pointInTime != null) {
      return startFromPointInTime(step);
    }
    String source = spec.backupArn;
    if (spec.backupRef != null) {
      var backup = step.effects().client().resources(DynamoBackup.class).inNamespace(step.namespace())
          .withName(spec.backupRef.name).get();
      String ref = "DynamoBackup '" + spec.backupRef.name + "'";
      if (backup == null) {
        return backupNotFound(step, "no " + ref + " in namespace " + step.namespace());
      }
      var status = backup.getStatus();
      if (backup.isMarkedForDeletion() || status != null && BackupState.DELETED.is(status.backupStatus)) {
        return backupNotFound(step, ref + " is deleted or being deleted");
      }
      if (status == null || status.backupArn == null || !BackupState.AVAILABLE.is(status.backupStatus)) {
        return waitForBackup(step, ref + " is " + (status == null || status.backupStatus == null ? "not created yet"
            : status.backupStatus));
      }
      source = status.backupArn;
      Optional<SpecRules.Problem> otherRegion = RestoreRules.sourceRegionProblem(spec, source);
      if (otherRegion.isPresent()) {
        step.notReady(otherRegion.get().reason(), otherRegion.get().message());
        step.recordWithWarning(otherRegion.get().reason(), otherRegion.get().message());
        return UpdateControl.noUpdate(); // the backup's region never changes; only a new spec helps
      }
    }
    String region = RestoreRules.region(spec, source);
    Connection reached = connect.connect(step, RestoreAccess.toReach(spec, source), region);
    if (!(reached instanceof Connection.Connected aws)) {
      return DynamoRestoreReconciler.notConnected(step, reached, settings);
    }
    try {
      var described = aws.client().describe(region, source);
      if (!BackupState.AVAILABLE.is(described.backupDetails.backupStatus)) {
        return waitForBackup(step, "backup " + source + " is " + described.backupDetails.backupStatus);
      }
    } catch (AwsFailure failure) {
      if (failure.kind() == AwsFailure.Kind.GONE) {
        return backupNotFound(step, "backup " + source + " does not exist");
      }
      return retry(failures.handle(step, Failures.Path.RECONCILE, "DescribeBackup", failure));
    }
    var backup = new RestoreSource.Backup(source);
    return targetTaken(step, aws).orElseGet(() -> requester.request(step, aws, backup));
  }

  /** Before a point-in-time restore is requested: the source table, its recovery window, and the target. */
  private UpdateControl<DynamoRestore> startFromPointInTime(RestoreStep step) {
    var resolution = pointInTimeSources.resolve(step, connect);
    if (resolution instanceof PointInTimeSources.NotConnected refused) {
      return DynamoRestoreReconciler.notConnected(step, refused.connection(), settings);
    }
    if (resolution instanceof PointInTimeSources.Refused refused) {
      step.notReady(refused.reason(), refused.message());
      step.recordWithWarning(refused.reason(), refused.message());
      return retry(settings.terminalRetry());
    }
    if (resolution instanceof PointInTimeSources.CallFailed failed) {
      return retry(failures.handle(step, Failures.Path.RECONCILE, failed.call(), failed.failure()));
    }
    var resolved = (PointInTimeSources.Resolved) resolution;
    return targetTaken(step, resolved.aws())
        .orElseGet(() -> requester.request(step, resolved.aws(), resolved.source()));
  }

  /** Found before anything is requested: a table of the target's name is never touched, whoever made it. */
  private Optional<UpdateControl<DynamoRestore>> targetTaken(RestoreStep step, Connection.Connected aws) {
    try {
      aws.client().describeTable(aws.region(), step.target());
      return Optional.of(DynamoRestoreReconciler.tableAlreadyExists(step, "table '" + step.target() + "' already"
          + " exists; a restore makes a new table. Choose another spec.targetTableName, or delete that table",
          settings));
    } catch (AwsFailure failure) {
      if (failure.kind() != AwsFailure.Kind.GONE) {
        return Optional.of(retry(failures.handle(step, Failures.Path.RECONCILE, "DescribeTable", failure)));
      }
    }
    return Optional.empty();
  }

  private UpdateControl<DynamoRestore> waitForBackup(RestoreStep step, String why) {
    step.notReady(Reasons.BACKUP_NOT_AVAILABLE, why + "; the restore starts once the backup is AVAILABLE");
    step.record();
    var created = step.resource().getMetadata().getCreationTimestamp();
    Duration age = created == null ? Duration.ZERO : Duration.between(Instant.parse(created), step.now());
    return retry(settings.creatingPoll(age));
  }

  private UpdateControl<DynamoRestore> backupNotFound(RestoreStep step, String message) {
    step.notReady(Reasons.BACKUP_NOT_FOUND, message);
    step.recordWithWarning(Reasons.BACKUP_NOT_FOUND, message);
    return retry(settings.terminalRetry());
  }

  static UpdateControl<DynamoRestore> retry(Duration delay) {
    return UpdateControl.<DynamoRestore>noUpdate().rescheduleAfter(delay);
  }
}
