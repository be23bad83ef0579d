package io.dynamobackup.operator.reconcile.backup;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.aws.TableState;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.CreateIntent;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
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

  /** Why DeleteBackup of a backup waits: which restore uses it, and how that is known. */
  record Use(String message) {}

  /**
   * Whether a restore of ours uses the backup now, so that DeleteBackup would answer BackupInUseException. The
   * DynamoRestore's word is confirmed in AWS (its target table restoring from this backup), or bounded (a table not
   * there yet may still appear within {@code inFlightBound} of the request); a restore that is stuck or over holds
   * nothing, and AWS's own BackupInUseException still guards what we cannot see. Null: not in use. AWS failures
   * other than "not found" propagate.
   */
  Use inUse(String namespace, String backupArn, Connection.Connected aws, Instant now, Duration inFlightBound) {
    Optional<Restoring> restoring = of(namespace, backupArn);
    if (restoring.isEmpty() || restoring.get().targetTable() == null) {
      return null;
    }
    var restore = restoring.get();
    try {
      TableState table = aws.client().describeTable(aws.region(), restore.targetTable());
      boolean confirmed = table.restoring() && table.restoreSummary() != null
          && backupArn.equals(table.restoreSummary().sourceBackupArn);
      return confirmed ? new Use("backup " + backupArn + " is being restored into table " + table.tableArn()
          + " by DynamoRestore " + restore.name() + " (confirmed by DescribeTable); DeleteBackup waits until that"
          + " restore has finished") : null;
    } catch (AwsFailure failure) {
      if (failure.kind() != AwsFailure.Kind.GONE) {
        throw failure;
      }
    }
    Optional<Duration> wait = restore.requestedAt() == null ? Optional.empty()
        : CreateIntent.stillInFlight(restore.requestedAt(), now, inFlightBound);
    return wait.map(w -> new Use("DynamoRestore " + restore.name() + " asked to restore backup " + backupArn
        + " into table '" + restore.targetTable() + "', which does not exist yet; DeleteBackup waits up to "
        + w.toSeconds() + "s more for it to appear")).orElse(null); // its table never appeared: it holds nothing
  }

  private static Optional<String> sourceOf(DynamoRestore restore) {
    return Optional.ofNullable(restore.getStatus()).map(status -> status.sourceBackupArn);
  }
}
