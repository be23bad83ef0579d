package io.dynamobackup.operator.reconcile;

import io.dynamobackup.operator.api.BackupDescription;
import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.aws.BackupPage;
import io.dynamobackup.operator.aws.BackupQuery;
import io.dynamobackup.operator.aws.BackupStore;
import io.dynamobackup.operator.observability.OperatorMetrics;
import io.dynamobackup.operator.policy.AccessPolicy;
import io.dynamobackup.operator.policy.Tenancy;
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
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Reconciles a DynamoBackup with its AWS backup, like a Crossplane managed resource: observe, then create or adopt,
 * then follow it to AVAILABLE; on deletion, DeleteBackup before the finalizer goes. Every AWS failure arrives
 * classified ({@link AwsFailure.Kind}); the decision here depends on that kind only.
 */
@ControllerConfiguration(name = DynamoBackupReconciler.NAME, finalizerName = DynamoBackup.FINALIZER)
public class DynamoBackupReconciler implements Reconciler<DynamoBackup>, Cleaner<DynamoBackup> {

  public static final String NAME = "dynamobackup";

  // Ready reasons of our own; failures use the AWS error code without its "Exception" suffix.
  static final String AVAILABLE = "Available";
  static final String IN_PROGRESS = "Creating";
  static final String CREATE_REQUESTED = "CreateRequested";
  static final String CREATED = "Created";
  static final String BACKUP_MISSING = "BackupMissing";
  static final String BACKUP_NOT_FOUND = "BackupNotFound";
  static final String DELETED = "Deleted";
  static final String ALREADY_DELETED = "AlreadyDeleted";
  static final String RECONCILE_ERROR = "ReconcileError";
  /** Deleting reason while a restore uses the backup; the same as AWS's BackupInUseException gives. */
  static final String BACKUP_IN_USE = "BackupInUse";
  /** How far before the recorded intent a lookup searches, to allow for clock skew between us and AWS. */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
  static final int MAX_LOOKUP_PAGES = 50;
  static final String BACKUP_ARN_MDC = "backupArn";
  /**
   * ListBackups may lag behind CreateBackup: a backup this young may be missing from a listing. Erring short costs
   * one DescribeBackup, which finds it.
   */
  static final Duration LISTING_LAG = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(DynamoBackupReconciler.class);

  private final Function<String, ? extends BackupStore> stores;
  private final Tenancy tenancy;
  private final ReconcileSettings settings;
  private final EventRecorder events;
  private final Clock clock;
  private final OperatorMetrics metrics;
  private final BooleanSupplier leading;
  private volatile BackupListing listing;
  private volatile RestoresInProgress restores;
  private volatile Tenancy.View<DynamoBackup> policies;

  /**
   * @param stores the store of an AWS account by the role assumed for it (null: the operator's own credentials)
   * @param tenancy what DynamoBackupPolicies allow each namespace
   * @param leading whether this instance reconciles (leader election); a standby lists nothing
   */
  public DynamoBackupReconciler(Function<String, ? extends BackupStore> stores, Tenancy tenancy,
      ReconcileSettings settings, Clock clock, OperatorMetrics metrics, BooleanSupplier leading) {
    this.stores = stores;
    this.tenancy = tenancy;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
    this.leading = leading;
    this.events = new EventRecorder(clock);
  }

  @Override
  public List<EventSource<?, DynamoBackup>> prepareEventSources(EventSourceContext<DynamoBackup> context) {
    context.getPrimaryCache().addIndexer(BackupListing.ARN_INDEX, BackupListing::arnsOf);
    policies = tenancy.watch(context);
    listing = BackupListing.create(stores, this::roleOf, context.getPrimaryCache(), clock, settings.resyncPeriod(),
        leading, metrics);
    restores = RestoresInProgress.watch(context);
    var sources = new ArrayList<EventSource<?, DynamoBackup>>(policies.eventSources());
    sources.add(listing);
    sources.add(restores.eventSource());
    return sources;
  }

  /** This instance just became the leader: list at once (in the background) rather than at the next period. */
  public void startedLeading() {
    var current = listing;
    if (current != null) {
      var thread = new Thread(current::refreshNow, "backup-listing-on-leading");
      thread.setDaemon(true);
      thread.start();
    }
  }

