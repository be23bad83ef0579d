package io.dynamobackup.operator.reconcile.backup;

import io.dynamobackup.operator.api.BackupDescription;
import io.dynamobackup.operator.api.BackupIdentity;
import io.dynamobackup.operator.api.BackupState;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.aws.BackupArn;
import io.dynamobackup.operator.aws.BackupPage;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.Failures;
import io.dynamobackup.operator.reconcile.Reasons;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import io.dynamobackup.operator.reconcile.SpecRules;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observes an object's backup and records what AWS says: from the ListBackups listing while it is AVAILABLE and
 * unchanged, else by DescribeBackup. Decides when to look again; an expiry that has come goes to the deleter.
 */
final class BackupObserver {

  /**
   * ListBackups may lag behind CreateBackup: a backup this young may be missing from a listing. Erring short costs
   * one DescribeBackup, which finds it.
   */
  static final Duration LISTING_LAG = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(BackupObserver.class);

  private final ReconcileSettings settings;
  private final Failures failures;
  private final Supplier<BackupListing> listing;
  private final BackupDeleter deleter;

  BackupObserver(ReconcileSettings settings, Failures failures, Supplier<BackupListing> listing,
      BackupDeleter deleter) {
    this.settings = settings;
    this.failures = failures;
    this.listing = listing;
    this.deleter = deleter;
  }

  /**
   * An AVAILABLE backup whose full description is recorded is kept fresh by the listing, without a call of its own.
   * Empty when DescribeBackup must look: the listing shows it changed, or a complete listing no longer has it.
   */
  Optional<UpdateControl<DynamoBackup>> refreshFromListing(BackupStep step, Connection.Connected aws) {
    var status = step.status();
    var known = status.backupDescription;
    BackupListing current = listing.get();
    if (current == null || !BackupState.AVAILABLE.is(status.backupStatus) || known == null
        || known.backupDetails == null || known.sourceTableDetails == null) {
      return Optional.empty();
    }
    Optional<BackupPage.BackupSummary> listed = listedSummary(step);
    if (listed.isPresent()) {
      if (!BackupState.AVAILABLE.is(listed.get().backupStatus())) {
        return Optional.empty();
      }
      known.backupDetails.backupSizeBytes = listed.get().backupSizeBytes();
      return Optional.of(mirror(step, aws, known));
    }
    Instant created = Optional.ofNullable(known.backupDetails.backupCreationDateTime).map(Instant::parse)
        .orElse(Instant.EPOCH);
    Optional<Instant> listedSince = current.listedSince(aws.roleArn() == null ? "" : aws.roleArn(), aws.region());
    if (listedSince.isPresent() && listedSince.get().isAfter(created.plus(LISTING_LAG))) {
      return Optional.empty(); // not in a complete listing started well after its creation: is it gone?
    }
    return Optional.of(mirror(step, aws, known)); // not listed yet: the next listing will tell
  }

  /** The listing's summary of the recorded backup, if the last pass had it: AWS's word, not the status's. */
  static Optional<BackupPage.BackupSummary> listedSummary(BackupStep step) {
    String arn = step.status().backupArn;
    return arn == null ? Optional.empty() : step.effects().secondary(BackupPage.BackupSummary.class)
        .filter(summary -> arn.equals(summary.backupArn()));
  }

  UpdateControl<DynamoBackup> observe(BackupStep step, Connection.Connected aws, String arn) {
    try {
      return mirror(step, aws, aws.client().describe(aws.region(), arn));
    } catch (AwsFailure failure) {
      if (failure.kind() != AwsFailure.Kind.GONE) {
        return retryAfter(failures.handle(step, Failures.Path.RECONCILE, "DescribeBackup", failure));
      }
      if (step.status().backupArn == null) {
        step.notReady(Reasons.BACKUP_NOT_FOUND, "spec.backupArn names no existing backup: " + arn);
        step.recordWithWarning(Reasons.BACKUP_NOT_FOUND, "no backup " + arn);
        return retryAfter(settings.terminalRetry());
      }
      // Gone behind our back (asked in its own account). Re-creating it would make another point in time: report.
      step.status().backupStatus = BackupState.DELETED.name();
      step.notReady(Reasons.BACKUP_MISSING, "backup " + arn + " no longer exists in AWS (deleted outside"
          + " Kubernetes); the last description is kept");
      step.recordWithWarning(Reasons.BACKUP_MISSING, "backup " + arn + " was deleted outside Kubernetes");
      return UpdateControl.noUpdate();
    }
  }

