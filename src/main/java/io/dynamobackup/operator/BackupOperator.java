package io.dynamobackup.operator;

import io.dynamobackup.operator.api.LenientlyRead;
import io.dynamobackup.operator.aws.AwsAccounts;
import io.dynamobackup.operator.config.LeaderElection;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.observability.FleetCaches;
import io.dynamobackup.operator.observability.OperatorMetrics;
import io.dynamobackup.operator.policy.Tenancy;
import io.dynamobackup.operator.reconcile.EventRecorder;
import io.dynamobackup.operator.reconcile.schedule.DynamoBackupScheduleReconciler;
import io.dynamobackup.operator.reconcile.restore.DynamoRestoreReconciler;
import io.dynamobackup.operator.reconcile.schedule.RunNow;
import io.dynamobackup.operator.reconcile.backup.DynamoBackupReconciler;
import io.dynamobackup.operator.reconcile.backup.EventFilters;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.api.config.Cloner;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.javaoperatorsdk.operator.processing.Controller;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Assembles the JOSDK operator: one place for the settings every deployment (cluster, sandbox, tests) shares. */
public final class BackupOperator {

  private static final Logger log = LoggerFactory.getLogger(BackupOperator.class);

  private BackupOperator() {}

  /**
   * @param accounts DynamoDB's backup and table calls, per AWS account (the operator's own, and the roles that
   *     DynamoBackupPolicies name)
   * @param metrics where reconcile and backup metrics go (the store reports its AWS calls on its own)
   * @param onLostLeadership run when this instance stops leading while it was not asked to stop: the process
   *     should then exit, so that it never reconciles next to the new leader
   */
  public static Operator create(KubernetesClient client, AwsAccounts accounts, OperatorConfig config, Clock clock,
      OperatorMetrics metrics, Runnable onLostLeadership) {
    var tenancy = new Tenancy(config.defaultRegion(), accounts::ownAccount);
    // Without leader election this instance always leads; with it, from the Lease's callbacks on.
    AtomicBoolean leading = new AtomicBoolean(!config.leaderElection().enabled());
    var events = new EventRecorder(clock); // one writer thread for the Events of every kind
    var backups = new DynamoBackupReconciler(accounts::store, tenancy, config.reconcile(), config.defaultRegion(),
        clock, metrics, leading::get, events);
    var operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          .withConcurrentReconciliationThreads(config.reconcileThreads())
          .withMetrics(metrics.reconcileMetrics())
          // Plain JSON patches and optimistic-locking updates: they work on every API server, and the finalizer
          // and conditions are replaced, never merged into stale copies.
          .withUseSSAToPatchPrimaryResource(false)
          .withSSABasedCreateUpdateMatchForDependentResources(false)
          .withResourceCloner(new Cloner() {
            @Override
            public <R extends HasMetadata> R clone(R object) {
              R copy = client.getKubernetesSerialization().clone(object);
              // A clone goes through JSON, which the wrongly typed fields of a spec or status did not survive: keep
              // the record of them, so that the reconciler refuses the object instead of ignoring the fields.
              if (object instanceof CustomResource<?, ?> original && copy instanceof CustomResource<?, ?> cloned) {
                copyTypeErrors(original.getSpec(), cloned.getSpec());
                copyTypeErrors(original.getStatus(), cloned.getStatus());
              }
              return copy;
            }
          });
      if (config.leaderElection().enabled()) {
        o.withLeaderElectionConfiguration(leaderElection(config.leaderElection(), () -> {
          leading.set(true);
          backups.startedLeading();
        }, () -> {
          leading.set(false);
          onLostLeadership.run();
        }));
      }
    });
    var backupsController = operator.register(backups, controller -> {
      watchScope(controller, config);
      controller.withReconciliationMaxInterval(config.reconcile().resyncPeriod());
      controller.withRetry(unlimitedRetry(config.reconcile().resyncPeriod()));
      // Generation-awareness alone would miss the recreate annotation; this filter covers both.
      controller.withGenerationAware(false).withOnUpdateFilter(EventFilters.relevantUpdates());
    });
    var schedulesController = operator.register(new DynamoBackupScheduleReconciler(config.reconcile(), clock, events),
        controller -> {
          watchScope(controller, config);
          // a schedule that meets errors comes back by its next look at the latest, never stops for hours
          controller.withReconciliationMaxInterval(config.reconcile().scheduleRecheck());
          controller.withRetry(unlimitedRetry(config.reconcile().scheduleRecheck()));
          controller.withGenerationAware(false).withOnUpdateFilter((updated, previous) ->
              !java.util.Objects.equals(updated.getMetadata().getGeneration(), previous.getMetadata().getGeneration())
                  || RunNow.requestChanged(updated, previous));
        });
    // Restores run in their source backup's account, through the role the policies give for it.
    var restoresController = operator.register(new DynamoRestoreReconciler(accounts::store, tenancy,
        config.reconcile(), clock, events), controller -> {
          watchScope(controller, config);
          controller.withReconciliationMaxInterval(config.reconcile().resyncPeriod());
          controller.withRetry(unlimitedRetry(config.reconcile().resyncPeriod()));
        });
    metrics.observe(new FleetCaches(primaryCache(backupsController), primaryCache(schedulesController),
        primaryCache(restoresController), () -> operator.getRuntimeInfo().isStarted()), leading::get, clock);
    return operator;
  }

  /**
   * JOSDK's default gives up after a few attempts and then waits for the next event, which may be hours away; an
   * error that is not an AWS failure (those the reconcilers handle) is retried with backoff up to {@code max}.
   */
  private static GenericRetry unlimitedRetry(Duration max) {
    return new GenericRetry().setInitialInterval(Duration.ofSeconds(1)).setIntervalMultiplier(2)
        .setMaxInterval(max.toMillis()).withoutMaxAttempts();
  }

  private static void copyTypeErrors(Object original, Object copy) {
    if (original instanceof LenientlyRead read && copy instanceof LenientlyRead copied) {
      copied.typeErrors().addAll(read.typeErrors());
    }
  }

  /**
   * The informer cache of a controller's primary resources, the one its reconciler reads: JOSDK hands it to the
   * reconciler only, but the controller that {@code register} returns is the one that holds it.
   */
  private static <P extends HasMetadata> Supplier<Stream<P>> primaryCache(RegisteredController<P> registered) {
    var controller = (Controller<P>) registered;
    return () -> controller.getEventSourceManager().getControllerEventSource().list();
  }

  /**
   * The namespaces and the shard (label selector) a controller watches. Its secondary informers of our kinds inherit
   * both (see RestoresInProgress); policies and namespaces are read cluster-wide by every shard.
   */
  private static void watchScope(ControllerConfigurationOverrider<?> controller, OperatorConfig config) {
    if (!config.watchNamespaces().isEmpty()) {
      controller.settingNamespaces(config.watchNamespaces());
    }
    if (config.labelSelector() != null) {
      controller.withLabelSelector(config.labelSelector());
    }
  }

  private static io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration leaderElection(
      LeaderElection election, Runnable onStartedLeading, Runnable onLostLeadership) {
    var builder = LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(election.leaseName())
        .withLeaseDuration(election.leaseDuration())
        .withRenewDeadline(election.renewDeadline())
        .withRetryPeriod(election.retryPeriod())
        // JOSDK's own exit calls System.exit from the stop path, which hangs inside a shutdown hook; the caller
        // decides instead, and knows whether a stop was asked for.
        .withExitOnStopLeading(false)
        .withLeaderCallbacks(new LeaderCallbacks(
            () -> {
              log.info("leading: this instance reconciles");
              onStartedLeading.run();
            },
            onLostLeadership,
            leader -> log.info("leader is {}", leader)));
    if (election.leaseNamespace() != null) {
      builder.withLeaseNamespace(election.leaseNamespace());
    }
    if (election.identity() != null) {
      builder.withIdentity(election.identity());
    }
    return builder.build();
  }
}