  @Override
  public UpdateControl<DynamoBackup> reconcile(DynamoBackup backup, Context<DynamoBackup> context) {
    putArnInMdc(backup);
    try {
      return reconcileBackup(backup, context);
    } finally {
      MDC.remove(BACKUP_ARN_MDC);
    }
  }

  /** JOSDK puts resource.namespace and resource.name in the MDC; the ARN, once known, is ours, for JSON logs. */
  private static void putArnInMdc(DynamoBackup backup) {
    String arn = backup.getStatus() != null && backup.getStatus().backupArn != null ? backup.getStatus().backupArn
        : backup.getSpec() == null ? null : backup.getSpec().backupArn;
    if (arn != null) {
      MDC.put(BACKUP_ARN_MDC, arn);
    }
  }

  private UpdateControl<DynamoBackup> reconcileBackup(DynamoBackup backup, Context<DynamoBackup> context) {
    var step = new Step(backup, context);
    Optional<SpecRules.Problem> problem = SpecRules.check(backup);
    if (problem.isPresent()) {
      step.notReady(problem.get().reason(), problem.get().message());
      step.recordWithWarning(problem.get().reason(), problem.get().message());
      return UpdateControl.noUpdate(); // nothing to retry: a spec change triggers the next reconcile
    }
    AccessPolicy.Decision decision = access(step.grants(), backup);
    if (!decision.permitted()) {
      return notPermitted(step, decision.message());
    }
    step.store = stores.apply(decision.roleArn());
    if (Recreate.requested(backup)) {
      return recreate(step);
    }
    if (Conditions.isTrue(step.status.conditions, Conditions.EXPIRED)) {
      return UpdateControl.noUpdate(); // expired and deleted in AWS; the object stays as its record
    }
    Optional<Instant> expiry = SpecRules.expiresAt(backup.getSpec(), step.status);
    if ("AVAILABLE".equals(step.status.backupStatus) && expiry.filter(t -> !t.isAfter(clock.instant())).isPresent()) {
      return expire(step, expiry.get());
    }
    if (step.status.backupArn != null) {
      return refreshFromListing(step).orElseGet(() -> observe(step, step.status.backupArn));
    }
    if (backup.getSpec().backupArn != null) {
      return observe(step, backup.getSpec().backupArn);
    }
    return create(step);
  }

  /**
   * What the object asks of AWS, judged by the policies: a recorded backup (its table, region and account), an
   * adoption (spec.backupArn, which a policy must allow), or a new backup of spec.tableName.
   */
  private static AccessPolicy.Decision access(AccessPolicy.Grants grants, DynamoBackup backup) {
    var spec = backup.getSpec();
    var status = backup.getStatus();
    Optional<BackupArn> recorded = BackupArn.parse(status == null ? null : status.backupArn)
        .or(() -> BackupArn.parse(spec.backupArn));
    if (recorded.isEmpty()) {
      return grants.backUp(spec.tableName, spec.region);
    }
    BackupArn arn = recorded.get();
    return spec.backupArn != null ? grants.adopt(arn.table(), arn.region(), arn.account())
        : grants.use(arn.table(), arn.region(), arn.account());
  }

  /** For the listing: the role an object's backup is reached through; empty when it may not be reached at all. */
  private Optional<String> roleOf(DynamoBackup backup) {
    var view = policies;
    if (view == null || !view.ready() || backup.getSpec() == null) {
      return Optional.empty(); // not listed in this pass: DescribeBackup or the next pass observes it
    }
    var decision = access(view.grants(backup.getMetadata().getNamespace()), backup);
    return decision.permitted() ? Optional.of(decision.roleArn() == null ? "" : decision.roleArn())
        : Optional.empty();
  }

  /** Refused by the policies: said once in status and an Event, and no AWS call; a policy change comes back here. */
  private UpdateControl<DynamoBackup> notPermitted(Step step, String message) {
    step.notReady(AccessPolicy.NOT_PERMITTED, message);
    step.status.failedAttempts = null;
    if (step.record()) {
      log.info("{}: not permitted: {}", step.id(), message);
      events.warning(step.context.getClient(), step.backup, AccessPolicy.NOT_PERMITTED, message);
    }
    return UpdateControl.noUpdate();
  }

