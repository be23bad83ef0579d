package io.dynamobackup.operator;

import io.dynamobackup.operator.aws.BackupStore;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.reconcile.DynamoBackupReconciler;
import io.dynamobackup.operator.reconcile.DynamoBackupScheduleReconciler;
import io.dynamobackup.operator.reconcile.EventFilters;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;

/** Assembles the JOSDK operator: one place for the settings every deployment (cluster, sandbox, tests) shares. */
public final class BackupOperator {

  private BackupOperator() {}

  public static Operator create(KubernetesClient client, BackupStore store, OperatorConfig config, Clock clock) {
    var operator = new Operator(o -> o
        .withKubernetesClient(client)
        .withCloseClientOnStop(false)
        .withConcurrentReconciliationThreads(config.reconcileThreads())
        // Plain JSON patches and optimistic-locking updates: they work on every API server, and the finalizer and
        // conditions are replaced, never merged into stale copies.
        .withUseSSAToPatchPrimaryResource(false)
        .withSSABasedCreateUpdateMatchForDependentResources(false));
    operator.register(new DynamoBackupReconciler(store, config.reconcile(), clock), controller -> {
      if (!config.watchNamespaces().isEmpty()) {
        controller.settingNamespaces(config.watchNamespaces());
      }
      controller.withReconciliationMaxInterval(config.reconcile().resyncPeriod());
      // Generation-awareness alone would miss the recreate annotation; this filter covers both.
      controller.withGenerationAware(false).withOnUpdateFilter(EventFilters.relevantUpdates());
    });
    operator.register(new DynamoBackupScheduleReconciler(config.reconcile(), clock), controller -> {
      if (!config.watchNamespaces().isEmpty()) {
        controller.settingNamespaces(config.watchNamespaces());
      }
    });
    return operator;
  }
}
