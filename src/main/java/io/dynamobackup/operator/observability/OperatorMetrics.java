package io.dynamobackup.operator.observability;

import io.dynamobackup.operator.aws.AwsCallObserver;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's metrics, in Prometheus form: JOSDK's reconcile metrics, every AWS call by operation, region and
 * outcome, the time calls wait for the client-side rate limit, the time from a delete request to the finalizer's
 * release, and how many DynamoBackups are in each backupStatus. Per-object labels are left out on purpose: with
 * thousands of backups they would swamp Prometheus.
 */
public final class OperatorMetrics implements AwsCallObserver {

  public static final String AWS_CALLS = "dynamobackup.aws.calls";
  public static final String RATE_LIMIT_WAIT = "dynamobackup.aws.rate.limit.wait";
  public static final String LISTING_PASS = "dynamobackup.listing.pass";
  public static final String FINALIZER_RELEASE = "dynamobackup.finalizer.release";
  public static final String BACKUPS = "dynamobackup.backups";
  /** The status of an object the operator has not given one yet. */
  public static final String PENDING = "PENDING";
  static final List<String> KNOWN_STATUSES = List.of(PENDING, "CREATING", "AVAILABLE", "DELETED");

  private final PrometheusMeterRegistry registry;
  private final Map<String, String> statusByObject = new ConcurrentHashMap<>();
  private final Metrics reconcileMetrics;

  private OperatorMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    KNOWN_STATUSES.forEach(this::registerStatusGauge);
    reconcileMetrics = MicrometerMetrics.newMicrometerMetricsBuilder(registry).notCollectingMetricsPerResource()
        .build();
  }

  /** A fresh registry with the JVM's own metrics (memory, GC, threads, CPU, uptime) bound to it. */
  public static OperatorMetrics create() {
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return new OperatorMetrics(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** JOSDK's reconcile, event and execution metrics, for its configuration. */
  public Metrics reconcileMetrics() {
    return reconcileMetrics;
  }

  /** The Prometheus text exposition of everything registered. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void called(String operation, String region, String outcome, Duration took) {
    Timer.builder(AWS_CALLS)
        .description("AWS calls by operation, region and outcome (ok, throttled, retryable, gone, terminal)")
        .tags("operation", operation, "region", region, "outcome", outcome)
        .register(registry)
        .record(took);
  }

  @Override
  public void waited(String operation, String region, Duration waited) {
    Timer.builder(RATE_LIMIT_WAIT)
        .description("Time calls waited for their slot under the client-side rate limit, by operation and region")
        .tags("operation", operation, "region", region)
        .register(registry)
        .record(waited);
  }

  /** One complete ListBackups pass over a region, which refreshes every AVAILABLE backup there. */
  public void listingPass(String region, Duration took) {
    Timer.builder(LISTING_PASS)
        .description("Complete ListBackups passes over a region, which refresh its AVAILABLE backups")
        .tag("region", region)
        .register(registry)
        .record(took);
  }

  /** A DynamoBackup's finalizer went, {@code sinceDeletion} after its deletion was requested. */
  public void finalizerReleased(Duration sinceDeletion) {
    Timer.builder(FINALIZER_RELEASE)
        .description("Time from a DynamoBackup's deletion request to the release of its finalizer")
        .serviceLevelObjectives(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30),
            Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1))
        .register(registry)
        .record(sinceDeletion.isNegative() ? Duration.ZERO : sinceDeletion);
  }

  /** The backupStatus the operator last gave an object; null once the object is gone. */
  public void backupStatus(String namespace, String name, String backupStatus) {
    String key = namespace + "/" + name;
    if (backupStatus == null) {
      statusByObject.remove(key);
      return;
    }
    statusByObject.put(key, backupStatus);
    if (!KNOWN_STATUSES.contains(backupStatus)) {
      registerStatusGauge(backupStatus); // registering again is a no-op
    }
  }

  private void registerStatusGauge(String status) {
    Gauge.builder(BACKUPS, statusByObject, objects -> objects.values().stream().filter(status::equals).count())
        .description("DynamoBackup objects by status.backupStatus, as the operator last recorded it")
        .tag("status", status)
        .register(registry);
  }
}
