package io.dynamobackup.operator.config;

import io.dynamobackup.operator.reconcile.Backoff;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 */
public record OperatorConfig(
    Set<String> watchNamespaces, String defaultRegion, int reconcileThreads, ReconcileSettings reconcile) {

  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  /** Reads WATCH_NAMESPACES, RESYNC_PERIOD, RECONCILE_THREADS and the SDK's region chain. */
  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    Set<String> namespaces = Arrays.stream(env.getOrDefault("WATCH_NAMESPACES", "").split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
    ReconcileSettings defaults = ReconcileSettings.defaults();
    Duration resync = duration("RESYNC_PERIOD", env.get("RESYNC_PERIOD"), defaults.resyncPeriod());
    int threads = Integer.parseInt(env.getOrDefault("RECONCILE_THREADS", "20"));
    return new OperatorConfig(namespaces, regionFromSdkChain(), threads, defaults.withResyncPeriod(resync));
  }

  public OperatorConfig withDefaultRegion(String region) {
    return new OperatorConfig(watchNamespaces, region, reconcileThreads, reconcile);
  }

  public OperatorConfig withReconcile(ReconcileSettings settings) {
    return new OperatorConfig(watchNamespaces, defaultRegion, reconcileThreads, settings);
  }

  /** Settings that keep tests and the sandbox quick; the shape of every wait stays the same. */
  public static ReconcileSettings quickReconcile() {
    return new ReconcileSettings(Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofSeconds(1),
        Backoff.of(Duration.ofMillis(200), Duration.ofSeconds(2)), Duration.ofSeconds(2), Duration.ofSeconds(3));
  }

  private static String regionFromSdkChain() {
    try {
      return new DefaultAwsRegionProviderChain().getRegion().id();
    } catch (SdkClientException e) {
      return null;
    }
  }

  /** Accepts 90s, 10m, 1h, 2d or ISO-8601 (PT10M). */
  static Duration duration(String name, String value, Duration fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    Matcher matcher = SHORT_DURATION.matcher(value.trim());
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      return switch (matcher.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    }
    try {
      return Duration.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(name + "='" + value + "' is not a duration (like 90s, 10m, 1h or PT10M)");
    }
  }
}
