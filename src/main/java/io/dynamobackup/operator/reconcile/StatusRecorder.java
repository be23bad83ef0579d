package io.dynamobackup.operator.reconcile;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.time.Duration;
import java.util.Objects;

/**
 * Writes one observation's whole status, for every kind of ours. A full update of the status subresource with
 * optimistic locking replaces lists (conditions) instead of merging them, and the written object goes into JOSDK's
 * cache, so the next reconcile reads what was just written even before the watch event arrives.
 */
final class StatusRecorder {

  /**
   * After a 409, how long to wait for the newer version in the cache before giving up (and the reconcile is retried).
   * A real conflict's newer version arrives within milliseconds; JOSDK's 10 s default held a worker for 10 s on each
   * 409 that no newer version follows (an API server or proxy answering 409 under load), which slowed every object
   * behind it in the soak.
   */
  static final Duration CONFLICT_CACHE_WAIT = Duration.ofSeconds(2);

  private StatusRecorder() {}

  /** Writes {@code status} unless it equals {@code before}; returns whether it wrote. */
  static <S, P extends CustomResource<?, S>> boolean record(P resource, Context<P> context, S status,
      String before) {
    return write(resource, context, status, before) != null;
  }

  /**
   * As {@link #record}, and the resource then carries the version this write made, so that a second write in the
   * same reconcile (the intent, then CreateBackup's answer) is not refused with 409 by an API server that checks
   * resourceVersion on status updates (the mock does not).
   */
  static <S, P extends CustomResource<?, S>> boolean recordCarryingVersion(P resource, Context<P> context, S status,
      String before) {
    P written = write(resource, context, status, before);
    if (written != null) {
      resource.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
    }
    return written != null;
  }

  private static <S, P extends CustomResource<?, S>> P write(P resource, Context<P> context, S status,
      String before) {
    if (Objects.equals(before, snapshot(status))) {
      return null;
    }
    resource.setStatus(status);
    return PrimaryUpdateAndCacheUtils.updateAndCacheResource(resource, context, fresh -> {
      fresh.setStatus(status);
      return fresh;
    }, fresh -> context.getClient().resource(fresh).updateStatus(), PrimaryUpdateAndCacheUtils.DEFAULT_MAX_RETRY,
        CONFLICT_CACHE_WAIT.toMillis(), PrimaryUpdateAndCacheUtils.DEFAULT_RESOURCE_CACHE_POLL_PERIOD_MILLIS);
  }

  /** A comparable copy of a status, taken before it is changed. */
  static String snapshot(Object status) {
    return status == null ? null : Serialization.asJson(status);
  }
}
