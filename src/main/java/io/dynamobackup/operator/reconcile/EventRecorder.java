package io.dynamobackup.operator.reconcile;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits core/v1 Events about an object, so that `kubectl describe` tells its story. Never fails a reconcile, and never
 * holds many up: a few reconciles at a time write their Events themselves (so an Event is there before the status or
 * finalizer change that follows it); the rest go, as client-go's event broadcaster sends them all, to a thread of
 * their own, in order, with at most {@link #QUEUE} waiting; beyond that they are dropped, with a log line. When the
 * API server is the bottleneck (a mass deletion), its writes go to status and finalizers first.
 */
public final class EventRecorder {

  public static final String COMPONENT = "dynamo-backup-operator";
  /** Events waiting to be written, at most (client-go's broadcaster keeps 1,000 too). */
  static final int QUEUE = 1000;
  /** Reconciles that may write an Event themselves at once. */
  static final int INLINE = 4;
  private static final Duration DROP_LOG_INTERVAL = Duration.ofSeconds(10);
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);

  private final Clock clock;
  private final ThreadPoolExecutor writer;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong lastDropLog = new AtomicLong(Long.MIN_VALUE);
  private final Semaphore inline = new Semaphore(INLINE);

  public EventRecorder(Clock clock) {
    this(clock, QUEUE);
  }

  EventRecorder(Clock clock, int queue) {
    this.clock = clock;
    this.writer = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), task -> {
      var thread = new Thread(task, "event-writer");
      thread.setDaemon(true); // Events still waiting at exit are lost, as client-go's are
      return thread;
    }, (task, pool) -> dropped((Write) task));
    writer.allowCoreThreadTimeOut(true); // no thread while there is nothing to write
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
    var write = new Write(client, event);
    // behind the Events already waiting, so that one object's Events keep their order
    if (writer.getQueue().isEmpty() && writer.getActiveCount() == 0 && inline.tryAcquire()) {
      try {
        write.run();
      } finally {
        inline.release();
      }
    } else {
      writer.execute(write);
    }
  }

  /** Events waiting to be written (for tests). */
  int waiting() {
    return writer.getQueue().size() + writer.getActiveCount();
  }

  private void dropped(Write write) {
    long count = dropped.incrementAndGet();
    long now = System.nanoTime();
    long last = lastDropLog.get();
    boolean due = last == Long.MIN_VALUE || now - last >= DROP_LOG_INTERVAL.toNanos();
    if (due && lastDropLog.compareAndSet(last, now)) {
      var event = write.event();
      log.warn("{} Events wait to be written (the API server is slow): dropped event {} for {}/{}; {} dropped so far",
          writer.getQueue().size(), event.getReason(), event.getMetadata().getNamespace(),
          event.getInvolvedObject().getName(), count);
    }
  }

  private record Write(KubernetesClient client, Event event) implements Runnable {
    @Override
    public void run() {
      var metadata = event.getMetadata();
      try {
        client.v1().events().inNamespace(metadata.getNamespace()).resource(event).create();
      } catch (RuntimeException e) { // an API error, or a client closed while the Event waited: never fatal
        log.warn("could not record event {} for {}/{}: {}", event.getReason(), metadata.getNamespace(),
            event.getInvolvedObject().getName(), e.toString());
      }
    }
  }
}