  /**
   * CreateBackup, exactly once. The intent is recorded in status before the call. Finding an intent but no ARN
   * means an earlier attempt may have created the backup without recording it (a crash, or a call that got no
   * answer): look for it by name first, and give a call that may still be in flight time to show up.
   */
  private UpdateControl<DynamoBackup> create(Step step) {
    String table = step.backup.getSpec().tableName;
    String name = SpecRules.backupName(step.backup);
    Optional<Instant> intent = intentTime(step.status);
    if (intent.isPresent()) {
      try {
        Optional<String> existing = findByName(step, table, name, intent.get().minus(CLOCK_SKEW));
        if (existing.isPresent()) {
          log.info("{}: found backup {} created by an earlier attempt; adopting it", step.id(), existing.get());
          events.normal(step.context.getClient(), step.backup, "AdoptedEarlierAttempt", "backup "
              + existing.get() + " was created by an earlier attempt and is now recorded");
          return observe(step, existing.get());
        }
      } catch (AwsFailure failure) {
        return retryLater(step, "ListBackups", failure);
      }
      Duration age = Duration.between(intent.get(), clock.instant());
      if (age.compareTo(settings.inFlightBound()) < 0) {
        Duration wait = settings.inFlightBound().minus(age);
        step.notReady(IN_PROGRESS, "an earlier CreateBackup of '" + name + "' got no recorded answer; waiting "
            + wait.toSeconds() + "s for it to show up in ListBackups before creating again");
        step.record();
        return UpdateControl.<DynamoBackup>noUpdate().rescheduleAfter(wait);
      }
    }
    step.restart(Conditions.CREATING, true, CREATE_REQUESTED,
        "CreateBackup of table '" + table + "' as backup '" + name + "' requested");
    step.notReady(IN_PROGRESS, "creating backup '" + name + "' of table '" + table + "'");
    step.record();
    try {
      BackupDescription created = step.store.create(step.region(), table, name);
      log.info("{}: created backup {} ({})", step.id(), created.backupDetails.backupArn,
          created.backupDetails.backupStatus);
      events.normal(step.context.getClient(), step.backup, CREATED, "CreateBackup accepted: "
          + created.backupDetails.backupArn);
      return mirror(step, created);
    } catch (AwsFailure failure) {
      if (failure.answered()) {
        // AWS answered with an error, or the call was never sent: nothing was created, the next attempt needs no
        // lookup.
        step.set(Conditions.CREATING, false, failure.reason(), failure.retryAfter().isPresent()
            ? failure.getMessage() : "CreateBackup failed: " + failure);
      }
      return retryLater(step, "CreateBackup", failure);
    }
  }

  /** The dynamobackup.io/recreate annotation: re-create a backup that was deleted outside Kubernetes. */
  private UpdateControl<DynamoBackup> recreate(Step step) {
    boolean missing = Conditions.find(step.status.conditions, Conditions.READY)
        .map(c -> BACKUP_MISSING.equals(c.getReason())).orElse(false);
    if (missing && step.backup.getSpec().backupArn == null) {
      String old = step.status.backupArn;
      step.status.backupArn = null;
      step.status.backupStatus = null;
      step.status.backupDescription = null;
      step.status.failedAttempts = null;
      step.status.conditions.removeIf(c -> Conditions.CREATING.equals(c.getType()));
      Recreate.clear(step.context.getClient(), step.backup);
      log.info("{}: re-creating backup {} as the recreate annotation asks", step.id(), old);
      events.normal(step.context.getClient(), step.backup, "Recreating", "backup " + old
          + " was deleted outside Kubernetes; creating a new one as " + Recreate.ANNOTATION + " asks");
      return create(step);
    }
    Recreate.clear(step.context.getClient(), step.backup);
    String why = missing ? "an adopted backup (spec.backupArn) cannot be re-created; point the object at another"
        + " backup instead" : "the backup is not missing; nothing to re-create";
    events.warning(step.context.getClient(), step.backup, "RecreateIgnored", Recreate.ANNOTATION + ": " + why);
    return step.status.backupArn != null ? observe(step, step.status.backupArn)
        : UpdateControl.<DynamoBackup>noUpdate();
  }

