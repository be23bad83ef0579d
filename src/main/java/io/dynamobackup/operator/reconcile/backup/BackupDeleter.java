package io.dynamobackup.operator.reconcile.backup;

import io.dynamobackup.operator.api.BackupDescription;
import io.dynamobackup.operator.api.BackupIdentity;
import io.dynamobackup.operator.api.BackupState;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.CreateIntent;
import io.dynamobackup.operator.reconcile.Failures;
import io.dynamobackup.operator.reconcile.Reasons;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import io.dynamobackup.operator.reconcile.SpecRules;
import io.dynamobackup.operator.reconcile.backup.DeletionGuard.Ownership;
import io.dynamobackup.operator.reconcile.backup.DeletionGuard.Purpose;
import io.dynamobackup.operator.reconcile.backup.DeletionGuard.Verdict;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DeleteBackup, on the object's deletion (the finalizer) and on its expiry (the object stays as the record), each
 * time only as {@link DeletionGuard} allows: this object owns the backup, the policies let its namespace delete it,
 * and the calls go to the backup's own account. Then, before the call, a restore that uses the backup is waited for.
 */
final class BackupDeleter {

  static final String DELETE = "DeleteBackup";
  private static final Logger log = LoggerFactory.getLogger(BackupDeleter.class);

  private final ReconcileSettings settings;
  private final Failures failures;
  private final String defaultRegion;
  private final Function<DynamoBackup, Connection> toDelete;
  /** The other objects that record this ARN (namespace/name), live ones only or all. */
  private final BiFunction<DynamoBackup, String, List<String>> otherClaims;
  private final Supplier<RestoresInProgress> restores;

  BackupDeleter(ReconcileSettings settings, Failures failures, String defaultRegion,
      Function<DynamoBackup, Connection> toDelete, BiFunction<DynamoBackup, String, List<String>> otherClaims,
      Supplier<RestoresInProgress> restores) {
    this.settings = settings;
    this.failures = failures;
    this.defaultRegion = defaultRegion;
    this.toDelete = toDelete;
    this.otherClaims = otherClaims;
    this.restores = restores;
  }

  /** The finalizer. */
  DeleteControl cleanup(BackupStep step) {
    var status = step.status();
    if (!SpecRules.deletionProtected(step.backup().getSpec()) && step.isTrue(Conditions.DELETION_BLOCKED)) {
      step.set(Conditions.DELETION_BLOCKED, false, Reasons.PROTECTION_LIFTED, "spec.deletionProtection is false");
    }
    Optional<Ownership> ownership = Optional.empty();
    for (int round = 0; round < 3; round++) { // at most: look up, describe, decide
      Verdict verdict = DeletionGuard.decide(facts(step, Purpose.FINALIZER, ownership));
      if (verdict instanceof Verdict.Keep keep) {
        return keep(step, keep);
      }
      if (verdict instanceof Verdict.Release release) {
        return release(step, release);
      }
      if (verdict instanceof Verdict.Delete delete) {
        return delete(step, delete);
      }
      if (verdict instanceof Verdict.LookUp lookUp) {
        Optional<DeleteControl> waiting = lookUp(step, lookUp.aws());
        if (waiting.isPresent()) {
          return waiting.get();
        }
        if (status.backupArn == null) {
          step.normal(Reasons.NOTHING_TO_DELETE, "no backup was created for this object");
          return DeleteControl.defaultDelete();
        }
      } else if (verdict instanceof Verdict.Describe describe) {
        try {
          ownership = Optional.of(ownership(step, describe.aws()));
        } catch (AwsFailure failure) {
          if (failure.kind() == AwsFailure.Kind.GONE) {
            return released(step, Reasons.ALREADY_DELETED, "backup " + status.backupArn + " was already gone"
                + " (BackupNotFound in its account " + describe.aws().account() + ")");
          }
          return retry(failures.handle(step, Failures.Path.CLEANUP, "DescribeBackup of " + status.backupArn,
              failure));
        }
      }
    }
    throw new IllegalStateException("the deletion guard did not decide for " + step.id());
  }

