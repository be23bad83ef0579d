package io.dynamobackup.operator.reconcile.schedule;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The label that places an object in a shard, by the convention Flux uses for its own sharding: each shard's
 * WATCH_LABEL_SELECTOR selects values of it (sharding.dynamobackup.io/key=shard-a).
 */
public final class ShardLabel {

  public static final String KEY = "sharding.dynamobackup.io/key";

  private ShardLabel() {}

  /**
   * A child an operator makes for {@code owner} carries the owner's shard label, so that the shard that handles the
   * owner handles the child too. Only this label is copied: copying every label would copy a GitOps tool's tracking
   * label, and the tool would then prune the children it did not make.
   */
  static void follow(HasMetadata owner, HasMetadata child) {
    Optional.ofNullable(owner.getMetadata().getLabels()).map(labels -> labels.get(KEY)).ifPresent(shard -> {
      Map<String, String> labels = new LinkedHashMap<>(Optional.ofNullable(child.getMetadata().getLabels())
          .orElse(Map.of()));
      labels.put(KEY, shard);
      child.getMetadata().setLabels(labels);
    });
  }
}
