package io.dynamobackup.operator.support;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every version of one object of any kind that the API server sent to a watch, in order, so that a test can assert
 * on a state that did not last (a poll could miss it).
 */
public final class Versions<T extends HasMetadata> implements AutoCloseable {

  private final List<T> seen = new CopyOnWriteArrayList<>();
  private final Watch watch;

  public Versions(Resource<T> object) {
    watch = object.watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, T resource) {
        if (action == Action.MODIFIED || action == Action.ADDED) {
          seen.add(resource);
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
  }

  public List<T> seen() {
    return List.copyOf(seen);
  }

  @Override
  public void close() {
    watch.close();
  }
}
