package io.dynamobackup.operator.reconcile;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.net.HttpURLConnection;
import java.util.Objects;

/**
 * Writes one observation's whole status, for every kind of ours: a full update of the status subresource with
 * optimistic locking, which replaces lists (conditions) instead of merging them. The written object goes into JOSDK's
 * cache, so the next reconcile reads what was just written even before the watch event arrives, and the resource
 * carries the new version, so a second write of the same reconcile (the intent, then the answer) is not a conflict.
 * A 409 is {@link StatusConflict}: the status another writer wrote is never overwritten.
 */
public final class StatusRecorder {

  private StatusRecorder() {}

  /** Writes {@code status} unless it equals {@code before}; returns whether it wrote. */
  public static <S, P extends CustomResource<?, S>> boolean record(P resource, Context<P> context, S status,
      String before) {
    if (Objects.equals(before, snapshot(status))) {
      return false;
    }
    resource.setStatus(status);
    write(resource, context);
    return true;
  }

  /**
   * Writes the resource's status as it is, with optimistic locking, caches the written object and carries its new
   * version; a 409 is {@link StatusConflict}.
   */
  static <P extends CustomResource<?, ?>> P write(P resource, Context<P> context) {
    P written;
    try {
      written = context.getClient().resource(resource).updateStatus();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        throw new StatusConflict(resource, e);
      }
      throw e;
    }
    context.eventSourceRetriever().getControllerEventSource()
        .handleRecentResourceUpdate(ResourceID.fromResource(resource), written, resource);
    resource.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
    return written;
  }

  /** A comparable copy of a status, taken before it is changed. */
  public static String snapshot(Object status) {
    return status == null ? null : Serialization.asJson(status);
  }
}
