package io.dynamobackup.operator.reconcile;

import io.dynamobackup.operator.api.DynamoRestore;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/**
 * The operator's own knowledge of which backups are being restored: a DynamoRestore with Restoring=True and that
 * backup as its recorded source. Asked before DeleteBackup, which AWS would answer with BackupInUseException.
 */
final class RestoresInProgress {

  private RestoresInProgress() {}

  /** The name of a DynamoRestore in the namespace that is restoring from {@code backupArn}, if one is. */
  static Optional<String> from(KubernetesClient client, String namespace, String backupArn) {
    return client.resources(DynamoRestore.class).inNamespace(namespace).list().getItems().stream()
        .filter(r -> r.getStatus() != null && backupArn.equals(r.getStatus().sourceBackupArn)
            && Conditions.isTrue(r.getStatus().conditions, Conditions.RESTORING))
        .map(r -> r.getMetadata().getName())
        .sorted()
        .findFirst();
  }
}
