package io.dynamobackup.operator.support;

import io.dynamobackup.operator.reconcile.StatusConflict;
import io.dynamobackup.operator.reconcile.StepEffects;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A reconcile step's effects, recorded instead of sent: each status write as the object it stored (with optimistic
 * locking on a resourceVersion counter, as the API server does), the Events, and the secondary resources the test
 * sets. No Kubernetes API: phases that need one are tested against the mock server.
 */
public final class RecordingEffects<P extends HasMetadata> implements StepEffects<P> {

  /** A core/v1 Event as the step emitted it. */
  public record Event(String type, String reason, String message) {}

  private final List<P> writes = new ArrayList<>();
  private final List<Event> events = new ArrayList<>();
  private final Map<Class<?>, Object> secondaries = new HashMap<>();
  private long version;
  private int conflicts;

  /** @param stored the object as the API server holds it: a write must carry its resourceVersion, then the next */
  public RecordingEffects(P stored) {
    this.version = Long.parseLong(stored.getMetadata().getResourceVersion());
  }

  /** The next write answers 409, as when another writer changed the object first. */
  public RecordingEffects<P> conflictOnNextWrite() {
    conflicts++;
    return this;
  }

  /** What the step's event source of this type holds for the object. */
  public <R> RecordingEffects<P> withSecondary(Class<R> type, R resource) {
    secondaries.put(type, resource);
    return this;
  }

  @Override
  public P writeStatus(P resource) {
    String carried = resource.getMetadata().getResourceVersion();
    if (conflicts > 0) {
      conflicts--;
      version++;
      throw new StatusConflict(resource, "was changed by another writer since version " + carried);
    }
    if (!String.valueOf(version).equals(carried)) {
      throw new StatusConflict(resource, "was written with version " + carried + ", but version " + version
          + " is stored");
    }
    P stored = Serialization.clone(resource);
    stored.getMetadata().setResourceVersion(String.valueOf(++version));
    writes.add(stored);
    return Serialization.clone(stored);
  }

  @Override
  public void event(P resource, String type, String reason, String message) {
    events.add(new Event(type, reason, message));
  }

  @Override
  public <R> Optional<R> secondary(Class<R> type) {
    return Optional.ofNullable(secondaries.get(type)).map(type::cast);
  }

  @Override
  public KubernetesClient client() {
    throw new UnsupportedOperationException("no Kubernetes API in a unit test: test this phase against the mock"
        + " server");
  }

  /** The objects as each write stored them, oldest first. */
  public List<P> writes() {
    return List.copyOf(writes);
  }

  /** The object as the last write stored it. */
  public P lastWrite() {
    if (writes.isEmpty()) {
      throw new AssertionError("no status was written");
    }
    return writes.get(writes.size() - 1);
  }

  public List<Event> events() {
    return List.copyOf(events);
  }

  public List<String> eventReasons() {
    return events.stream().map(Event::reason).toList();
  }

  public List<Event> warnings() {
    return events.stream().filter(e -> "Warning".equals(e.type())).toList();
  }
}
