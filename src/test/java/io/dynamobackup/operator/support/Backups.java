package io.dynamobackup.operator.support;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/** DynamoBackup objects for tests. */
public final class Backups {

  private Backups() {}

  /**
   * A DynamoBackup as the API server stores it, for a phase's unit test: in namespace default, with a uid from its
   * name, generation 1, resourceVersion 1 and the finalizer, created at {@code created}.
   */
  public static DynamoBackup stored(String name, DynamoBackupSpec spec, Instant created) {
    var backup = new DynamoBackup();
    backup.setMetadata(new ObjectMetaBuilder().withNamespace(OperatorHarness.NAMESPACE).withName(name)
        .withUid(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString()).withGeneration(1L)
        .withResourceVersion("1").withCreationTimestamp(created.toString()).withFinalizers(DynamoBackup.FINALIZER)
        .build());
    backup.setSpec(spec);
    return backup;
  }
}
