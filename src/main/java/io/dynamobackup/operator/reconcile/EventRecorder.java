package io.dynamobackup.operator.reconcile;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Emits core/v1 Events about an object, so that `kubectl describe` tells its story. Never fails a reconcile. */
public final class EventRecorder {

  public static final String COMPONENT = "dynamo-backup-operator";
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);

  private final Clock clock;

  public EventRecorder(Clock clock) {
    this.clock = clock;
  }

  public void normal(KubernetesClient client, HasMetadata object, String reason, String message) {
    emit(client, object, "Normal", reason, message);
  }

  public void warning(KubernetesClient client, HasMetadata object, String reason, String message) {
    emit(client, object, "Warning", reason, message);
  }

  private void emit(KubernetesClient client, HasMetadata object, String type, String reason, String message) {
    var metadata = object.getMetadata();
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    var event = new EventBuilder()
        .withNewMetadata()
        .withName(metadata.getName() + "." + Long.toHexString(System.nanoTime())
            + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000)))
        .withNamespace(metadata.getNamespace())
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(object.getApiVersion())
            .withKind(object.getKind())
            .withName(metadata.getName())
            .withNamespace(metadata.getNamespace())
            .withUid(metadata.getUid())
            .withResourceVersion(metadata.getResourceVersion())
            .build())
        .withType(type)
        .withReason(reason)
        .withMessage(message)
        .withCount(1)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT)
        .build();
    try {
      client.v1().events().inNamespace(metadata.getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      log.warn("could not record event {} for {}/{}: {}", reason, metadata.getNamespace(), metadata.getName(),
          e.getMessage());
    }
  }
}
