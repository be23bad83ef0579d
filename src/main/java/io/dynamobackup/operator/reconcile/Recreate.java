package io.dynamobackup.operator.reconcile;

import io.dynamobackup.operator.api.DynamoBackup;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Optional;

/** The explicit request to re-create a backup deleted outside Kubernetes: annotation dynamobackup.io/recreate. */
public final class Recreate {

  public static final String ANNOTATION = DynamoBackup.GROUP + "/recreate";

  private Recreate() {}

  public static boolean requested(DynamoBackup backup) {
    return "true".equalsIgnoreCase(Optional.ofNullable(backup.getMetadata().getAnnotations())
        .map(a -> a.get(ANNOTATION)).orElse(null));
  }

  /** Removes the annotation (a JSON patch), so that one request re-creates once. */
  static void clear(KubernetesClient client, DynamoBackup backup) {
    client.resources(DynamoBackup.class).inNamespace(backup.getMetadata().getNamespace())
        .withName(backup.getMetadata().getName())
        .edit(current -> {
          Map<String, String> annotations = current.getMetadata().getAnnotations();
          if (annotations != null) {
            annotations.remove(ANNOTATION);
          }
          return current;
        });
  }
}