  /**
   * spec.retention reached: DeleteBackup as the finalizer would, but the object stays with backupStatus DELETED and
   * Expired=True, so that a GitOps tool does not see it vanish and re-create it.
   */
  UpdateControl<DynamoBackup> expire(BackupStep step, Instant at) {
    String when = "expired at " + at.truncatedTo(ChronoUnit.SECONDS);
    Optional<Ownership> ownership = Optional.empty();
    for (int round = 0; round < 2; round++) { // at most: describe, decide
      Verdict verdict = DeletionGuard.decide(facts(step, Purpose.EXPIRY, ownership));
      if (verdict instanceof Verdict.Release release) { // Retain: retention deletes only what it may delete
        step.set(Conditions.EXPIRED, false, Reasons.RETAINED_BY_POLICY, when + ", but " + release.message()
            + " (retention only deletes what the operator may delete)");
        step.record();
        return BackupObserver.retryAfter(settings.resyncPeriod());
      }
      if (verdict instanceof Verdict.Keep keep) {
        String reason = Reasons.DELETION_PROTECTION.equals(keep.reason()) ? Reasons.DELETION_PROTECTED
            : keep.reason();
        step.set(Conditions.EXPIRED, false, reason, when + ", but " + keep.message());
        step.recordWithWarning(Reasons.EXPIRY_BLOCKED, when + ", but " + keep.message());
        return waitFor(keep).map(BackupObserver::retryAfter).orElseGet(UpdateControl::noUpdate);
      }
      if (verdict instanceof Verdict.Delete delete) {
        try {
          step.status().backupDescription = BackupObserver.merge(step.status().backupDescription,
              delete.aws().client().delete(delete.aws().region(), delete.arn()));
        } catch (AwsFailure failure) {
          if (failure.kind() != AwsFailure.Kind.GONE) {
            return BackupObserver.retryAfter(failures.handle(step, Failures.Path.RECONCILE, DELETE, failure));
          }
        }
        return expired(step, when + "; backup " + delete.arn() + " is DELETED");
      }
      if (verdict instanceof Verdict.Describe describe) {
        try {
          ownership = Optional.of(ownership(step, describe.aws()));
        } catch (AwsFailure failure) {
          if (failure.kind() != AwsFailure.Kind.GONE) {
            return BackupObserver.retryAfter(failures.handle(step, Failures.Path.RECONCILE, "DescribeBackup",
                failure));
          }
          return expired(step, when + "; backup " + step.status().backupArn + " was already gone");
        }
      }
    }
    throw new IllegalStateException("the deletion guard did not decide on the expiry of " + step.id());
  }

  private UpdateControl<DynamoBackup> expired(BackupStep step, String message) {
    var status = step.status();
    status.backupStatus = BackupState.DELETED.name();
    if (status.backupDescription != null && status.backupDescription.backupDetails != null) {
      status.backupDescription.backupDetails.backupStatus = BackupState.DELETED.name();
    }
    status.attempts(null);
    step.set(Conditions.EXPIRED, true, Reasons.EXPIRED, message);
    step.notReady(Reasons.EXPIRED, message);
    step.record();
    log.info("{}: {}", step.id(), message);
    step.normal(Reasons.EXPIRED, message);
    return UpdateControl.noUpdate();
  }

  private DeletionGuard.Facts facts(BackupStep step, Purpose purpose, Optional<Ownership> ownership) {
    var backup = step.backup();
    var spec = backup.getSpec();
    var status = step.status();
    Optional<BackupIdentity> recorded = BackupIdentities.recorded(backup, defaultRegion);
    boolean intent = BackupCreator.intentTime(step).isPresent();
    boolean askedAws = status.backupArn != null || intent;
    return new DeletionGuard.Facts(purpose, SpecRules.deletionProtected(spec), spec.typeErrors(),
        step.isTrue(Conditions.EXPIRED), BackupIdentities.effectivePolicy(backup, recorded), status.backupArn,
        spec.backupArn, intent, BackupIdentities.expected(backup, defaultRegion), recorded.orElse(null),
        BackupIdentities.change(backup, defaultRegion),
        askedAws ? toDelete.apply(backup) : null, ownership,
        Optional.ofNullable(backup.getMetadata().getCreationTimestamp()).map(Instant::parse).orElse(null));
  }

  /**
   * What AWS says of the recorded backup: the listing's summary when the last pass had it, else DescribeBackup (its
   * description is kept in status too).
   */
  private Ownership ownership(BackupStep step, Connection.Connected aws) {
    String arn = step.status().backupArn;
    List<String> others = otherClaims.apply(step.backup(), arn);
    var listed = BackupObserver.listedSummary(step);
    if (listed.isPresent()) {
      return new Ownership(listed.get().backupName(), listed.get().tableName(), listed.get().createdAt(), others);
    }
    BackupDescription described = aws.client().describe(aws.region(), arn);
    step.status().backupDescription = BackupObserver.merge(step.status().backupDescription, described);
    return new Ownership(described.backupDetails.backupName,
        described.sourceTableDetails != null ? described.sourceTableDetails.tableName : null,
        Optional.ofNullable(described.backupDetails.backupCreationDateTime).map(Instant::parse).orElse(null),
        others);
  }

  /**
   * An intent without an ARN at deletion: the backup the earlier call made, if ListBackups shows it, is recorded so
   * that it is deleted too; while the call may still be in flight the object waits. Empty: decide again.
   */
  private Optional<DeleteControl> lookUp(BackupStep step, Connection.Connected aws) {
    var status = step.status();
    Instant intent = BackupCreator.intentTime(step).orElseThrow();
    BackupIdentity identity = status.identity != null ? status.identity
        : BackupIdentities.expected(step.backup(), defaultRegion);
    try {
      Optional<String> found = BackupLookup.find(aws.client(), identity.region, identity, intent,
          arn -> !otherClaims.apply(step.backup(), arn).isEmpty());
      if (found.isPresent()) {
        status.backupArn = found.get();
        return Optional.empty();
      }
    } catch (AwsFailure failure) {
      return Optional.of(retry(failures.handle(step, Failures.Path.CLEANUP,
          "ListBackups (looking for an unrecorded backup)", failure)));
    }
    Optional<Duration> wait = CreateIntent.stillInFlight(intent, step.now(), settings.inFlightBound());
    if (wait.isPresent()) {
      // A CreateBackup may still be in flight: releasing now could leave its backup behind.
      step.set(Conditions.DELETING, true, Reasons.WAITING_FOR_CREATE, "an earlier CreateBackup got no recorded"
          + " answer; waiting " + wait.get().toSeconds() + "s for it to show up before releasing the object");
      step.record();
      return Optional.of(retry(wait.get()));
    }
    return Optional.empty();
  }

