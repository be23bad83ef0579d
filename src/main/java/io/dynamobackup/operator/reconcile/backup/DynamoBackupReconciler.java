package io.dynamobackup.operator.reconcile.backup;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.aws.AccountClient;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.observability.OperatorMetrics;
import io.dynamobackup.operator.policy.AccessPolicy;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.policy.Connector;
import io.dynamobackup.operator.policy.Tenancy;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.ContextEffects;
import io.dynamobackup.operator.reconcile.EventRecorder;
import io.dynamobackup.operator.reconcile.Failures;
import io.dynamobackup.operator.reconcile.Interruption;
import io.dynamobackup.operator.reconcile.Reasons;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import io.dynamobackup.operator.reconcile.SpecRules;
import io.dynamobackup.operator.reconcile.StatusConflict;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Reconciles a DynamoBackup with its AWS backup, like a Crossplane managed resource, in this order: refuse bad input,
 * connect (the policies say through which account, or why not), then observe ({@link BackupObserver}), create or
 * adopt ({@link BackupCreator}), or delete ({@link BackupDeleter}, guarded by {@link DeletionGuard}). Failures become
 * status, events and requeues in one place ({@link Failures}).
 */
@ControllerConfiguration(name = DynamoBackupReconciler.NAME, finalizerName = DynamoBackup.FINALIZER)
public class DynamoBackupReconciler implements Reconciler<DynamoBackup>, Cleaner<DynamoBackup> {

  public static final String NAME = "dynamobackup";
  static final String BACKUP_ARN_MDC = "backupArn";

  private static final Logger log = LoggerFactory.getLogger(DynamoBackupReconciler.class);

