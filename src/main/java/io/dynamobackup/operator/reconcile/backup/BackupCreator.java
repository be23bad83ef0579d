package io.dynamobackup.operator.reconcile.backup;

import io.dynamobackup.operator.api.BackupDescription;
import io.dynamobackup.operator.api.BackupIdentity;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.policy.AccessPolicy;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.CreateIntent;
import io.dynamobackup.operator.reconcile.Failures;
import io.dynamobackup.operator.reconcile.Reasons;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CreateBackup, exactly once. The intent and the identity it will be made with are recorded in status before the
 * call; a status write that conflicts with another writer stops the reconcile before the call. Finding an intent
 * but no ARN means an earlier attempt may have made the backup without its answer recorded (a crash, a lost or
 * ambiguous answer): look for it first, and give a call that may still be in flight time to show up.
 */
final class BackupCreator {

  static final String CREATE = "CreateBackup";

  private static final Logger log = LoggerFactory.getLogger(BackupCreator.class);

  private final ReconcileSettings settings;
  private final Failures failures;
  private final BackupObserver observer;
  /** Whether an object other than the given one records this ARN. */
  private final BiPredicate<DynamoBackup, String> claimedByOthers;
  private final String defaultRegion;

  BackupCreator(ReconcileSettings settings, Failures failures, BackupObserver observer,
      BiPredicate<DynamoBackup, String> claimedByOthers, String defaultRegion) {
    this.settings = settings;
    this.failures = failures;
    this.observer = observer;
    this.claimedByOthers = claimedByOthers;
    this.defaultRegion = defaultRegion;
  }

  UpdateControl<DynamoBackup> create(BackupStep step, Connection.Connected aws) {
    return create(step, aws, () -> { });
  }

  /** @param afterIntent run once the intent is recorded, before the call */
  private UpdateControl<DynamoBackup> create(BackupStep step, Connection.Connected aws, Runnable afterIntent) {
    var status = step.status();
    Optional<Instant> intent = intentTime(step);
    if (intent.isPresent()) {
      // an intent recorded before identities were: the spec's identity, in the account the policies route to now
      BackupIdentity asked = status.identity != null ? status.identity
          : withAccount(BackupIdentities.expected(step.backup(), defaultRegion), aws.account());
      Optional<UpdateControl<DynamoBackup>> earlier = resume(step, aws, asked, intent.get());
      if (earlier.isPresent()) {
        return earlier.get();
      }
    }
    BackupIdentity identity = withAccount(BackupIdentities.expected(step.backup(), defaultRegion), aws.account());
    if (identity.account == null) {
      // the backup's account must be recorded with the intent: the lookup after a lost answer searches there
      step.notReady(AccessPolicy.ACCOUNT_UNKNOWN, "the operator's own AWS account is not known yet (STS"
          + " GetCallerIdentity has not answered); the backup is created once it is");
      step.record();
      return BackupObserver.retryAfter(settings.terminalRetry());
    }
    status.identity = identity;
    step.restart(Conditions.CREATING, true, Reasons.CREATE_REQUESTED, "CreateBackup of table '"
        + identity.tableName + "' as backup '" + identity.backupName + "' requested");
    step.notReady(Reasons.BACKUP_CREATING, "creating backup '" + identity.backupName + "' of table '"
        + identity.tableName + "'");
    step.record();
    afterIntent.run();
    try {
      BackupDescription created = aws.client().create(identity.region, identity.tableName, identity.backupName);
      log.info("{}: created backup {} ({})", step.id(), created.backupDetails.backupArn,
          created.backupDetails.backupStatus);
      step.normal(Reasons.CREATED, "CreateBackup accepted: " + created.backupDetails.backupArn);
      return observer.mirror(step, aws, created);
    } catch (AwsFailure failure) {
      if (failure.provesNothingHappened()) {
        // AWS refused it, or it was never sent: nothing exists, so the next attempt needs no lookup and the spec
        // is free to change
        status.identity = null;
        step.set(Conditions.CREATING, false, failure.reason(), failure.retryAfter().isPresent()
            ? failure.getMessage() : CREATE + " failed: " + failure);
      }
      return BackupObserver.retryAfter(failures.handle(step, Failures.Path.RECONCILE, CREATE, failure));
    }
  }

  /**
   * An intent without an ARN: the backup the earlier call made, if ListBackups shows it, is recorded; while the call
   * may still be in flight, wait. Empty: create again.
   */
  private Optional<UpdateControl<DynamoBackup>> resume(BackupStep step, Connection.Connected aws,
      BackupIdentity identity, Instant intent) {
    Optional<String> existing;
    try {
      existing = BackupLookup.find(aws.client(), identity.region, identity, intent,
          arn -> claimedByOthers.test(step.backup(), arn));
    } catch (AwsFailure failure) {
      return Optional.of(BackupObserver.retryAfter(failures.handle(step, Failures.Path.RECONCILE, "ListBackups",
          failure)));
    }
    if (existing.isPresent()) {
      log.info("{}: found backup {} created by an earlier attempt; recording it", step.id(), existing.get());
      step.normal(Reasons.ADOPTED_EARLIER_ATTEMPT, "backup " + existing.get() + " was created by an earlier attempt"
          + " and is now recorded");
      return Optional.of(observer.observe(step, aws, existing.get()));
    }
    Optional<Duration> wait = CreateIntent.stillInFlight(intent, step.now(), settings.inFlightBound());
    if (wait.isPresent()) {
      step.notReady(Reasons.BACKUP_CREATING, "an earlier CreateBackup of '" + identity.backupName + "' got no"
          + " recorded answer; waiting " + wait.get().toSeconds() + "s for it to show up in ListBackups before"
          + " creating again");
      step.record();
      return Optional.of(BackupObserver.retryAfter(wait.get()));
    }
    return Optional.empty();
  }

  /** The dynamobackup.io/recreate annotation: re-create a backup that was deleted outside Kubernetes. */
  UpdateControl<DynamoBackup> recreate(BackupStep step, Connection.Connected aws) {
    var status = step.status();
    boolean missing = step.condition(Conditions.READY)
        .map(c -> Reasons.BACKUP_MISSING.equals(c.getReason())).orElse(false);
    boolean adopted = status.identity != null && status.identity.origin == BackupIdentity.Origin.Adopted
        || step.backup().getSpec().backupArn != null;
    if (missing && !adopted) {
      String old = status.backupArn;
      status.backupArn = null;
      status.identity = null;
      status.backupStatus = null;
      status.backupDescription = null;
      status.attempts(null);
      status.conditions.removeIf(c -> Conditions.CREATING.equals(c.getType()));
      log.info("{}: re-creating backup {} as the recreate annotation asks", step.id(), old);
      step.normal(Reasons.RECREATING, "backup " + old + " was deleted outside Kubernetes; creating a new one as "
          + Recreate.ANNOTATION + " asks");
      return create(step, aws, () -> Recreate.clear(step));
    }
    Recreate.clear(step);
    String why = missing ? "an adopted backup (spec.backupArn) cannot be re-created; point the object at another"
        + " backup instead" : "the backup is not missing; nothing to re-create";
    step.warning(Reasons.RECREATE_IGNORED, Recreate.ANNOTATION + ": " + why);
    return status.backupArn != null ? observer.observe(step, aws, status.backupArn) : UpdateControl.noUpdate();
  }

  private static BackupIdentity withAccount(BackupIdentity identity, String account) {
    identity.account = account;
    return identity;
  }

  static Optional<Instant> intentTime(BackupStep step) {
    return CreateIntent.of(step.status().conditionList(), Conditions.CREATING, Reasons.CREATE_REQUESTED);
  }
}