  /**
   * An AVAILABLE backup whose full description is recorded is kept fresh by the listing, without a call of its own.
   * Empty when DescribeBackup must look: the listing shows it changed, or a complete listing no longer has it.
   */
  private Optional<UpdateControl<DynamoBackup>> refreshFromListing(Step step) {
    var status = step.status;
    var known = status.backupDescription;
    if (listing == null || !"AVAILABLE".equals(status.backupStatus) || known == null
        || known.backupDetails == null || known.sourceTableDetails == null) {
      return Optional.empty();
    }
    Optional<BackupPage.BackupSummary> listed = step.context.getSecondaryResource(BackupPage.BackupSummary.class)
        .filter(summary -> status.backupArn.equals(summary.backupArn()));
    if (listed.isPresent()) {
      if (!"AVAILABLE".equals(listed.get().backupStatus())) {
        return Optional.empty();
      }
      known.backupDetails.backupSizeBytes = listed.get().backupSizeBytes();
      return Optional.of(mirror(step, known));
    }
    Instant created = Optional.ofNullable(known.backupDetails.backupCreationDateTime).map(Instant::parse)
        .orElse(Instant.EPOCH);
    Optional<Instant> listedSince = listing.listedSince(roleOf(step.backup).orElse(""), step.region());
    if (listedSince.isPresent() && listedSince.get().isAfter(created.plus(LISTING_LAG))) {
      return Optional.empty(); // not in a complete listing started well after its creation: is it gone?
    }
    return Optional.of(mirror(step, known)); // not listed yet: the next listing will tell
  }

  private UpdateControl<DynamoBackup> observe(Step step, String arn) {
    try {
      return mirror(step, step.store.describe(SpecRules.region(step.backup.getSpec(), step.status), arn));
    } catch (AwsFailure failure) {
      if (failure.kind() != AwsFailure.Kind.GONE) {
        return retryLater(step, "DescribeBackup", failure);
      }
      if (step.status.backupArn == null) {
        step.notReady(BACKUP_NOT_FOUND, "spec.backupArn names no existing backup: " + arn);
        step.recordWithWarning(BACKUP_NOT_FOUND, "no backup " + arn);
        return UpdateControl.<DynamoBackup>noUpdate().rescheduleAfter(settings.terminalRetry());
      }
      // Gone behind our back. Re-creating it would make a different point in time, so only report it.
      step.status.backupStatus = "DELETED";
      step.notReady(BACKUP_MISSING, "backup " + arn + " no longer exists in AWS (deleted outside Kubernetes);"
          + " the last description is kept");
      step.recordWithWarning(BACKUP_MISSING, "backup " + arn + " was deleted outside Kubernetes");
      return UpdateControl.noUpdate();
    }
  }

  /** Records a description just returned by AWS and decides when to look again. */
  private UpdateControl<DynamoBackup> mirror(Step step, BackupDescription description) {
    var status = step.status;
    String previous = status.backupStatus;
    status.backupArn = description.backupDetails.backupArn;
    status.backupStatus = description.backupDetails.backupStatus;
    status.backupDescription = merge(status.backupDescription, description);
    status.failedAttempts = null;
    Optional<Instant> expiry = SpecRules.expiresAt(step.backup.getSpec(), status);
    status.expiresAt = expiry.map(Instant::toString).orElse(null);
    if (Conditions.find(status.conditions, Conditions.CREATING).isPresent()) {
      step.set(Conditions.CREATING, false, CREATED, "backup " + status.backupArn + " recorded");
    }
    boolean available = "AVAILABLE".equals(status.backupStatus);
    if (available) {
      step.set(Conditions.READY, true, AVAILABLE, "backup " + status.backupArn + " is AVAILABLE");
    } else {
      step.notReady(IN_PROGRESS, "backup " + status.backupArn + " is " + status.backupStatus);
    }
    step.record();
    if (available && !"AVAILABLE".equals(previous)) {
      log.info("{}: backup {} is AVAILABLE", step.id(), status.backupArn);
      events.normal(step.context.getClient(), step.backup, AVAILABLE, "backup " + status.backupArn
          + " is AVAILABLE");
    }
    if (available && expiry.filter(t -> !t.isAfter(clock.instant())).isPresent()) {
      return expire(step, expiry.get());
    }
    if (available && description.sourceTableDetails != null) {
      Duration untilExpiry = expiry.map(t -> Duration.between(clock.instant(), t)).orElse(settings.resyncPeriod());
      return UpdateControl.<DynamoBackup>noUpdate()
          .rescheduleAfter(untilExpiry.compareTo(settings.resyncPeriod()) < 0 ? untilExpiry : settings.resyncPeriod());
    }
    // CREATING, or just created: CreateBackup answers only BackupDetails, DescribeBackup fills in the rest.
    Instant createdAt = Optional.ofNullable(description.backupDetails.backupCreationDateTime)
        .map(Instant::parse).orElse(clock.instant());
    return UpdateControl.<DynamoBackup>noUpdate()
        .rescheduleAfter(settings.creatingPoll(Duration.between(createdAt, clock.instant())));
  }

