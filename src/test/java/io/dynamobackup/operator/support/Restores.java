package io.dynamobackup.operator.support;

import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/** DynamoRestore objects for tests. */
public final class Restores {

  private Restores() {}

  /**
   * A DynamoRestore as the API server stores it, for a phase's unit test: in namespace default, with a uid from its
   * name, generation 1, resourceVersion 1 and the finalizer, created at {@code created}.
   */
  public static DynamoRestore stored(String name, DynamoRestoreSpec spec, Instant created) {
    var restore = new DynamoRestore();
    restore.setMetadata(new ObjectMetaBuilder().withNamespace(OperatorHarness.NAMESPACE).withName(name)
        .withUid(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString()).withGeneration(1L)
        .withResourceVersion("1").withCreationTimestamp(created.toString()).withFinalizers(DynamoRestore.FINALIZER)
        .build());
    restore.setSpec(spec);
    return restore;
  }
}
