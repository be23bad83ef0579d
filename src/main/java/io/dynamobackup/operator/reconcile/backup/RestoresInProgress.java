package io.dynamobackup.operator.reconcile.backup;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.reconcile.Conditions;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's own knowledge of which backups are being restored: a DynamoRestore with Restoring=True and that
 * backup as its recorded source. Asked before DeleteBackup, which AWS would answer with BackupInUseException. An
 * informer, so that asking costs no API call (a mass delete asks a thousand times), and a restore that changes
 * reconciles the DynamoBackup it restores from: a deletion waiting for it goes on as soon as it ends.
 */
final class RestoresInProgress {

  private final InformerEventSource<DynamoRestore, DynamoBackup> restores;

  private RestoresInProgress(InformerEventSource<DynamoRestore, DynamoBackup> restores) {
    this.restores = restores;
  }

  /**
   * Watches DynamoRestores in the backup controller's namespaces and shard (its label selector); the primaries' ARN
   * index maps them back. A restore in another shard than its source backup is not seen here: AWS's
   * BackupInUseException then holds the deletion instead.
   */
  static RestoresInProgress watch(EventSourceContext<DynamoBackup> context) {
    return new RestoresInProgress(new InformerEventSource<>(
        InformerEventSourceConfiguration.from(DynamoRestore.class, DynamoBackup.class)
            .withName("restores")
            .withNamespacesInheritedFromController()
            .withLabelSelector(context.getControllerConfiguration().getInformerConfig().getLabelSelector())
            .withSecondaryToPrimaryMapper(restore -> sourceOf(restore)
                .map(arn -> context.getPrimaryCache().byIndex(BackupListing.ARN_INDEX, arn).stream()
                    .filter(b -> b.getMetadata().getNamespace().equals(restore.getMetadata().getNamespace()))
                    .map(ResourceID::fromResource)
                    .collect(Collectors.toSet()))
                .orElse(Set.of()))
            .build(), context));
  }

  InformerEventSource<DynamoRestore, DynamoBackup> eventSource() {
    return restores;
  }

  /**
   * A DynamoRestore of the namespace that says it is restoring from {@code backupArn}, as it recorded it: its
   * name, its target table, and when it asked for the restore. Its own word only: the caller confirms it in AWS.
   */
  Optional<Restoring> of(String namespace, String backupArn) {
    return restores.list(namespace, r -> backupArn.equals(sourceOf(r).orElse(null))
            && Conditions.isTrue(r.getStatus().conditions, Conditions.RESTORING))
        .sorted(Comparator.comparing(r -> r.getMetadata().getName()))
        .map(r -> new Restoring(r.getMetadata().getName(), r.getSpec() == null ? null : r.getSpec().targetTableName,
            Conditions.find(r.getStatus().conditions, Conditions.RESTORING)
                .map(c -> Instant.parse(c.getLastTransitionTime())).orElse(null)))
        .findFirst();
  }

  /** A restore from the backup, as the DynamoRestore object tells it. */
  record Restoring(String name, String targetTable, Instant requestedAt) {}

  private static Optional<String> sourceOf(DynamoRestore restore) {
    return Optional.ofNullable(restore.getStatus()).map(status -> status.sourceBackupArn);
  }
}
