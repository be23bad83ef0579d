package io.dynamobackup.operator.config;

import io.dynamobackup.operator.api.Durations;
import io.dynamobackup.operator.aws.QuotaLimiter;
import io.dynamobackup.operator.reconcile.Backoff;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * Everything the operator is configured with, read once at startup. Kubernetes and AWS connection settings are
 * not here: the Fabric8 client and the AWS SDK read them their own standard ways (kubeconfig or in-cluster;
 * AWS_REGION, AWS_ENDPOINT_URL, the credentials chain).
 *
 * @param watchNamespaces namespaces to watch; empty means all
 * @param defaultRegion region for objects without spec.region; null when the SDK chain finds none
 * @param reconcileThreads concurrent reconciles
 * @param awsCallTimeout longest an AWS call may take, retries included
 * @param managementAddress where /healthz, /readyz and /metrics are served; null turns them off
 * @param leaderElection whether and how replicas elect the one that reconciles
 * @param rateLimits client-side limits, calls per second by DynamoDB operation; empty: none
 * @param labelSelector the shard: only DynamoBackups, schedules and restores matching it are watched; null: all
 */
public record OperatorConfig(
    Set<String> watchNamespaces, String defaultRegion, int reconcileThreads, Duration awsCallTimeout,
    ReconcileSettings reconcile, InetSocketAddress managementAddress, LeaderElection leaderElection,
    Map<String, Double> rateLimits, String labelSelector) {

  /** One instance, no HTTP endpoints, no rate limits, no shard: tests and the sandbox. */
  public OperatorConfig(Set<String> watchNamespaces, String defaultRegion, int reconcileThreads,
      Duration awsCallTimeout, ReconcileSettings reconcile) {
    this(watchNamespaces, defaultRegion, reconcileThreads, awsCallTimeout, reconcile, null, LeaderElection.OFF,
        Map.of(), null);
  }

  public OperatorConfig withLeaderElection(LeaderElection election) {
    return new OperatorConfig(watchNamespaces, defaultRegion, reconcileThreads, awsCallTimeout, reconcile,
        managementAddress, election, rateLimits, labelSelector);
  }

  public OperatorConfig withReconcileThreads(int threads) {
    return new OperatorConfig(watchNamespaces, defaultRegion, threads, awsCallTimeout, reconcile,
        managementAddress, leaderElection, rateLimits, labelSelector);
  }

  public OperatorConfig withRateLimits(Map<String, Double> limits) {
    return new OperatorConfig(watchNamespaces, defaultRegion, reconcileThreads, awsCallTimeout, reconcile,
        managementAddress, leaderElection, Map.copyOf(limits), labelSelector);
  }

  public OperatorConfig withLabelSelector(String selector) {
    return new OperatorConfig(watchNamespaces, defaultRegion, reconcileThreads, awsCallTimeout, reconcile,
        managementAddress, leaderElection, rateLimits, selector);
  }

  public static final Duration DEFAULT_AWS_CALL_TIMEOUT = Duration.ofSeconds(30);
  /**
   * Concurrent reconciles (JOSDK's own default). An account's operation held at its quota keeps about five of them
   * waiting in place for their slots (see Main.QUOTA_MAX_BLOCK), and each reconcile waits on the API server for its
   * writes. Five accounts deleting at their quotas at once, on the benchmark's mock API server (writes of about
   * 200 ms), with Events still written by the reconciles: twenty threads reached 0.76 to 0.86 of the quotas, fifty
   * 0.85 to 0.94; fifty reached 0.97 to 0.98 once Events no longer held reconciles up.
   */
  public static final int DEFAULT_RECONCILE_THREADS = 50;

  /**
   * Reads WATCH_NAMESPACES, WATCH_LABEL_SELECTOR, RESYNC_PERIOD, RECONCILE_THREADS, AWS_CALL_TIMEOUT, HEALTH_PORT
   * (default 8080; 0: off), HEALTH_BIND_ADDRESS (default all interfaces), LEADER_ELECTION (default true),
   * LEADER_ELECTION_NAMESPACE, LEADER_ELECTION_LEASE_NAME, AWS_RATE_LIMITS (default: the documented quotas) and the
   * SDK's region chain.
   */
  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    Set<String> namespaces = Arrays.stream(env.getOrDefault("WATCH_NAMESPACES", "").split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
    ReconcileSettings defaults = ReconcileSettings.defaults();
    Duration resync = duration("RESYNC_PERIOD", env.get("RESYNC_PERIOD"), defaults.resyncPeriod());
    int threads = Integer.parseInt(env.getOrDefault("RECONCILE_THREADS",
        Integer.toString(DEFAULT_RECONCILE_THREADS)));
    Duration callTimeout = duration("AWS_CALL_TIMEOUT", env.get("AWS_CALL_TIMEOUT"), DEFAULT_AWS_CALL_TIMEOUT);
    // A CreateBackup whose answer was lost is surely over after twice its timeout.
    int healthPort = Integer.parseInt(env.getOrDefault("HEALTH_PORT", "8080"));
    String bindAddress = env.getOrDefault("HEALTH_BIND_ADDRESS", "").trim();
    InetSocketAddress management = healthPort == 0 ? null : bindAddress.isEmpty()
        ? new InetSocketAddress(healthPort) : new InetSocketAddress(bindAddress, healthPort);
    return new OperatorConfig(namespaces, regionFromSdkChain(), threads, callTimeout,
        defaults.withResyncPeriod(resync).withInFlightBound(callTimeout.multipliedBy(2)), management,
        LeaderElection.fromEnvironment(env), rateLimits(env.get("AWS_RATE_LIMITS")),
        labelSelector(env.get("WATCH_LABEL_SELECTOR")));
  }

  /** WATCH_LABEL_SELECTOR: unset or blank means every object; anything else must be a label selector. */
  static String labelSelector(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      LabelSelectorSyntax.keys(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("WATCH_LABEL_SELECTOR='" + value + "' is not a label selector: "
          + e.getMessage());
    }
    return value.trim();
  }

  /** Settings that keep tests and the sandbox quick; the shape of every wait stays the same. */
  public static ReconcileSettings quickReconcile() {
    return new ReconcileSettings(Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofSeconds(1),
        Backoff.of(Duration.ofMillis(200), Duration.ofSeconds(2)), Duration.ofSeconds(2), Duration.ofSeconds(3),
        Duration.ofMillis(500));
  }

  /**
   * AWS_RATE_LIMITS: unset means DynamoDB's documented quotas; {@code off} means no client-side limit;
   * {@code DeleteBackup=20,ListBackups=5} overrides single operations (a raised quota), the rest stay documented.
   */
  static Map<String, Double> rateLimits(String value) {
    if (value == null || value.isBlank()) {
      return QuotaLimiter.DOCUMENTED_QUOTAS;
    }
    if (value.trim().equalsIgnoreCase("off")) {
      return Map.of();
    }
    Map<String, Double> limits = new TreeMap<>(QuotaLimiter.DOCUMENTED_QUOTAS);
    for (String entry : value.split(",")) {
      String[] pair = entry.trim().split("=", 2);
      if (pair.length != 2 || !QuotaLimiter.DOCUMENTED_QUOTAS.containsKey(pair[0].trim())) {
        throw new IllegalArgumentException("AWS_RATE_LIMITS entry '" + entry.trim() + "' is not OPERATION=PER_SECOND"
            + " with an operation of " + new TreeSet<>(QuotaLimiter.DOCUMENTED_QUOTAS.keySet()) + " (or 'off')");
      }
      double perSecond;
      try {
        perSecond = Double.parseDouble(pair[1].trim());
      } catch (NumberFormatException e) {
        perSecond = -1;
      }
      if (!(perSecond > 0)) {
        throw new IllegalArgumentException("AWS_RATE_LIMITS: " + pair[0].trim() + "='" + pair[1].trim()
            + "' is not a positive number of calls per second");
      }
      limits.put(pair[0].trim(), perSecond);
    }
    return Map.copyOf(limits);
  }

  private static String regionFromSdkChain() {
    try {
      return new DefaultAwsRegionProviderChain().getRegion().id();
    } catch (SdkClientException e) {
      return null;
    }
  }

  static Duration duration(String name, String value, Duration fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    return Durations.parse(value).orElseThrow(() -> new IllegalArgumentException(name + "='" + value
        + "' is not a duration (like 90s, 10m, 1h, 30d or PT10M)"));
  }

}