  private DeleteControl delete(BackupStep step, Verdict.Delete delete) {
    var status = step.status();
    var aws = delete.aws();
    String arn = delete.arn();
    Optional<DeleteControl> inUse = waitForRestore(step, aws, arn);
    if (inUse.isPresent()) {
      return inUse.get();
    }
    try {
      BackupDescription deleted = aws.client().delete(aws.region(), arn);
      status.backupDescription = BackupObserver.merge(status.backupDescription, deleted);
      return released(step, Reasons.DELETED, "DeleteBackup confirmed: backup " + arn + " is DELETED");
    } catch (AwsFailure failure) {
      if (failure.kind() == AwsFailure.Kind.GONE) {
        return released(step, Reasons.ALREADY_DELETED, "backup " + arn + " was already gone (BackupNotFound)");
      }
      return retry(failures.handle(step, Failures.Path.CLEANUP, DELETE + " of " + arn, failure));
    }
  }

  /** A restore of ours uses the backup (see {@link RestoresInProgress#inUse}): DeleteBackup waits for it. */
  private Optional<DeleteControl> waitForRestore(BackupStep step, Connection.Connected aws, String arn) {
    RestoresInProgress known = restores.get();
    if (known == null) {
      return Optional.empty();
    }
    RestoresInProgress.Use use;
    try {
      use = known.inUse(step.namespace(), arn, aws, step.now(), settings.inFlightBound());
    } catch (AwsFailure failure) {
      return Optional.of(retry(failures.handle(step, Failures.Path.CLEANUP, "DescribeTable (is a restore using "
          + arn + "?)", failure)));
    }
    if (use == null) {
      return Optional.empty();
    }
    step.set(Conditions.DELETING, true, Reasons.BACKUP_IN_USE, use.message());
    if (step.record()) {
      log.info("{}: {}", step.id(), use.message());
      step.normal(Reasons.WAITING_FOR_RESTORE, use.message());
    }
    Instant waitingSince = step.condition(Conditions.DELETING)
        .map(c -> Instant.parse(c.getLastTransitionTime())).orElse(step.now());
    return Optional.of(retry(settings.creatingPoll(Duration.between(waitingSince, step.now()))));
  }

  private DeleteControl keep(BackupStep step, Verdict.Keep keep) {
    String condition = DeletionGuard.conditionFor(keep);
    step.set(condition, true, keep.reason(), keep.message());
    step.recordWithWarning(condition.equals(Conditions.DELETION_BLOCKED) ? Reasons.DELETION_BLOCKED : keep.reason(),
        keep.message());
    return waitFor(keep).map(BackupDeleter::retry).orElseGet(DeleteControl::noFinalizerRemoval);
  }

  /** A wait that time alone can end (an account not reached yet) is looked at again; the rest wait for a change. */
  private Optional<Duration> waitFor(Verdict.Keep keep) {
    return keep.reason().startsWith("Account") ? Optional.of(settings.terminalRetry()) : Optional.empty();
  }

  private DeleteControl release(BackupStep step, Verdict.Release release) {
    switch (release.reason()) {
      case Reasons.RETAINED, Reasons.NOTHING_TO_DELETE -> {
        log.info("{}: {}", step.id(), release.message());
        step.normal(release.reason(), release.message());
        return DeleteControl.defaultDelete();
      }
      case Reasons.ALREADY_DELETED -> {
        return released(step, release.reason(), release.message());
      }
      default -> { // refused by the policies: the object goes, its backup stays, and a Warning says so
        step.set(Conditions.DELETING, false, release.reason(), release.message());
        step.notReady(release.reason(), release.message());
        step.record();
        log.info("{}: released without DeleteBackup: {}", step.id(), release.message());
        step.warning(release.reason(), release.message());
        return DeleteControl.defaultDelete();
      }
    }
  }

  /** The final status is written before the finalizer goes, so watchers see DELETED on the object. */
  private DeleteControl released(BackupStep step, String reason, String message) {
    var status = step.status();
    status.backupStatus = BackupState.DELETED.name();
    if (status.backupDescription != null && status.backupDescription.backupDetails != null) {
      status.backupDescription.backupDetails.backupStatus = BackupState.DELETED.name();
    }
    return step.release(reason, message);
  }

  private static DeleteControl retry(Duration delay) {
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(delay);
  }
}
