package io.dynamobackup.operator.reconcile;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.Optional;

/** A step's effects through JOSDK: status writes that also fill its cache, Events, its event sources. */
public final class ContextEffects<P extends CustomResource<?, ?>> implements StepEffects<P> {

  private final Context<P> context;
  private final EventRecorder events;

  public ContextEffects(Context<P> context, EventRecorder events) {
    this.context = context;
    this.events = events;
  }

  @Override
  public P writeStatus(P resource) {
    return StatusRecorder.write(resource, context);
  }

  @Override
  public void event(P resource, String type, String reason, String message) {
    if ("Warning".equals(type)) {
      events.warning(context.getClient(), resource, reason, message);
    } else {
      events.normal(context.getClient(), resource, reason, message);
    }
  }

  @Override
  public <R> Optional<R> secondary(Class<R> type) {
    return context.getSecondaryResource(type);
  }

  @Override
  public KubernetesClient client() {
    return context.getClient();
  }
}