  /**
   * spec.retention reached: DeleteBackup, as the finalizer would, but the object stays with backupStatus DELETED
   * and Expired=True, so that a GitOps tool does not see it vanish and re-create it.
   */
  private UpdateControl<DynamoBackup> expire(Step step, Instant at) {
    String arn = step.status.backupArn;
    String when = "expired at " + at.truncatedTo(ChronoUnit.SECONDS);
    if (SpecRules.deletionPolicy(step.backup.getSpec()) != DeletionPolicy.Delete) {
      step.set(Conditions.EXPIRED, false, "RetainedByPolicy", when + ", but deletionPolicy is Retain: backup "
          + arn + " is kept (retention only deletes what the operator may delete)");
      step.record();
      return UpdateControl.<DynamoBackup>noUpdate().rescheduleAfter(settings.resyncPeriod());
    }
    if (SpecRules.deletionProtected(step.backup.getSpec())) {
      String message = when + ", but spec.deletionProtection is true: backup " + arn + " is kept until it is set"
          + " to false";
      step.set(Conditions.EXPIRED, false, "DeletionProtected", message);
      step.recordWithWarning("ExpiryBlocked", message);
      return UpdateControl.noUpdate(); // lifting the protection is a spec change, which reconciles again
    }
    Optional<String> refused = deletionRefused(step);
    if (refused.isPresent()) {
      String message = when + ", but the backup is kept: " + refused.get();
      step.set(Conditions.EXPIRED, false, AccessPolicy.NOT_PERMITTED, message);
      step.recordWithWarning("ExpiryBlocked", message);
      return UpdateControl.noUpdate(); // a policy change reconciles again
    }
    try {
      step.status.backupDescription = merge(step.status.backupDescription,
          step.store.delete(SpecRules.region(step.backup.getSpec(), step.status), arn));
    } catch (AwsFailure failure) {
      if (failure.kind() != AwsFailure.Kind.GONE) {
        return retryLater(step, "DeleteBackup", failure);
      }
    }
    String message = when + "; backup " + arn + " is DELETED";
    step.status.backupStatus = "DELETED";
    step.status.backupDescription.backupDetails.backupStatus = "DELETED";
    step.status.failedAttempts = null;
    step.set(Conditions.EXPIRED, true, "Expired", message);
    step.notReady("Expired", message);
    step.record();
    log.info("{}: {}", step.id(), message);
    events.normal(step.context.getClient(), step.backup, "Expired", message);
    return UpdateControl.noUpdate();
  }

  @Override
  public DeleteControl cleanup(DynamoBackup backup, Context<DynamoBackup> context) {
    putArnInMdc(backup);
    try {
      var control = cleanupBackup(backup, context);
      if (control.isRemoveFinalizer()) {
        String requested = backup.getMetadata().getDeletionTimestamp();
        if (requested != null) {
          metrics.finalizerReleased(Duration.between(Instant.parse(requested), clock.instant()));
        }
      }
      return control;
    } finally {
      MDC.remove(BACKUP_ARN_MDC);
    }
  }

