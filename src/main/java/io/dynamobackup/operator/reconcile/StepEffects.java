package io.dynamobackup.operator.reconcile;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/**
 * What a reconcile step does and reads outside its own object: the status write, Events, the secondary resources of
 * its event sources, and the API for the rare other object. JOSDK's context in the operator
 * ({@link ContextEffects}); a recording in the phases' unit tests.
 *
 * @param <P> the kind reconciled
 */
public interface StepEffects<P> {

  /**
   * Writes the resource's status with optimistic locking and returns the object as written (its new version); a
   * conflict with another writer is a {@link StatusConflict}.
   */
  P writeStatus(P resource);

  /** A core/v1 Event about the resource ("Normal" or "Warning"); never fails the step. */
  void event(P resource, String type, String reason, String message);

  /** The secondary resource of this type an event source holds for the resource, if any. */
  <R> Optional<R> secondary(Class<R> type);

  /** The Kubernetes API, for reads and writes of other objects. */
  KubernetesClient client();
}
