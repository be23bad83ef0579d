package io.dynamobackup.operator.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.reconcile.Conditions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/** DynamoRestore objects for tests: stored ones for phase tests, and waits on the operator under test. */
public final class Restores {

  /** How long the operator under test gets to restore a table. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Restores() {}

  /** Waits until the restore is Ready (its table ACTIVE, its settings in place); returns the version that was. */
  public static DynamoRestore awaitReady(OperatorHarness harness, String name) {
    var seen = new AtomicReference<DynamoRestore>();
    await(name + " Ready").atMost(TIMEOUT).untilAsserted(() -> {
      var restore = harness.getRestore(name);
      assertThat(restore).as(name).isNotNull();
      assertThat(restore.getStatus()).as("status of " + name).isNotNull();
      assertThat(Conditions.isTrue(restore.getStatus().conditions, Conditions.READY))
          .as("Ready of %s: %s", name, restore.getStatus().conditions).isTrue();
      seen.set(restore);
    });
    return seen.get();
  }

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