  private DeleteControl cleanupBackup(DynamoBackup backup, Context<DynamoBackup> context) {
    var step = new Step(backup, context);
    String arn = step.status.backupArn;
    if (SpecRules.deletionProtected(backup.getSpec())) {
      String message = "spec.deletionProtection is true: the object" + (arn != null ? " and backup " + arn : "")
          + " stay until it is set to false";
      step.set(Conditions.DELETION_BLOCKED, true, "DeletionProtection", message);
      step.recordWithWarning("DeletionBlocked", message);
      return DeleteControl.noFinalizerRemoval(); // lifting the protection is a spec change, which cleans up again
    }
    if (Conditions.isTrue(step.status.conditions, Conditions.DELETION_BLOCKED)) {
      step.set(Conditions.DELETION_BLOCKED, false, "ProtectionLifted", "spec.deletionProtection is false");
    }
    if (Conditions.isTrue(step.status.conditions, Conditions.EXPIRED)) {
      return released(step, ALREADY_DELETED, "backup " + arn + " expired and was deleted earlier");
    }
    if (SpecRules.deletionPolicy(backup.getSpec()) == DeletionPolicy.Retain) {
      String what = arn != null ? "backup " + arn : "no backup";
      log.info("{}: deletionPolicy Retain, {} left in AWS", step.id(), what);
      events.normal(context.getClient(), backup, "Retained", "deletionPolicy is Retain: " + what
          + " is left in AWS");
      return DeleteControl.defaultDelete();
    }
    Optional<String> refused = deletionRefused(step);
    if (refused.isPresent()) {
      return releasedKeepingBackup(step, refused.get());
    }
    try {
      Optional<Instant> intent = intentTime(step.status);
      if (arn == null && intent.isPresent() && backup.getSpec() != null) {
        arn = findByName(step, backup.getSpec().tableName, SpecRules.backupName(backup),
            intent.get().minus(CLOCK_SKEW)).orElse(null);
        Duration age = Duration.between(intent.get(), clock.instant());
        if (arn == null && age.compareTo(settings.inFlightBound()) < 0) {
          // A CreateBackup may still be in flight: releasing now could leave its backup behind.
          Duration wait = settings.inFlightBound().minus(age);
          step.set(Conditions.DELETING, true, "WaitingForCreate", "an earlier CreateBackup got no recorded answer;"
              + " waiting " + wait.toSeconds() + "s for it to show up before releasing the object");
          step.record();
          return DeleteControl.noFinalizerRemoval().rescheduleAfter(wait);
        }
      }
      if (arn == null) {
        events.normal(context.getClient(), backup, "NothingToDelete", "no backup was created for this object");
        return DeleteControl.defaultDelete();
      }
      Optional<String> restore = restores.of(backup.getMetadata().getNamespace(), arn);
      if (restore.isPresent()) {
        return waitForRestore(step, arn, restore.get());
      }
      BackupDescription deleted = step.store.delete(SpecRules.region(backup.getSpec(), step.status), arn);
      step.status.backupArn = arn;
      step.status.backupDescription = merge(step.status.backupDescription, deleted);
      return released(step, DELETED, "DeleteBackup confirmed: backup " + arn + " is DELETED");
    } catch (AwsFailure failure) {
      if (failure.kind() == AwsFailure.Kind.GONE) {
        return released(step, ALREADY_DELETED, "backup " + arn + " was already gone (BackupNotFound)");
      }
      if (failure.retryAfter().isPresent()) {
        step.record(); // a WaitingForCreate condition, if set above; nothing else changed
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(failure.retryAfter().get());
      }
      Duration delay = delayAfter(step, failure);
      String call = arn == null ? "ListBackups (looking for an unrecorded backup)" : "DeleteBackup of " + arn;
      String message = call + " failed: " + failure + "; retry " + step.status.failedAttempts
          + " at " + clock.instant().plus(delay).truncatedTo(ChronoUnit.SECONDS);
      step.set(Conditions.DELETING, true, failure.reason(), message);
      step.recordWithWarning("DeleteFailed", message);
      log.info("{}: {}", step.id(), message);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(delay);
    }
  }

  /**
   * Whether the policies refuse DeleteBackup for this object: its namespace, table, region or account is not
   * covered, or no covering policy allows deletion. Empty when permitted; the step then has the account's store.
   */
  private Optional<String> deletionRefused(Step step) {
    var spec = step.backup.getSpec();
    Optional<BackupArn> arn = BackupArn.parse(step.status.backupArn)
        .or(() -> BackupArn.parse(spec == null ? null : spec.backupArn));
    if (arn.isEmpty() && intentTime(step.status).isEmpty()) {
      step.store = stores.apply(null);
      return Optional.empty(); // nothing was asked of AWS, so nothing will be
    }
    AccessPolicy.Decision decision = arn.isPresent()
        ? step.grants().delete(arn.get().table(), arn.get().region(), arn.get().account())
        : step.grants().delete(spec == null ? null : spec.tableName, spec == null ? null : spec.region, null);
    if (!decision.permitted()) {
      return Optional.of(decision.message());
    }
    step.store = stores.apply(decision.roleArn());
    return Optional.empty();
  }

