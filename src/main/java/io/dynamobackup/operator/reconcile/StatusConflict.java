package io.dynamobackup.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * A status write refused with 409: another writer changed the object since this reconcile read it (a replica that
 * has not yet noticed it lost the Lease, a user editing the status). The reconcile stops here, before any AWS call
 * that the write was to announce, and the next one decides again on the newer object. Never written over blindly.
 */
public final class StatusConflict extends RuntimeException {

  /** Public: a {@link StepEffects} of any package answers a write that another writer beat with it. */
  public StatusConflict(HasMetadata resource, String why) {
    super("status of " + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName() + " " + why
        + "; deciding again on the newer object");
  }

  StatusConflict(HasMetadata resource, KubernetesClientException cause) {
    super("status of " + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName()
        + " was changed by another writer since version " + resource.getMetadata().getResourceVersion()
        + "; deciding again on the newer object", cause);
  }
}
