package io.dynamobackup.operator.observability;

import io.dynamobackup.operator.aws.AwsCallObserver;
import io.dynamobackup.operator.aws.AwsFailure;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The operator's metrics, in Prometheus form: JOSDK's reconcile metrics, every AWS call by operation, region and
 * outcome, the time calls wait for the client-side rate limit, the time from a delete request to the finalizer's
 * release, the listing's passes per account and region, whether this replica leads, and the fleet (backups,
 * schedules, restores, pending deletions) as the leader's caches hold it. Per-object labels are left out on purpose:
 * with thousands of backups they would swamp Prometheus.
 */
public final class OperatorMetrics implements AwsCallObserver {

  public static final String AWS_CALLS = "dynamobackup.aws.calls";
  public static final String RATE_LIMIT_WAIT = "dynamobackup.aws.rate.limit.wait";
  public static final String LISTING_PASS = "dynamobackup.listing.pass";
  public static final String FINALIZER_RELEASE = "dynamobackup.finalizer.release";
  /** The outcome label of a throttled call, as AwsCallObserver names outcomes: the failure's kind. */
  static final String THROTTLED = AwsFailure.Kind.THROTTLED.name().toLowerCase(Locale.ROOT);

  private final PrometheusMeterRegistry registry;
  private final Metrics reconcileMetrics;
  private final Map<Listing, ListingState> listings = new ConcurrentHashMap<>();

  private OperatorMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    reconcileMetrics = MicrometerMetrics.newMicrometerMetricsBuilder(registry).notCollectingMetricsPerResource()
        .build();
  }

  /** A fresh registry with the JVM's own metrics (memory, GC, threads, CPU, uptime) bound to it. */
  public static OperatorMetrics create() {
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new PrometheusConventions());
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return new OperatorMetrics(registry);
  }

  /**
   * From now on: whether this replica leads, and, while it does, the fleet as {@code caches} hold it, computed at
   * each scrape. A standby exports no fleet figures, so that sums over replicas count each object once.
   */
  public void observe(FleetCaches caches, BooleanSupplier leading, Clock clock) {
    Gauge.builder("dynamobackup.leader", leading, l -> l.getAsBoolean() ? 1 : 0)
        .description("1 while this replica holds the leader Lease and reconciles (always, without leader"
            + " election), else 0")
        .strongReference(true)
        .register(registry);
    registry.getPrometheusRegistry().register(new FleetCollector(caches, leading, clock));
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
    awsCalls(operation, region, outcome).record(took);
    // the throttled series exists from an operation's first call on: rate() counts no increase in a series'
    // first value, so throttling that starts with a burst would otherwise go unseen by the throttling alert
    awsCalls(operation, region, THROTTLED);
  }

  private Timer awsCalls(String operation, String region, String outcome) {
    return Timer.builder(AWS_CALLS)
        .description("AWS calls by operation, region and outcome (ok, throttled, retryable, gone, terminal,"
            + " abandoned)")
        .tags("operation", operation, "region", region, "outcome", outcome)
        .register(registry);
  }

  @Override
  public void waited(String operation, String region, Duration waited) {
    Timer.builder(RATE_LIMIT_WAIT)
        .description("Time calls waited for their slot under the client-side rate limit, by operation and region")
        .tags("operation", operation, "region", region)
        .register(registry)
        .record(waited);
  }

  /**
   * One complete ListBackups pass over a region of an account ({@code self}: the operator's own; else the account
   * of the role assumed), which refreshes every AVAILABLE backup there.
   */
  public void listingPass(String account, String region, Duration took, Instant finished) {
    Timer.builder(LISTING_PASS)
        .description("Complete ListBackups passes over a region of an account, which refresh its AVAILABLE backups")
        .tags("account", account, "region", region)
        .register(registry)
        .record(took);
    ListingState state = listing(account, region);
    state.consecutiveFailures.set(0);
    boolean first = state.lastSuccess == null;
    state.lastSuccess = finished;
    if (first) {
      Gauge.builder("dynamobackup.listing.last.success.timestamp", state,
              s -> s.lastSuccess.toEpochMilli() / 1000.0)
          .description("When the last complete ListBackups pass over a region of an account ended (Unix time)")
          .baseUnit("seconds")
          .tags("account", account, "region", region)
          .register(registry);
    }
  }

  /** A ListBackups pass that failed: the previous listing of that region and account stands. */
  public void listingFailed(String account, String region) {
    listing(account, region).consecutiveFailures.incrementAndGet();
  }

  private ListingState listing(String account, String region) {
    return listings.computeIfAbsent(new Listing(account, region), key -> {
      var state = new ListingState();
      Gauge.builder("dynamobackup.listing.consecutive.failures", state, s -> s.consecutiveFailures.get())
          .description("ListBackups passes over a region of an account that failed in a row since the last"
              + " complete one")
          .tags("account", account, "region", region)
          .register(registry);
      return state;
    });
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

  private record Listing(String account, String region) {}

  private static final class ListingState {
    volatile Instant lastSuccess;
    final AtomicInteger consecutiveFailures = new AtomicInteger();
  }
}