  /** Nothing is deleted that the namespace may not delete: the object goes, its backup stays, and an Event says so. */
  private DeleteControl releasedKeepingBackup(Step step, String why) {
    String arn = step.status.backupArn != null ? step.status.backupArn
        : step.backup.getSpec() == null ? null : step.backup.getSpec().backupArn;
    String message = (arn != null ? "backup " + arn + " is kept in AWS" : "no AWS call made") + ": " + why;
    step.set(Conditions.DELETING, false, AccessPolicy.NOT_PERMITTED, message);
    step.notReady(AccessPolicy.NOT_PERMITTED, message);
    step.record();
    log.info("{}: released without DeleteBackup: {}", step.id(), message);
    events.warning(step.context.getClient(), step.backup, AccessPolicy.NOT_PERMITTED, message);
    return DeleteControl.defaultDelete();
  }

  /**
   * A DynamoRestore of ours is restoring from this backup: DeleteBackup would answer BackupInUseException, so the
   * finalizer stays and the deletion looks again, less often the longer the restore runs.
   */
  private DeleteControl waitForRestore(Step step, String arn, String restore) {
    String message = "backup " + arn + " is being restored by DynamoRestore " + restore + "; DeleteBackup waits"
        + " until that restore has finished";
    step.set(Conditions.DELETING, true, BACKUP_IN_USE, message);
    if (step.record()) {
      log.info("{}: {}", step.id(), message);
      events.normal(step.context.getClient(), step.backup, "WaitingForRestore", message);
    }
    Instant waitingSince = Conditions.find(step.status.conditions, Conditions.DELETING)
        .map(c -> Instant.parse(c.getLastTransitionTime())).orElse(clock.instant());
    return DeleteControl.noFinalizerRemoval()
        .rescheduleAfter(settings.creatingPoll(Duration.between(waitingSince, clock.instant())));
  }

  /** The final status is written before the finalizer goes, so watchers see DELETED on the object. */
  private DeleteControl released(Step step, String reason, String message) {
    var status = step.status;
    status.backupStatus = "DELETED";
    if (status.backupDescription != null && status.backupDescription.backupDetails != null) {
      status.backupDescription.backupDetails.backupStatus = "DELETED";
    }
    status.failedAttempts = null;
    step.set(Conditions.DELETING, false, reason, message);
    step.notReady(reason, message);
    step.record();
    log.info("{}: {}", step.id(), message);
    events.normal(step.context.getClient(), step.backup, reason, message);
    return DeleteControl.defaultDelete();
  }

