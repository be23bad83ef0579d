package io.dynamobackup.operator.reconcile;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.util.Objects;

/**
 * Writes one observation's whole status, for every kind of ours. A full update of the status subresource with
 * optimistic locking replaces lists (conditions) instead of merging them, and the written object goes into JOSDK's
 * cache, so the next reconcile reads what was just written even before the watch event arrives.
 */
final class StatusRecorder {

  private StatusRecorder() {}

  /** Writes {@code status} unless it equals {@code before}; returns whether it wrote. */
  static <S, P extends CustomResource<?, S>> boolean record(P resource, Context<P> context, S status,
      String before) {
    if (Objects.equals(before, snapshot(status))) {
      return false;
    }
    resource.setStatus(status);
    PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(resource, context, fresh -> {
      fresh.setStatus(status);
      return fresh;
    });
    return true;
  }

  /** A comparable copy of a status, taken before it is changed. */
  static String snapshot(Object status) {
    return status == null ? null : Serialization.asJson(status);
  }
}
