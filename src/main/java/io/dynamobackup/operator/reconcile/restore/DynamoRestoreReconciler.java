package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.aws.AccountClient;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.policy.AccessPolicy;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.policy.Connector;
import io.dynamobackup.operator.policy.Tenancy;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.ContextEffects;
import io.dynamobackup.operator.reconcile.EventRecorder;
import io.dynamobackup.operator.reconcile.Failures;
import io.dynamobackup.operator.reconcile.Reasons;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import io.dynamobackup.operator.reconcile.SpecRules;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores a backup, or a table at a point in time, into a new table, exactly once, and follows it until it is
 * ACTIVE with its settings in place; on deletion, deletes the table only under deletionPolicy Delete. The same
 * lifecycle as a DynamoBackup: refuse bad input, connect through the source's account, then start
 * ({@link RestoreStarter}, {@link RestoreRequester}), observe ({@link RestoreObserver}) or delete
 * ({@link RestoreDeleter}).
 */
@ControllerConfiguration(name = DynamoRestoreReconciler.NAME, finalizerName = DynamoRestore.FINALIZER)
public class DynamoRestoreReconciler implements Reconciler<DynamoRestore>, Cleaner<DynamoRestore> {

  public static final String NAME = "dynamorestore";

  private static final Logger log = LoggerFactory.getLogger(DynamoRestoreReconciler.class);

  private final Function<String, ? extends AccountClient> clients;
  private final Tenancy tenancy;
  private final Clock clock;
  private final EventRecorder events;
  private final Failures failures;
  private final RestoreStarter starter;
  private final RestoreRequester requester;
  private final RestoreObserver observer;
  private final RestoreDeleter deleter;
  private volatile Connector connector;
  private volatile IndexerResourceCache<DynamoRestore> cache;

  /** @param clients the client of each AWS account, by the role assumed for it (null: the operator's own) */
  public DynamoRestoreReconciler(Function<String, ? extends AccountClient> clients, Tenancy tenancy,
      ReconcileSettings settings, Clock clock, EventRecorder events) {
    this.clients = clients;
    this.tenancy = tenancy;
    this.clock = clock;
    this.events = events;
    this.failures = new Failures(settings);
    RestoreConnector connect = this::connect;
    this.observer = new RestoreObserver(settings, failures, new TableSettingsApplier(settings, clock));
    this.requester = new RestoreRequester(settings, failures, observer, step -> others(step, false));
    this.starter = new RestoreStarter(settings, failures, connect, new PointInTimeSources(), requester);
    this.deleter = new RestoreDeleter(settings, failures, connect, requester, this::others);
  }

  @Override
  public List<EventSource<?, DynamoRestore>> prepareEventSources(EventSourceContext<DynamoRestore> context) {
    cache = context.getPrimaryCache();
    var policies = tenancy.watch(context);
    connector = new Connector(policies, clients);
    return policies.eventSources();
  }

  @Override
  public UpdateControl<DynamoRestore> reconcile(DynamoRestore restore, Context<DynamoRestore> context) {
    var step = new RestoreStep(restore, new ContextEffects<>(context, events), clock);
    if (!step.status().typeErrors().isEmpty()) {
      return unreadableStatus(step);
    }
    Optional<SpecRules.Problem> problem = RestoreRules.check(restore);
    if (problem.isPresent()) {
      step.notReady(problem.get().reason(), problem.get().message());
      step.recordWithWarning(problem.get().reason(), problem.get().message());
      return UpdateControl.noUpdate(); // nothing to retry: a spec change triggers the next reconcile
    }
    String source = RestoreRules.recordedSource(step.status());
    if (source == null) {
      return starter.start(step);
    }
    Connection connection = connect(step, RestoreAccess.toReach(step.spec(), source), step.region());
    if (!(connection instanceof Connection.Connected aws)) {
      return notConnected(step, connection, null);
    }
    if (step.status().tableArn != null) {
      return observer.observe(step, aws);
    }
    Optional<Instant> intent = step.intent();
    return intent.isPresent() ? requester.resume(step, aws, intent.get()) : starter.start(step);
  }

  @Override
  public DeleteControl cleanup(DynamoRestore restore, Context<DynamoRestore> context) {
    var step = new RestoreStep(restore, new ContextEffects<>(context, events), clock);
    if (!step.status().typeErrors().isEmpty()) {
      unreadableStatus(step);
      return DeleteControl.noFinalizerRemoval();
    }
    return deleter.cleanup(step);
  }

  @Override
  public ErrorStatusUpdateControl<DynamoRestore> updateErrorStatus(DynamoRestore restore,
      Context<DynamoRestore> context, Exception e) {
    failures.unexpected(restore.getMetadata().getNamespace() + "/" + restore.getMetadata().getName(), e,
        () -> new RestoreStep(restore, new ContextEffects<>(context, events), clock));
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  private Connection connect(RestoreStep step, Function<AccessPolicy.Grants, AccessPolicy.Decision> question,
      String region) {
    try {
      return connector.connect(step.namespace(), question, region);
    } catch (AwsFailure failure) {
      return new Connection.Waiting(failure.reason(), "the account cannot be reached: " + failure.getMessage());
    }
  }

  /** Other DynamoRestores aiming at the same target name, as they recorded it; only live ones if asked. */
  private List<TableOwnership.OtherRestore> others(RestoreStep step, boolean liveOnly) {
    String target = step.target();
    return cache.list(other -> other.getSpec() != null && target.equals(other.getSpec().targetTableName)
            && !Objects.equals(other.getMetadata().getUid(), step.resource().getMetadata().getUid())
            && (!liveOnly || !other.isMarkedForDeletion()))
        .map(other -> {
          var status = other.getStatus();
          return status == null ? new TableOwnership.OtherRestore(name(other), null, null, null, null)
              : new TableOwnership.OtherRestore(name(other), status.tableArn, status.tableId,
                  io.dynamobackup.operator.reconcile.CreateIntent.of(status.conditionList(), Conditions.RESTORING,
                      Reasons.RESTORE_REQUESTED).orElse(null), RestoreRules.recordedSource(status));
        })
        .toList();
  }

  private static String name(DynamoRestore restore) {
    return restore.getMetadata().getNamespace() + "/" + restore.getMetadata().getName();
  }

  /** Refused by the policies, or no route to the account yet: said in status and an Event; no AWS call. */
  static UpdateControl<DynamoRestore> notConnected(RestoreStep step, Connection connection,
      ReconcileSettings settings) {
    String reason = connection instanceof Connection.Refused refused ? refused.reason()
        : ((Connection.Waiting) connection).reason();
    String message = connection instanceof Connection.Refused refused ? refused.message()
        : ((Connection.Waiting) connection).message();
    step.notReady(reason, message);
    step.recordWithWarning(reason, message);
    // a policy or namespace change reconciles again; an account not known yet is asked for again
    return AccessPolicy.ACCOUNT_UNKNOWN.equals(reason) && settings != null
        ? RestoreStarter.retry(settings.terminalRetry()) : UpdateControl.noUpdate();
  }

  static UpdateControl<DynamoRestore> tableAlreadyExists(RestoreStep step, String message,
      ReconcileSettings settings) {
    step.notReady(Reasons.TABLE_ALREADY_EXISTS, message);
    step.recordWithWarning(Reasons.TABLE_ALREADY_EXISTS, message);
    return RestoreStarter.retry(settings.terminalRetry());
  }

  private UpdateControl<DynamoRestore> unreadableStatus(RestoreStep step) {
    failures.unreadableStatus(step, step.status().typeErrors());
    return UpdateControl.noUpdate();
  }
}
