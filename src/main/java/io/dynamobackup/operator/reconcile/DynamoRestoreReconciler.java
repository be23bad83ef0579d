package io.dynamobackup.operator.reconcile;

import io.dynamobackup.operator.policy.RestorePermission;
import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreStatus;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.aws.BackupStore;
import io.dynamobackup.operator.aws.TableState;
import io.dynamobackup.operator.aws.TableStore;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores a backup into a new table, exactly once, and follows the table until it is ACTIVE; on deletion, deletes
 * the table only under deletionPolicy Delete and only once its restore has finished. The same shapes as
 * {@link io.dynamobackup.operator.reconcile.backup.DynamoBackupReconciler}: intent recorded before the call, one status write per observation, decisions on
 * the {@link AwsFailure.Kind} alone.
 */
@ControllerConfiguration(name = DynamoRestoreReconciler.NAME, finalizerName = DynamoRestore.FINALIZER)
public class DynamoRestoreReconciler implements Reconciler<DynamoRestore>, Cleaner<DynamoRestore> {

  public static final String NAME = "dynamorestore";

  // Reasons of our own; failures use the AWS error code without its "Exception" suffix.
  static final String RESTORED = "Restored";
  static final String IN_PROGRESS = "Restoring";
  static final String RESTORE_REQUESTED = "RestoreRequested";
  static final String RESTORE_IN_PROGRESS = "RestoreInProgress";
  static final String BACKUP_NOT_AVAILABLE = "BackupNotAvailable";
  static final String BACKUP_NOT_FOUND = "BackupNotFound";
  static final String TABLE_ALREADY_EXISTS = "TableAlreadyExists";
  static final String TABLE_MISSING = "TableMissing";
  static final String TABLE_REPLACED = "TableReplaced";
  static final String WAITING_FOR_RESTORE = "WaitingForRestore";
  static final String DELETED = "Deleted";
  static final String ALREADY_DELETED = "AlreadyDeleted";
  static final String RECONCILE_ERROR = "ReconcileError";

  private static final Logger log = LoggerFactory.getLogger(DynamoRestoreReconciler.class);

  private final Function<String, ? extends BackupStore> backupsOf;
  private final Function<String, ? extends TableStore> tablesOf;
  private final RestorePermission permission;
  private final ReconcileSettings settings;
  private final EventRecorder events;
  private final Clock clock;
  private final PointInTimeSources pointInTimeSources;
  private final TableSettingsApplier tableSettings;

  /**
   * @param backupsOf the backup calls of each account, by the role assumed for it (null: the operator's own)
   * @param tablesOf the table calls of each account, likewise
   */
  public DynamoRestoreReconciler(Function<String, ? extends BackupStore> backupsOf,
      Function<String, ? extends TableStore> tablesOf, RestorePermission permission, ReconcileSettings settings,
      Clock clock) {
    this.backupsOf = backupsOf;
    this.tablesOf = tablesOf;
    this.permission = permission;
    this.settings = settings;
    this.clock = clock;
    this.events = new EventRecorder(clock);
    this.pointInTimeSources = new PointInTimeSources(permission, tablesOf);
    this.tableSettings = new TableSettingsApplier(settings, clock);
  }

  @Override
  public List<EventSource<?, DynamoRestore>> prepareEventSources(EventSourceContext<DynamoRestore> context) {
    return permission.eventSources(context);
  }

  @Override
  public UpdateControl<DynamoRestore> reconcile(DynamoRestore restore, Context<DynamoRestore> context) {
    var step = new Step(restore, context);
    Optional<SpecRules.Problem> problem = RestoreRules.check(restore);
    if (problem.isPresent()) {
      step.notReady(problem.get().reason(), problem.get().message());
      step.recordWithWarning(problem.get().reason(), problem.get().message());
      return UpdateControl.noUpdate(); // nothing to retry: a spec change triggers the next reconcile
    }
    String recordedSource = RestoreRules.recordedSource(step.status);
    if (recordedSource != null) {
      Optional<String> denied = step.reachSource(recordedSource);
      if (denied.isPresent()) {
        return notPermitted(step, denied.get());
      }
    }
    if (step.status.tableArn != null) {
      return observe(step);
    }
    Optional<Instant> intent = intentTime(step.status);
    if (intent.isPresent() && recordedSource != null) {
      return resume(step, intent.get());
    }
    return start(step);
  }

