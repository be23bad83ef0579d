package io.dynamobackup.operator.reconcile;

import io.dynamobackup.operator.api.ReconciledStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile's working state, for every kind the lifecycle kernel runs: the object, the status being built from
 * it, what that status was when the reconcile began, and the ways to record it. Phases take a step, change its
 * status, and record once per observation.
 */
public class ReconcileStep<P extends CustomResource<?, S>, S extends ReconciledStatus> {

  private static final Logger log = LoggerFactory.getLogger(ReconcileStep.class);

  private final P resource;
  private final StepEffects<P> effects;
  private final S status;
  private final Clock clock;
  private String written;

  public ReconcileStep(P resource, StepEffects<P> effects, Supplier<S> empty, Clock clock) {
    this.resource = resource;
    this.effects = effects;
    this.clock = clock;
    this.written = StatusRecorder.snapshot(resource.getStatus());
    this.status = resource.getStatus() != null ? resource.getStatus() : empty.get();
    status.conditionList();
  }

  public P resource() {
    return resource;
  }

  /** What the step reads and does outside its object (status writes go through {@link #record}). */
  public StepEffects<P> effects() {
    return effects;
  }

  public S status() {
    return status;
  }

  public Instant now() {
    return clock.instant();
  }

  public String namespace() {
    return resource.getMetadata().getNamespace();
  }

  /** namespace/name, as log lines and messages name the object. */
  public String id() {
    return namespace() + "/" + resource.getMetadata().getName();
  }

  public Optional<Condition> condition(String type) {
    return Conditions.find(status.conditionList(), type);
  }

  public boolean isTrue(String type) {
    return Conditions.isTrue(status.conditionList(), type);
  }

  public void set(String type, boolean value, String reason, String message) {
    Conditions.set(status.conditionList(), type, value, reason, message, resource.getMetadata().getGeneration(),
        clock.instant());
  }

  /** Sets a condition with a new transition time even if its status is unchanged: a new request. */
  public void restart(String type, boolean value, String reason, String message) {
    status.conditionList().removeIf(c -> type.equals(c.getType()));
    set(type, value, reason, message);
  }

  public void notReady(String reason, String message) {
    set(Conditions.READY, false, reason, message);
  }

  /**
   * Writes the status if it changed since the last write of this reconcile (or its start); returns whether it did.
   * A conflict with another writer stops the reconcile ({@link StatusConflict}).
   */
  public boolean record() {
    status.observeGeneration(resource.getMetadata().getGeneration());
    String now = StatusRecorder.snapshot(status);
    if (java.util.Objects.equals(now, written)) {
      return false;
    }
    resource.setStatus(status);
    P stored = effects.writeStatus(resource);
    resource.getMetadata().setResourceVersion(stored.getMetadata().getResourceVersion());
    written = now;
    return true;
  }

  /**
   * Continues from {@code updated}, the object as a metadata change of this reconcile's own left it (an annotation
   * removed): its version is taken, so that the next status write is no conflict, unless its status is no longer the
   * one this reconcile wrote or read, which means another writer came in between (a {@link StatusConflict}).
   */
  public void continueFrom(P updated) {
    if (!java.util.Objects.equals(StatusRecorder.snapshot(updated.getStatus()), written)) {
      throw new StatusConflict(resource, "was changed by another writer during this reconcile");
    }
    resource.getMetadata().setResourceVersion(updated.getMetadata().getResourceVersion());
  }

  /** Records, and emits a Warning event when the status is new (a repeated failure stays quiet). */
  public void recordWithWarning(String eventReason, String message) {
    if (record()) {
      warning(eventReason, message);
    }
  }

  /**
   * The release step of every finalizer: the final status (Deleting=False with why, Ready=False) is written before
   * the finalizer goes, so that watchers see how the deletion ended; then an Event and a log line.
   */
  public DeleteControl release(String reason, String message) {
    status.attempts(null);
    set(Conditions.DELETING, false, reason, message);
    notReady(reason, message);
    record();
    log.info("{}: {}", id(), message);
    normal(reason, message);
    return DeleteControl.defaultDelete();
  }

  public void normal(String reason, String message) {
    effects.event(resource, "Normal", reason, message);
  }

  public void warning(String reason, String message) {
    effects.event(resource, "Warning", reason, message);
  }
}
