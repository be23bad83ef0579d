package io.dynamobackup.operator.support;

import io.dynamobackup.operator.api.DynamoBackup;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every version of one object that the API server sent to a watch, in order. */
public final class StatusWatch implements AutoCloseable {

  private final List<DynamoBackup> seen = new CopyOnWriteArrayList<>();
  private final Watch watch;

  public StatusWatch(OperatorHarness harness, String name) {
    watch = harness.backups().inNamespace(OperatorHarness.NAMESPACE).withName(name).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, DynamoBackup resource) {
        if (action == Action.MODIFIED || action == Action.ADDED) {
          seen.add(resource);
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
  }

  public List<DynamoBackup> seen() {
    return List.copyOf(seen);
  }

  /** The last version seen with that backupStatus (the final DELETED event can carry a stale object). */
  public DynamoBackup lastWithStatus(String backupStatus) {
    return seen.stream()
        .filter(b -> b.getStatus() != null && backupStatus.equals(b.getStatus().backupStatus))
        .reduce((first, second) -> second)
        .orElseThrow(() -> new AssertionError("no version with backupStatus " + backupStatus + " among "
            + seen.size() + " seen"));
  }

  @Override
  public void close() {
    watch.close();
  }
}
