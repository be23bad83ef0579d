package io.dynamobackup.operator.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Brings the meters that libraries register to Prometheus's conventions, as {@code promtool check metrics} reads
 * them: JOSDK's meters get help texts, and two of Micrometer's processor meters whose names break the conventions
 * ({@code process_cpu_time_ns_total}: not in base units; {@code system_cpu_count}: a gauge ending in _count) are left
 * out ({@code process_cpu_usage} stays).
 */
final class PrometheusConventions implements MeterFilter {

  static final Set<String> LEFT_OUT = Set.of("process.cpu.time", "system.cpu.count");

  /** JOSDK's meter names, by prefix (some end in the controller's name); the longest matching prefix wins. */
  private static final Map<String, String> JOSDK_HELP = new LinkedHashMap<>();

  static {
    JOSDK_HELP.put("operator.sdk.events.received", "Events received for primary resources, by controller");
    JOSDK_HELP.put("operator.sdk.events.delete", "Delete events received for primary resources, by controller");
    JOSDK_HELP.put("operator.sdk.reconciliations.started", "Reconciliations started, by controller");
    JOSDK_HELP.put("operator.sdk.reconciliations.success", "Reconciliations that succeeded, by controller");
    JOSDK_HELP.put("operator.sdk.reconciliations.failed", "Reconciliations that threw, by controller");
    JOSDK_HELP.put("operator.sdk.reconciliations.retries", "Retries of failed reconciliations, by controller");
    JOSDK_HELP.put("operator.sdk.reconciliations.executions", "Reconciliations running now, of this controller");
    JOSDK_HELP.put("operator.sdk.reconciliations.queue.size", "Resources queued for reconciliation, of this"
        + " controller");
    JOSDK_HELP.put("operator.sdk.controllers.execution", "Reconcile and cleanup executions by controller: their"
        + " duration, successes and failures");
  }

  @Override
  public MeterFilterReply accept(Meter.Id id) {
    return LEFT_OUT.contains(id.getName()) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
  }

  @Override
  public Meter.Id map(Meter.Id id) {
    if (id.getDescription() != null || !id.getName().startsWith("operator.sdk.")) {
      return id;
    }
    String help = JOSDK_HELP.entrySet().stream()
        .filter(e -> id.getName().startsWith(e.getKey()))
        .max(Map.Entry.comparingByKey((a, b) -> Integer.compare(a.length(), b.length())))
        .map(Map.Entry::getValue)
        .orElse("Java Operator SDK's " + id.getName());
    return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), help, id.getType());
  }
}
