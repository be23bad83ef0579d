package io.dynamobackup.operator.sandbox;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoRestore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What kube-controller-manager does that the mock server does not: deletes objects whose owner is gone (background
 * cascading deletion) and objects of a deleted namespace. It sweeps this operator's kinds a few times a second;
 * the objects' own finalizers then run as on a real cluster.
 */
final class GarbageCollector implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);
  private static final List<Class<? extends HasMetadata>> KINDS =
      List.of(DynamoBackup.class, DynamoBackupSchedule.class, DynamoRestore.class);

  private final KubernetesClient client;
  private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
    var thread = new Thread(r, "sandbox-garbage-collector");
    thread.setDaemon(true);
    return thread;
  });

  GarbageCollector(KubernetesClient client) {
    this.client = client;
    sweeper.scheduleWithFixedDelay(this::sweepQuietly, 300, 300, TimeUnit.MILLISECONDS);
  }

  private void sweepQuietly() {
    try {
      sweep();
    } catch (KubernetesClientException e) {
      log.debug("garbage collection sweep failed: {}", e.getMessage());
    }
  }

  void sweep() {
    Set<String> namespaces = client.namespaces().list().getItems().stream()
        .filter(n -> n.getMetadata().getDeletionTimestamp() == null)
        .map(Namespace::getMetadata).map(m -> m.getName()).collect(Collectors.toSet());
    List<HasMetadata> objects = new ArrayList<>();
    KINDS.forEach(kind -> objects.addAll(client.resources(kind).inAnyNamespace().list().getItems()));
    Set<String> uids = objects.stream().filter(o -> o.getMetadata().getDeletionTimestamp() == null)
        .map(o -> o.getMetadata().getUid()).collect(Collectors.toSet());
    for (HasMetadata object : objects) {
      var metadata = object.getMetadata();
      if (metadata.getDeletionTimestamp() != null) {
        continue;
      }
      boolean namespaceGone = !namespaces.contains(metadata.getNamespace());
      boolean ownerGone = !metadata.getOwnerReferences().isEmpty()
          && metadata.getOwnerReferences().stream().noneMatch(o -> uids.contains(o.getUid()));
      if (namespaceGone || ownerGone) {
        client.resource(object).delete();
      }
    }
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }
}