  private final Function<String, ? extends AccountClient> clients;
  private final Tenancy tenancy;
  private final ReconcileSettings settings;
  private final String defaultRegion;
  private final Clock clock;
  private final OperatorMetrics metrics;
  private final BooleanSupplier leading;
  private final EventRecorder events;
  private final Failures failures;
  private final BackupObserver observer;
  private final BackupCreator creator;
  private final BackupDeleter deleter;
  private volatile IndexerResourceCache<DynamoBackup> cache;
  private volatile Connector connector;
  private volatile BackupListing listing;
  private volatile RestoresInProgress restores;
  /** A listing pass ran before the policies were read (at start): list again as soon as they are. */
  private final java.util.concurrent.atomic.AtomicBoolean listedBeforePolicies =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * @param clients the client of each AWS account, by the role assumed for it (null: the operator's own)
   * @param tenancy what DynamoBackupPolicies allow each namespace
   * @param defaultRegion the region of objects that name none; may be null
   * @param leading whether this instance reconciles (leader election); a standby lists nothing
   * @param events where its Events go, shared by every kind
   */
  public DynamoBackupReconciler(Function<String, ? extends AccountClient> clients, Tenancy tenancy,
      ReconcileSettings settings, String defaultRegion, Clock clock, OperatorMetrics metrics,
      BooleanSupplier leading, EventRecorder events) {
    this.clients = clients;
    this.tenancy = tenancy;
    this.settings = settings;
    this.defaultRegion = defaultRegion;
    this.clock = clock;
    this.metrics = metrics;
    this.leading = leading;
    this.events = events;
    this.failures = new Failures(settings);
    this.deleter = new BackupDeleter(settings, failures, defaultRegion,
        backup -> connect(backup, BackupIdentities::toDelete), (backup, arn) -> otherClaims(backup, arn, true),
        () -> restores);
    this.observer = new BackupObserver(settings, failures, () -> listing, deleter);
    this.creator = new BackupCreator(settings, failures, observer,
        (backup, arn) -> !otherClaims(backup, arn, false).isEmpty(), defaultRegion);
  }

  @Override
  public List<EventSource<?, DynamoBackup>> prepareEventSources(EventSourceContext<DynamoBackup> context) {
    cache = context.getPrimaryCache();
    cache.addIndexer(BackupListing.ARN_INDEX, BackupListing::arnsOf);
    var policies = tenancy.watch(context);
    connector = new Connector(policies, clients);
    listing = BackupListing.create(clients, this::roleOf, cache, clock, settings.resyncPeriod(), leading, metrics);
    restores = RestoresInProgress.watch(context);
    var sources = new ArrayList<EventSource<?, DynamoBackup>>(policies.eventSources());
    sources.add(listing);
    sources.add(restores.eventSource());
    return sources;
  }

  /** This instance just became the leader: list at once (in the background) rather than at the next period. */
  public void startedLeading() {
    listNow();
  }

  private void listNow() {
    var current = listing;
    if (current != null) {
      var thread = new Thread(current::refreshNow, "backup-listing-now");
      thread.setDaemon(true);
      thread.start();
    }
  }

  @Override
  public UpdateControl<DynamoBackup> reconcile(DynamoBackup backup, Context<DynamoBackup> context) {
    putArnInMdc(backup);
    try {
      return reconcile(new BackupStep(backup, new ContextEffects<>(context, events), clock));
    } finally {
      MDC.remove(BACKUP_ARN_MDC);
    }
  }

  private UpdateControl<DynamoBackup> reconcile(BackupStep step) {
    var backup = step.backup();
    if (listedBeforePolicies.compareAndSet(true, false)) {
      listNow(); // reconciles start once the policies are read: the pass that skipped every object is made up
    }
    if (!step.status().typeErrors().isEmpty()) {
      return unreadableStatus(step);
    }
    Optional<SpecRules.Problem> problem = SpecRules.check(backup)
        .or(() -> BackupIdentities.change(backup, defaultRegion).map(why -> new SpecRules.Problem(
            Reasons.IMMUTABLE_FIELD_CHANGED, why + " Revert it, or create a new DynamoBackup.")));
    if (problem.isPresent()) {
      step.notReady(problem.get().reason(), problem.get().message());
      step.recordWithWarning(problem.get().reason(), problem.get().message());
      return UpdateControl.noUpdate(); // nothing to retry: a spec change triggers the next reconcile
    }
    if (step.isTrue(Conditions.EXPIRED)) {
      if (Recreate.requested(backup)) {
        Recreate.clear(step);
        step.warning(Reasons.RECREATE_IGNORED, Recreate.ANNOTATION + ": the backup expired under spec.retention"
            + " and this object stays as its record; create a new DynamoBackup for a new backup");
      }
      return UpdateControl.noUpdate(); // expired and deleted in AWS; the object stays as its record
    }
    Connection connection;
    try {
      connection = connect(backup, BackupIdentities::toObserve);
    } catch (AwsFailure failure) {
      return BackupObserver.retryAfter(failures.handle(step, Failures.Path.RECONCILE, "Connect", failure));
    }
    if (!(connection instanceof Connection.Connected aws)) {
      return notConnected(step, connection);
    }
    if (Recreate.requested(backup)) {
      return creator.recreate(step, aws);
    }
    var status = step.status();
    Optional<Instant> expiry = SpecRules.expiresAt(backup.getSpec(), status);
    if (status.backupArn != null && expiry.filter(t -> !t.isAfter(clock.instant())).isPresent()
        && io.dynamobackup.operator.api.BackupState.AVAILABLE.is(status.backupStatus)) {
      return deleter.expire(step, expiry.get());
    }
    if (status.backupArn != null) {
      return observer.refreshFromListing(step, aws).orElseGet(() -> observer.observe(step, aws, status.backupArn));
    }
    if (backup.getSpec().backupArn != null) {
      return observer.observe(step, aws, backup.getSpec().backupArn);
    }
    return creator.create(step, aws);
  }

  /** Refused by the policies, or no route to the account yet: said in status and an Event; no AWS call. */
  private UpdateControl<DynamoBackup> notConnected(BackupStep step, Connection connection) {
    String reason = connection instanceof Connection.Refused refused ? refused.reason()
        : ((Connection.Waiting) connection).reason();
    String message = connection instanceof Connection.Refused refused ? refused.message()
        : ((Connection.Waiting) connection).message();
    step.notReady(reason, message);
    step.status().attempts(null);
    if (step.record()) {
      log.info("{}: {}: {}", step.id(), reason, message);
      step.warning(reason, message);
    }
    // a policy or namespace change reconciles again; an account not known yet is asked for again
    return AccessPolicy.ACCOUNT_UNKNOWN.equals(reason) ? BackupObserver.retryAfter(settings.terminalRetry())
        : UpdateControl.noUpdate();
  }

  /**
   * A status with fields of the wrong type (written by another client): acting on what is left could create a
   * second backup or lose one, and writing it back would drop those fields. Nothing is asked of AWS or written; an
   * Event and a log line say why.
   */
  private UpdateControl<DynamoBackup> unreadableStatus(BackupStep step) {
    String message = "the status cannot be read (" + String.join("; ", step.status().typeErrors()) + "); nothing is"
        + " done until it is fixed (kubectl edit --subresource=status) or removed";
    log.warn("{}: {}", step.id(), message);
    step.warning(Reasons.INVALID_STATUS, message);
    return UpdateControl.noUpdate();
  }

  @Override
  public DeleteControl cleanup(DynamoBackup backup, Context<DynamoBackup> context) {
    putArnInMdc(backup);
    try {
      var step = new BackupStep(backup, new ContextEffects<>(context, events), clock);
      if (!step.status().typeErrors().isEmpty()) {
        unreadableStatus(step);
        return DeleteControl.noFinalizerRemoval();
      }
      var control = deleter.cleanup(step);
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

  @Override
  public ErrorStatusUpdateControl<DynamoBackup> updateErrorStatus(DynamoBackup backup,
      Context<DynamoBackup> context, Exception e) {
    String id = backup.getMetadata().getNamespace() + "/" + backup.getMetadata().getName();
    if (Interruption.causedBy(e)) {
      // the operator is stopping; the next leader reconciles this object afresh
      log.debug("{}: reconcile interrupted by shutdown: {}", id, e.toString());
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    if (e instanceof StatusConflict || e.getCause() instanceof StatusConflict) {
      log.info("{}: {}", id, (e instanceof StatusConflict ? e : e.getCause()).getMessage());
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    log.warn("{}: reconcile failed: {}", id, Interruption.describe(e));
    var step = new BackupStep(backup, new ContextEffects<>(context, events), clock);
    step.notReady(Reasons.RECONCILE_ERROR, String.valueOf(e.getMessage()));
    try {
      step.record();
    } catch (StatusConflict conflict) {
      log.info("{}: {}", id, conflict.getMessage());
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  private Connection connect(DynamoBackup backup,
      BiFunction<DynamoBackup, String, Function<AccessPolicy.Grants, AccessPolicy.Decision>> question) {
    return connector.connect(backup.getMetadata().getNamespace(), question.apply(backup, defaultRegion),
        BackupIdentities.region(backup, defaultRegion));
  }

  /** For the listing: the role an object's backup is reached through ("" own); empty: not listed this pass. */
  private Optional<String> roleOf(DynamoBackup backup) {
    var current = connector;
    if (current == null || !current.ready()) {
      listedBeforePolicies.set(true);
      return Optional.empty();
    }
    if (backup.getSpec() == null) {
      return Optional.empty(); // DescribeBackup or the next pass observes it
    }
    try {
      return connect(backup, BackupIdentities::toObserve) instanceof Connection.Connected aws
          ? Optional.of(aws.roleArn() == null ? "" : aws.roleArn()) : Optional.empty();
    } catch (AwsFailure failure) {
      return Optional.empty();
    }
  }

  /** The other objects (namespace/name) whose status records this ARN; only those not being deleted if asked. */
  private List<String> otherClaims(DynamoBackup backup, String arn, boolean liveOnly) {
    return cache.byIndex(BackupListing.ARN_INDEX, arn).stream()
        .filter(other -> !Objects.equals(other.getMetadata().getUid(), backup.getMetadata().getUid()))
        .filter(other -> !liveOnly || !other.isMarkedForDeletion())
        .map(other -> other.getMetadata().getNamespace() + "/" + other.getMetadata().getName())
        .sorted()
        .toList();
  }

  /** JOSDK puts resource.namespace and resource.name in the MDC; the ARN, once known, is ours, for JSON logs. */
  private static void putArnInMdc(DynamoBackup backup) {
    String arn = backup.getStatus() != null && backup.getStatus().backupArn != null ? backup.getStatus().backupArn
        : backup.getSpec() == null ? null : backup.getSpec().backupArn;
    if (arn != null) {
      MDC.put(BACKUP_ARN_MDC, arn);
    }
  }
}