  /** Records a description just returned by AWS and decides when to look again. */
  UpdateControl<DynamoBackup> mirror(BackupStep step, Connection.Connected aws, BackupDescription description) {
    var status = step.status();
    var backup = step.backup();
    String previous = status.backupStatus;
    status.backupArn = description.backupDetails.backupArn;
    status.backupStatus = description.backupDetails.backupStatus;
    status.backupDescription = merge(status.backupDescription, description);
    status.attempts(null);
    if (status.identity == null) {
      status.identity = identityOf(backup, description);
    }
    Optional<Instant> expiry = SpecRules.expiresAt(backup.getSpec(), status);
    status.expiresAt = expiry.map(Instant::toString).orElse(null);
    if (step.condition(Conditions.CREATING).isPresent()) {
      step.set(Conditions.CREATING, false, Reasons.CREATED, "backup " + status.backupArn + " recorded");
    }
    boolean available = BackupState.AVAILABLE.is(status.backupStatus);
    if (available) {
      step.set(Conditions.READY, true, Reasons.AVAILABLE, "backup " + status.backupArn + " is AVAILABLE");
    } else {
      step.notReady(Reasons.BACKUP_CREATING, "backup " + status.backupArn + " is " + status.backupStatus);
    }
    step.record();
    if (available && !BackupState.AVAILABLE.is(previous)) {
      log.info("{}: backup {} is AVAILABLE", step.id(), status.backupArn);
      step.normal(Reasons.AVAILABLE, "backup " + status.backupArn + " is AVAILABLE");
    }
    if (available && expiry.filter(t -> !t.isAfter(step.now())).isPresent()) {
      return deleter.expire(step, expiry.get());
    }
    if (available && description.sourceTableDetails != null) {
      Duration untilExpiry = expiry.map(t -> Duration.between(step.now(), t)).orElse(settings.resyncPeriod());
      return retryAfter(untilExpiry.compareTo(settings.resyncPeriod()) < 0 ? untilExpiry : settings.resyncPeriod());
    }
    // CREATING, or just created: CreateBackup answers only BackupDetails, DescribeBackup fills in the rest.
    Instant createdAt = Optional.ofNullable(description.backupDetails.backupCreationDateTime)
        .map(Instant::parse).orElse(step.now());
    return retryAfter(settings.creatingPoll(Duration.between(createdAt, step.now())));
  }

  /**
   * The identity of a backup first observed without one recorded: an adoption (spec.backupArn), or an object from
   * before identities were recorded whose backup carries the name it would have been created with. Anything else
   * gets none, and its deletion must prove ownership from AWS's word alone.
   */
  private static BackupIdentity identityOf(DynamoBackup backup, BackupDescription description) {
    Optional<BackupArn> arn = BackupArn.parse(description.backupDetails.backupArn);
    if (arn.isEmpty()) {
      return null;
    }
    var spec = backup.getSpec();
    if (spec.backupArn != null) {
      return new BackupIdentity(BackupIdentity.Origin.Adopted, description.backupDetails.backupName,
          arn.get().table(), arn.get().region(), arn.get().account());
    }
    String name = SpecRules.backupName(backup);
    return Objects.equals(name, description.backupDetails.backupName)
        && Objects.equals(spec.tableName, arn.get().table())
        ? new BackupIdentity(BackupIdentity.Origin.Created, name, arn.get().table(), arn.get().region(),
            arn.get().account())
        : null;
  }

  /** DeleteBackup and CreateBackup answer with less than DescribeBackup: keep what they leave out. */
  static BackupDescription merge(BackupDescription known, BackupDescription fresh) {
    if (known == null) {
      return fresh;
    }
    var merged = new BackupDescription();
    merged.backupDetails = fresh.backupDetails != null ? fresh.backupDetails : known.backupDetails;
    merged.sourceTableDetails = fresh.sourceTableDetails != null ? fresh.sourceTableDetails
        : known.sourceTableDetails;
    merged.sourceTableFeatureDetails = fresh.sourceTableFeatureDetails != null
        ? fresh.sourceTableFeatureDetails : known.sourceTableFeatureDetails;
    return merged;
  }

  static UpdateControl<DynamoBackup> retryAfter(Duration delay) {
    return UpdateControl.<DynamoBackup>noUpdate().rescheduleAfter(delay);
  }
}
