package io.dynamobackup.operator;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.aws.AwsAccounts;
import io.dynamobackup.operator.config.LeaderElection;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.observability.OperatorMetrics;
import io.dynamobackup.operator.policy.Tenancy;
import io.dynamobackup.operator.reconcile.DynamoBackupReconciler;
import io.dynamobackup.operator.reconcile.DynamoBackupScheduleReconciler;
import io.dynamobackup.operator.reconcile.DynamoRestoreReconciler;
import io.dynamobackup.operator.reconcile.EventFilters;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.Cloner;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Assembles the JOSDK operator: one place for the settings every deployment (cluster, sandbox, tests) shares. */
public final class BackupOperator {

  private static final Logger log = LoggerFactory.getLogger(BackupOperator.class);

  private BackupOperator() {}

  /** With fresh metrics and no reaction to a lost leadership beyond a log line. */
  public static Operator create(KubernetesClient client, AwsAccounts accounts, OperatorConfig config, Clock clock) {
    return create(client, accounts, config, clock, OperatorMetrics.create(), () -> { });
  }

  /**
   * @param accounts DynamoDB's backup and table calls, per AWS account (the operator's own, and the roles that
   *     DynamoBackupPolicies name)
   * @param metrics where reconcile and backup metrics go (the store reports its AWS calls on its own)
   * @param onLostLeadership run when this instance stops leading while it was not asked to stop: the process
   *     should then exit, so that it never reconciles next to the new leader
   */
  public static Operator create(KubernetesClient client, AwsAccounts accounts, OperatorConfig config, Clock clock,
      OperatorMetrics metrics, Runnable onLostLeadership) {
    var tenancy = new Tenancy(config.defaultRegion());
    // Without leader election this instance always leads; with it, from the Lease's callbacks on.
    AtomicBoolean leading = new AtomicBoolean(!config.leaderElection().enabled());
    var backups = new DynamoBackupReconciler(accounts::store, tenancy, config.reconcile(), clock, metrics,
        leading::get);
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
              // A clone goes through JSON, which the wrongly typed fields of a spec did not survive: keep the
              // record of them, so that the reconciler refuses the spec instead of ignoring the fields.
              if (object instanceof DynamoBackup original && copy instanceof DynamoBackup cloned
                  && original.getSpec() != null && cloned.getSpec() != null) {
                cloned.getSpec().typeErrors().addAll(original.getSpec().typeErrors());
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
    operator.register(backups, controller -> {
      watchScope(controller, config);
      controller.withReconciliationMaxInterval(config.reconcile().resyncPeriod());
      // Generation-awareness alone would miss the recreate annotation; this filter covers both.
      controller.withGenerationAware(false).withOnUpdateFilter(EventFilters.relevantUpdates());
    });
    operator.register(new DynamoBackupScheduleReconciler(config.reconcile(), clock),
        controller -> watchScope(controller, config));
    // Restores run in their source backup's account, through the role the policies give for it.
    operator.register(new DynamoRestoreReconciler(accounts::store, accounts::store, tenancy.restorePermission(),
        config.reconcile(), clock), controller -> {
          watchScope(controller, config);
          controller.withReconciliationMaxInterval(config.reconcile().resyncPeriod());
        });
    return operator;
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