  /** Before anything is requested: may this table be made, which backup is it, and is that backup ready? */
  private UpdateControl<DynamoRestore> start(Step step) {
    var spec = step.restore.getSpec();
    Optional<String> denied = permission.denied(step.namespace(), spec.targetTableName);
    if (denied.isPresent()) {
      return notPermitted(step, denied.get());
    }
    if (spec.pointInTime != null) {
      return startFromPointInTime(step);
    }
    String source = spec.backupArn;
    if (spec.backupRef != null) {
      var backup = step.context.getClient().resources(DynamoBackup.class).inNamespace(step.namespace())
          .withName(spec.backupRef.name).get();
      String ref = "DynamoBackup '" + spec.backupRef.name + "'";
      if (backup == null) {
        return backupNotFound(step, "no " + ref + " in namespace " + step.namespace());
      }
      var status = backup.getStatus();
      if (backup.isMarkedForDeletion() || status != null && "DELETED".equals(status.backupStatus)) {
        return backupNotFound(step, ref + " is deleted or being deleted");
      }
      if (status == null || status.backupArn == null || !"AVAILABLE".equals(status.backupStatus)) {
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
    Optional<String> deniedSource = step.reachSource(source);
    if (deniedSource.isPresent()) {
      return notPermitted(step, deniedSource.get());
    }
    String region = RestoreRules.region(spec, source);
    try {
      var described = step.backups.describe(region, source);
      if (!"AVAILABLE".equals(described.backupDetails.backupStatus)) {
        return waitForBackup(step, "backup " + source + " is " + described.backupDetails.backupStatus);
      }
    } catch (AwsFailure failure) {
      if (failure.kind() == AwsFailure.Kind.GONE) {
        return backupNotFound(step, "backup " + source + " does not exist");
      }
      return retryLater(step, "DescribeBackup", failure);
    }
    Optional<UpdateControl<DynamoRestore>> taken = targetTaken(step, region);
    return taken.isPresent() ? taken.get() : restore(step, new RestoreSource.Backup(source));
  }

  /** Before a point-in-time restore is requested: the source table, its recovery window, and the target. */
  private UpdateControl<DynamoRestore> startFromPointInTime(Step step) {
    var resolution = pointInTimeSources.resolve(step.namespace(), step.restore.getSpec());
    if (resolution instanceof PointInTimeSources.NotPermitted refused) {
      return notPermitted(step, refused.message());
    }
    if (resolution instanceof PointInTimeSources.Refused refused) {
      step.notReady(refused.reason(), refused.message());
      step.recordWithWarning(refused.reason(), refused.message());
      return step.retryAfter(settings.terminalRetry());
    }
    if (resolution instanceof PointInTimeSources.CallFailed failed) {
      return retryLater(step, failed.call(), failed.failure());
    }
    var source = ((PointInTimeSources.Resolved) resolution).source();
    Optional<String> denied = step.reachSource(source.arn());
    if (denied.isPresent()) {
      return notPermitted(step, denied.get());
    }
    Optional<UpdateControl<DynamoRestore>> taken = targetTaken(step, step.region(source.arn()));
    return taken.isPresent() ? taken.get() : restore(step, source);
  }

  /** Found before anything is requested: a table of the target's name is never touched, whoever made it. */
  private Optional<UpdateControl<DynamoRestore>> targetTaken(Step step, String region) {
    String target = step.restore.getSpec().targetTableName;
    try {
      step.tables.describeTable(region, target);
      return Optional.of(tableAlreadyExists(step, "table '" + target + "' already exists; a restore makes a"
          + " new table. Choose another spec.targetTableName, or delete that table"));
    } catch (AwsFailure failure) {
      if (failure.kind() != AwsFailure.Kind.GONE) {
        return Optional.of(retryLater(step, "DescribeTable", failure));
      }
    }
    return Optional.empty();
  }

  /**
   * The restore call, exactly once: the intent and the source are recorded in status before the call, so a restart
   * that finds them without a table ARN looks at the target table before calling again.
   */
  private UpdateControl<DynamoRestore> restore(Step step, RestoreSource source) {
    var spec = step.restore.getSpec();
    String target = spec.targetTableName;
    source.record(step.status);
    step.restart(Conditions.RESTORING, true, RESTORE_REQUESTED, source.call() + " of " + source
        + " into table '" + target + "' requested");
    step.notReady(IN_PROGRESS, "restoring " + source + " into table '" + target + "'");
    step.record();
    try {
      TableState table = source.restore(step.tables, step.region(source.arn()), spec);
      log.info("{}: restoring {} into table {} ({})", step.id(), source, table.tableArn(), table.tableStatus());
      events.normal(step.context.getClient(), step.restore, IN_PROGRESS, source.call() + " accepted: table "
          + table.tableArn() + " from " + source);
      return mirror(step, table);
    } catch (AwsFailure failure) {
      if (failure.provesNothingHappened()) {
        // AWS answered with an error, so nothing was restored: the next attempt needs no look at the target.
        step.set(Conditions.RESTORING, false, failure.reason(), source.call() + " failed: " + failure);
      }
      if ("TableAlreadyExistsException".equals(failure.code())) {
        return tableAlreadyExists(step, source.call() + ": table '" + target + "' already exists");
      }
      if (failure.kind() == AwsFailure.Kind.GONE) {
        return backupNotFound(step, source.call() + ": " + source + " does not exist");
      }
      if ("SourceTableNotFoundException".equals(failure.code())) {
        step.notReady(PointInTimeSources.TABLE_NOT_FOUND, source.call() + ": " + source + " does not exist");
        step.recordWithWarning(PointInTimeSources.TABLE_NOT_FOUND, source.call() + ": " + source
            + " does not exist");
        return step.retryAfter(settings.terminalRetry());
      }
      return retryLater(step, source.call(), failure);
    }
  }

  /**
   * An intent without a table ARN: an earlier RestoreTableFromBackup may have restored without its answer being
   * recorded (a crash, or no answer). The target table tells: restored from our backup since the request, it is
   * ours; otherwise it is someone else's and left alone. Not there yet: give a call in flight time to show up.
   */
  private UpdateControl<DynamoRestore> resume(Step step, Instant intent) {
    RestoreSource source = RestoreSource.recorded(step.restore.getSpec(), step.status).orElseThrow();
    String target = step.restore.getSpec().targetTableName;
    try {
      TableState table = step.tables.describeTable(step.region(source.arn()), target);
      if (source.madeBy(table, intent.minus(CreateIntent.CLOCK_SKEW))) {
        log.info("{}: table {} was restored by an earlier attempt; recording it", step.id(), table.tableArn());
        events.normal(step.context.getClient(), step.restore, "AdoptedEarlierAttempt", "table " + table.tableArn()
            + " was restored from " + source + " by an earlier attempt and is now recorded");
        return mirror(step, table);
      }
      String message = "table '" + target + "' exists but was not restored from " + source + " by this"
          + " object; it is left alone";
      step.set(Conditions.RESTORING, false, TABLE_ALREADY_EXISTS, message);
      return tableAlreadyExists(step, message);
    } catch (AwsFailure failure) {
      if (failure.kind() != AwsFailure.Kind.GONE) {
        return retryLater(step, "DescribeTable", failure);
      }
    }
    Duration age = Duration.between(intent, clock.instant());
    if (age.compareTo(settings.inFlightBound()) < 0) {
      Duration wait = settings.inFlightBound().minus(age);
      step.notReady(IN_PROGRESS, "an earlier RestoreTableFromBackup into '" + target + "' got no recorded answer;"
          + " waiting " + wait.toSeconds() + "s for the table to show up before restoring again");
      step.record();
      return step.retryAfter(wait);
    }
    return restore(step, source);
  }

  private UpdateControl<DynamoRestore> observe(Step step) {
    String name = RestoreRules.tableName(step.status.tableArn);
    try {
      TableState table = step.tables.describeTable(step.region(), name);
      if (!RestoreRules.sameTable(step.status, table)) {
        String message = "table '" + name + "' is no longer the table this object restored (it was deleted and"
            + " made again outside Kubernetes); it is not followed, and deletionPolicy Delete will not delete it";
        step.set(Conditions.RESTORING, false, TABLE_REPLACED, message);
        step.notReady(TABLE_REPLACED, message);
        step.recordWithWarning(TABLE_REPLACED, message);
        return UpdateControl.noUpdate();
      }
      return mirror(step, table);
    } catch (AwsFailure failure) {
      if (failure.kind() != AwsFailure.Kind.GONE) {
        return retryLater(step, "DescribeTable", failure);
      }
      Optional<Duration> mayAppear = step.newTableMayNotBeListedYet();
      if (mayAppear.isPresent()) {
        return step.retryAfter(mayAppear.get());
      }
      // Deleted behind our back. Restoring again would make a different table, so only report it.
      String message = "table " + step.status.tableArn + " no longer exists in AWS (deleted outside Kubernetes);"
          + " it is not restored again";
      step.set(Conditions.RESTORING, false, TABLE_MISSING, message);
      step.notReady(TABLE_MISSING, message);
      step.recordWithWarning(TABLE_MISSING, message);
      return UpdateControl.noUpdate();
    }
  }

  /** Records a table just described by AWS and decides when to look again. */
  private UpdateControl<DynamoRestore> mirror(Step step, TableState table) {
    var status = step.status;
    boolean wasReady = Conditions.isTrue(status.conditions, Conditions.READY);
    status.tableArn = table.tableArn();
    if (status.tableId == null) {
      status.tableId = table.tableId();
    }
    status.tableStatus = table.tableStatus();
    status.restoreSummary = table.restoreSummary();
    status.failedAttempts = null;
    RestoreSource source = RestoreSource.recorded(step.restore.getSpec(), status).orElseThrow();
    if (table.restoring()) {
      step.set(Conditions.RESTORING, true, RESTORE_IN_PROGRESS, "table " + table.tableArn() + " is "
          + table.tableStatus() + ", restoring from " + source);
      step.notReady(IN_PROGRESS, "table " + table.tableArn() + " is " + table.tableStatus() + " (restore in"
          + " progress)");
      step.record();
      Instant started = step.restoreStarted().orElse(clock.instant());
      return step.retryAfter(settings.creatingPoll(Duration.between(started, clock.instant())));
    }
    String restored = "table " + table.tableArn() + " is " + table.tableStatus() + ", restored from " + source;
    step.set(Conditions.RESTORING, false, RESTORED, restored);
    var settingsOutcome = tableSettings.apply(step.tables, step.region(), table,
        step.restore.getSpec().tableSettings, status.tableSettings);
    status.tableSettings = settingsOutcome.status();
    if (!settingsOutcome.applied().isEmpty()) {
      events.normal(step.context.getClient(), step.restore, TableSettingsApplier.APPLYING,
          String.join("; ", settingsOutcome.applied()));
    }
    String message = status.tableSettings == null ? restored : restored + "; " + settingsOutcome.message();
    if (!settingsOutcome.inPlace()) {
      step.notReady(settingsOutcome.reason(), message);
      if (TableSettingsApplier.APPLYING.equals(settingsOutcome.reason())) {
        step.record();
      } else {
        log.info("{}: {}", step.id(), message);
        step.recordWithWarning(settingsOutcome.reason(), message);
      }
      return step.retryAfter(settingsOutcome.retryAfter());
    }
    step.set(Conditions.READY, true, RESTORED, message);
    step.record();
    if (!wasReady) {
      log.info("{}: {}", step.id(), message);
      events.normal(step.context.getClient(), step.restore, RESTORED, message);
    }
    return step.retryAfter(settings.resyncPeriod());
  }

  /** Refused by the policies: said in status and an Event, no AWS call; a policy change reconciles again. */
  private UpdateControl<DynamoRestore> notPermitted(Step step, String message) {
    step.notReady(RestorePermission.NOT_PERMITTED, message);
    step.recordWithWarning(RestorePermission.NOT_PERMITTED, message);
    return step.retryAfter(settings.terminalRetry());
  }

  private UpdateControl<DynamoRestore> waitForBackup(Step step, String why) {
    step.notReady(BACKUP_NOT_AVAILABLE, why + "; the restore starts once the backup is AVAILABLE");
    step.record();
    var created = step.restore.getMetadata().getCreationTimestamp();
    Duration age = created == null ? Duration.ZERO : Duration.between(Instant.parse(created), clock.instant());
    return step.retryAfter(settings.creatingPoll(age));
  }

  private UpdateControl<DynamoRestore> backupNotFound(Step step, String message) {
    step.notReady(BACKUP_NOT_FOUND, message);
    step.recordWithWarning(BACKUP_NOT_FOUND, message);
    return step.retryAfter(settings.terminalRetry());
  }

  private UpdateControl<DynamoRestore> tableAlreadyExists(Step step, String message) {
    step.notReady(TABLE_ALREADY_EXISTS, message);
    step.recordWithWarning(TABLE_ALREADY_EXISTS, message);
    return step.retryAfter(settings.terminalRetry());
  }

  @Override
  public DeleteControl cleanup(DynamoRestore restore, Context<DynamoRestore> context) {
    var step = new Step(restore, context);
    var spec = restore.getSpec();
    if (RestoreRules.deletionPolicy(spec) == DeletionPolicy.Retain) {
      String what = step.status.tableArn != null ? "table " + step.status.tableArn : "the table, if any,";
      log.info("{}: deletionPolicy Retain, {} left in AWS", step.id(), what);
      events.normal(context.getClient(), restore, "Retained", "deletionPolicy is Retain: " + what
          + " is left in AWS");
      return DeleteControl.defaultDelete();
    }
    if (RestoreRules.recordedSource(step.status) != null) {
      Optional<String> denied = step.reachSource(RestoreRules.recordedSource(step.status));
      if (denied.isPresent()) {
        // Nothing is deleted in an account the namespace may no longer reach: the object goes, the table stays.
        String message = (step.status.tableArn != null ? "table " + step.status.tableArn : "the restored table, if"
            + " any,") + " is kept in AWS: " + denied.get();
        log.info("{}: released without DeleteTable: {}", step.id(), message);
        events.warning(context.getClient(), restore, RestorePermission.NOT_PERMITTED, message);
        return DeleteControl.defaultDelete();
      }
    }
    try {
      if (step.status.tableArn == null && !recordEarlierAttempt(step)) {
        Optional<Instant> intent = intentTime(step.status);
        Duration age = intent.map(t -> Duration.between(t, clock.instant())).orElse(settings.inFlightBound());
        if (age.compareTo(settings.inFlightBound()) < 0) {
          // A RestoreTableFromBackup may still be in flight: releasing now could leave its table behind.
          Duration wait = settings.inFlightBound().minus(age);
          step.set(Conditions.DELETING, true, WAITING_FOR_RESTORE, "an earlier RestoreTableFromBackup got no"
              + " recorded answer; waiting " + wait.toSeconds() + "s for its table to show up before releasing");
          step.record();
          return DeleteControl.noFinalizerRemoval().rescheduleAfter(wait);
        }
        events.normal(context.getClient(), restore, "NothingToDelete", "no table was restored for this object");
        return DeleteControl.defaultDelete();
      }
      String name = RestoreRules.tableName(step.status.tableArn);
      TableState table = step.tables.describeTable(step.region(), name);
      if (!RestoreRules.sameTable(step.status, table)) {
        String message = "table '" + name + "' is no longer the table this object restored; it is not deleted";
        events.warning(context.getClient(), restore, TABLE_REPLACED, message);
        return DeleteControl.defaultDelete();
      }
      step.status.tableStatus = table.tableStatus();
      step.status.restoreSummary = table.restoreSummary();
      if (table.restoring()) {
        String message = "waiting for the restore into table " + step.status.tableArn + " to finish ("
            + table.tableStatus() + ") before DeleteTable";
        step.set(Conditions.DELETING, true, RESTORE_IN_PROGRESS, message);
        step.record();
        Instant started = step.restoreStarted().orElse(clock.instant());
        return DeleteControl.noFinalizerRemoval()
            .rescheduleAfter(settings.creatingPoll(Duration.between(started, clock.instant())));
      }
      step.tables.deleteTable(step.region(), name);
      step.status.tableStatus = "DELETING";
      return released(step, DELETED, "DeleteTable accepted: table " + step.status.tableArn + " is DELETING");
    } catch (AwsFailure failure) {
      if (failure.kind() == AwsFailure.Kind.GONE) {
        Optional<Duration> mayAppear = step.newTableMayNotBeListedYet();
        if (mayAppear.isPresent()) {
          return DeleteControl.noFinalizerRemoval().rescheduleAfter(mayAppear.get());
        }
        return released(step, ALREADY_DELETED, "table " + step.status.tableArn + " was already gone");
      }
      Duration delay = delayAfter(step, failure);
      String call = step.status.tableArn == null ? "DescribeTable (looking for an unrecorded restore)"
          : "DeleteTable of " + step.status.tableArn;
      String message = call + " failed: " + failure + "; retry " + step.status.failedAttempts + " at "
          + clock.instant().plus(delay).truncatedTo(ChronoUnit.SECONDS);
      step.set(Conditions.DELETING, true, failure.reason(), message);
      step.recordWithWarning("DeleteFailed", message);
      log.info("{}: {}", step.id(), message);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(delay);
    }
  }

  /**
   * On deletion with an intent but no table ARN: records the target table if an earlier attempt of this object
   * restored it, so that it is deleted too. Returns whether it did; AWS failures other than GONE propagate.
   */
  private boolean recordEarlierAttempt(Step step) {
    Optional<Instant> intent = intentTime(step.status);
    Optional<RestoreSource> source = RestoreSource.recorded(step.restore.getSpec(), step.status);
    if (intent.isEmpty() || source.isEmpty()) {
      return false;
    }
    try {
      TableState table = step.tables.describeTable(step.region(), step.restore.getSpec().targetTableName);
      if (!source.get().madeBy(table, intent.get().minus(CreateIntent.CLOCK_SKEW))) {
        return false;
      }
      step.status.tableArn = table.tableArn();
      step.status.tableId = table.tableId();
      step.status.restoreSummary = table.restoreSummary();
      return true;
    } catch (AwsFailure failure) {
      if (failure.kind() == AwsFailure.Kind.GONE) {
        return false;
      }
      throw failure;
    }
  }

  /** The final status is written before the finalizer goes, so watchers see how the deletion ended. */
  private DeleteControl released(Step step, String reason, String message) {
    step.status.failedAttempts = null;
    step.set(Conditions.DELETING, false, reason, message);
    step.notReady(reason, message);
    step.record();
    log.info("{}: {}", step.id(), message);
    events.normal(step.context.getClient(), step.restore, reason, message);
    return DeleteControl.defaultDelete();
  }

  @Override
  public ErrorStatusUpdateControl<DynamoRestore> updateErrorStatus(DynamoRestore restore,
      Context<DynamoRestore> context, Exception e) {
    if (Interruption.causedBy(e)) {
      // the operator is stopping; the next leader reconciles this object afresh
      log.debug("{}/{}: reconcile interrupted by shutdown: {}", restore.getMetadata().getNamespace(),
          restore.getMetadata().getName(), e.toString());
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    log.warn("{}/{}: reconcile failed: {}", restore.getMetadata().getNamespace(), restore.getMetadata().getName(),
        Interruption.describe(e));
    var step = new Step(restore, context);
    step.notReady(RECONCILE_ERROR, String.valueOf(e.getMessage()));
    restore.setStatus(step.status);
    return ErrorStatusUpdateControl.patchStatus(restore);
  }

  private UpdateControl<DynamoRestore> retryLater(Step step, String call, AwsFailure failure) {
    Duration delay = delayAfter(step, failure);
    String message = call + " failed: " + failure + "; retry " + step.status.failedAttempts + " at "
        + clock.instant().plus(delay).truncatedTo(ChronoUnit.SECONDS);
    step.notReady(failure.reason(), message);
    step.recordWithWarning(call.replace("FromBackup", "") + "Failed", message);
    log.info("{}: {}", step.id(), message);
    return step.retryAfter(delay);
  }

  private Duration delayAfter(Step step, AwsFailure failure) {
    int attempts = step.status.failedAttempts == null ? 1 : step.status.failedAttempts + 1;
    step.status.failedAttempts = attempts;
    return failure.kind() == AwsFailure.Kind.TERMINAL ? settings.terminalRetry()
        : settings.retryBackoff().delay(attempts);
  }

  /** When RestoreTableFromBackup was last requested without its answer recorded, if it was. */
  private static Optional<Instant> intentTime(DynamoRestoreStatus status) {
    return Conditions.find(status.conditions, Conditions.RESTORING)
        .filter(c -> "True".equals(c.getStatus()) && RESTORE_REQUESTED.equals(c.getReason()))
        .map(c -> Instant.parse(c.getLastTransitionTime()));
  }

  /** One reconcile's working state: the object, the status being built, and what it was before. */
  private final class Step {
    final DynamoRestore restore;
    final Context<DynamoRestore> context;
    final DynamoRestoreStatus status;
    final String before;
    /** The calls of the account the restore runs in: the source backup's, once it is known (see reachSource). */
    BackupStore backups = backupsOf.apply(null);
    TableStore tables = tablesOf.apply(null);

    Step(DynamoRestore restore, Context<DynamoRestore> context) {
      this.restore = restore;
      this.context = context;
      this.before = StatusRecorder.snapshot(restore.getStatus());
      this.status = restore.getStatus() != null ? restore.getStatus() : new DynamoRestoreStatus();
      if (status.conditions == null) {
        status.conditions = new ArrayList<>();
      }
    }

    String id() {
      return namespace() + "/" + restore.getMetadata().getName();
    }

    /**
     * Whether the policies let this namespace restore from {@code sourceArn} (a backup, or a point-in-time
     * restore's table); if so, the step's calls go to the source's account from now on. Empty when permitted,
     * otherwise why not.
     */
    Optional<String> reachSource(String sourceArn) {
      var access = permission.source(namespace(), sourceArn, restore.getSpec().backupRef != null);
      if (access.denied().isEmpty()) {
        backups = backupsOf.apply(access.roleArn());
        tables = tablesOf.apply(access.roleArn());
      }
      return access.denied();
    }

    String namespace() {
      return restore.getMetadata().getNamespace();
    }

    /** The recorded table's region, which is its source's. */
    String region() {
      return region(RestoreRules.recordedSource(status));
    }

    String region(String sourceArn) {
      return RestoreRules.region(restore.getSpec(), sourceArn);
    }

    /**
     * When the restore started: DynamoDB's RestoreDateTime, else our request. A point-in-time restore's
     * RestoreDateTime is the point restored, which may be weeks old: there, our request.
     */
    Optional<Instant> restoreStarted() {
      if (status.sourceTableArn == null && status.restoreSummary != null
          && status.restoreSummary.restoreDateTime != null) {
        return Optional.of(Instant.parse(status.restoreSummary.restoreDateTime));
      }
      return Conditions.find(status.conditions, Conditions.RESTORING)
          .map(c -> Instant.parse(c.getLastTransitionTime()));
    }

    /**
     * DescribeTable is eventually consistent: right after RestoreTableFromBackup it may not find the new table.
     * While the restore is young (Restoring=True, within the in-flight bound), not found means "look again".
     */
    Optional<Duration> newTableMayNotBeListedYet() {
      return Conditions.find(status.conditions, Conditions.RESTORING)
          .filter(c -> "True".equals(c.getStatus()))
          .map(c -> Duration.between(Instant.parse(c.getLastTransitionTime()), clock.instant()))
          .filter(age -> age.compareTo(settings.inFlightBound()) < 0)
          .map(age -> settings.creatingPollMin());
    }

    void set(String type, boolean value, String reason, String message) {
      Conditions.set(status.conditions, type, value, reason, message, restore.getMetadata().getGeneration(),
          clock.instant());
    }

    /** Sets a condition with a new transition time even if its status is unchanged: a new request. */
    void restart(String type, boolean value, String reason, String message) {
      status.conditions.removeIf(c -> type.equals(c.getType()));
      set(type, value, reason, message);
    }

    void notReady(String reason, String message) {
      set(Conditions.READY, false, reason, message);
    }

    UpdateControl<DynamoRestore> retryAfter(Duration delay) {
      return UpdateControl.<DynamoRestore>noUpdate().rescheduleAfter(delay);
    }

    /** Writes the status if this step changed it; returns whether it did. */
    boolean record() {
      status.observedGeneration = restore.getMetadata().getGeneration();
      return StatusRecorder.record(restore, context, status, before);
    }

    /** Records, and emits a Warning event when the status is new (a repeated failure stays quiet). */
    void recordWithWarning(String eventReason, String message) {
      if (record()) {
        events.warning(context.getClient(), restore, eventReason, message);
      }
    }
  }
}
