package io.dynamobackup.operator.reconcile.backup;

import io.dynamobackup.operator.api.DynamoBackup;
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

  /**
   * Removes the annotation (a JSON patch), so that one request re-creates once; the step continues from the object
   * it leaves. Done after the status records what the request leads to, so a crash in between repeats nothing.
   */
  static void clear(BackupStep step) {
    var backup = step.backup();
    DynamoBackup updated = step.effects().client().resources(DynamoBackup.class)
        .inNamespace(backup.getMetadata().getNamespace())
        .withName(backup.getMetadata().getName())
        .edit(current -> {
          Map<String, String> annotations = current.getMetadata().getAnnotations();
          if (annotations != null) {
            annotations.remove(ANNOTATION);
          }
          return current;
        });
    step.continueFrom(updated);
  }
}