  @Override
  public ErrorStatusUpdateControl<DynamoBackup> updateErrorStatus(DynamoBackup backup,
      Context<DynamoBackup> context, Exception e) {
    if (Interruption.causedBy(e)) {
      // the operator is stopping; the next leader reconciles this object afresh
      log.debug("{}/{}: reconcile interrupted by shutdown: {}", backup.getMetadata().getNamespace(),
          backup.getMetadata().getName(), e.toString());
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    log.warn("{}/{}: reconcile failed: {}", backup.getMetadata().getNamespace(), backup.getMetadata().getName(),
        Interruption.describe(e));
    var step = new Step(backup, context);
    step.notReady(RECONCILE_ERROR, String.valueOf(e.getMessage()));
    backup.setStatus(step.status);
    return ErrorStatusUpdateControl.patchStatus(backup);
  }

  private UpdateControl<DynamoBackup> retryLater(Step step, String call, AwsFailure failure) {
    if (failure.retryAfter().isPresent()) {
      // Held back by the rate limit, not failed: come back at the reserved slot; only what changed is written.
      step.record();
      return UpdateControl.<DynamoBackup>noUpdate().rescheduleAfter(failure.retryAfter().get());
    }
    Duration delay = delayAfter(step, failure);
    String message = call + " failed: " + failure + "; retry " + step.status.failedAttempts + " at "
        + clock.instant().plus(delay).truncatedTo(ChronoUnit.SECONDS);
    step.notReady(failure.reason(), message);
    step.recordWithWarning(call.replaceAll("Backups?$", "") + "Failed", message);
    log.info("{}: {}", step.id(), message);
    return UpdateControl.<DynamoBackup>noUpdate().rescheduleAfter(delay);
  }

  private Duration delayAfter(Step step, AwsFailure failure) {
    int attempts = step.status.failedAttempts == null ? 1 : step.status.failedAttempts + 1;
    step.status.failedAttempts = attempts;
    return failure.kind() == AwsFailure.Kind.TERMINAL ? settings.terminalRetry()
        : settings.retryBackoff().delay(attempts);
  }

  /** When CreateBackup was last requested without its answer recorded, if it was. */
  private static Optional<Instant> intentTime(DynamoBackupStatus status) {
    return Conditions.find(status.conditions, Conditions.CREATING)
        .filter(c -> "True".equals(c.getStatus()))
        .map(c -> Instant.parse(c.getLastTransitionTime()));
  }

  /** The earliest backup of the table with this name created since {@code since}, paging through ListBackups. */
  private Optional<String> findByName(Step step, String table, String name, Instant since) {
    String region = step.region();
    BackupQuery query = BackupQuery.ofTable(table).createdAfter(since);
    Optional<BackupPage.BackupSummary> earliest = Optional.empty();
    for (int page = 0; page < MAX_LOOKUP_PAGES; page++) {
      BackupPage result = step.store.list(region, query);
      Optional<BackupPage.BackupSummary> match = result.backups().stream()
          .filter(b -> name.equals(b.backupName()))
          .min(Comparator.comparing(BackupPage.BackupSummary::createdAt));
      if (match.isPresent() && (earliest.isEmpty()
          || match.get().createdAt().isBefore(earliest.get().createdAt()))) {
        earliest = match;
      }
      if (!result.hasMore()) {
        return earliest.map(BackupPage.BackupSummary::backupArn);
      }
      query = query.startingAfter(result.lastEvaluatedBackupArn());
    }
    throw new AwsFailure(AwsFailure.Kind.RETRYABLE, "LookupIncomplete", "more than " + MAX_LOOKUP_PAGES
        + " pages of backups of table " + table + "; the lookup is retried");
  }

  /** DeleteBackup and CreateBackup answer with less than DescribeBackup: keep what they leave out. */
  private static BackupDescription merge(BackupDescription known, BackupDescription fresh) {
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

  /** One reconcile's working state: the object, the status being built, and what it was before. */
  private final class Step {
    final DynamoBackup backup;
    final Context<DynamoBackup> context;
    final DynamoBackupStatus status;
    final String before;
    /** The store of the account the policies route this object to; set once they permit it. */
    BackupStore store;

    Step(DynamoBackup backup, Context<DynamoBackup> context) {
      this.backup = backup;
      this.context = context;
      this.before = StatusRecorder.snapshot(backup.getStatus());
      this.status = backup.getStatus() != null ? backup.getStatus() : new DynamoBackupStatus();
      if (status.conditions == null) {
        status.conditions = new ArrayList<>();
      }
    }

    String id() {
      return backup.getMetadata().getNamespace() + "/" + backup.getMetadata().getName();
    }

    String region() {
      return SpecRules.region(backup.getSpec(), status);
    }

    AccessPolicy.Grants grants() {
      return policies.grants(backup.getMetadata().getNamespace());
    }

    void set(String type, boolean value, String reason, String message) {
      Conditions.set(status.conditions, type, value, reason, message, backup.getMetadata().getGeneration(),
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

    /** Writes the status if this step changed it; returns whether it did. */
    boolean record() {
      status.observedGeneration = backup.getMetadata().getGeneration();
      return StatusRecorder.recordCarryingVersion(backup, context, status, before);
    }

    /** Records, and emits a Warning event when the status is new (a repeated failure stays quiet). */
    void recordWithWarning(String eventReason, String message) {
      if (record()) {
        events.warning(context.getClient(), backup, eventReason, message);
      }
    }
  }
}
