package io.dynamobackup.operator.observability;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Clock;
import java.util.function.BooleanSupplier;

/**
 * The fleet figures, computed from the informer caches at each scrape, while this replica leads and its caches run.
 * Prometheus's scrape-time collector rather than Micrometer gauges: series come and go with namespaces, reasons and
 * schedules, and a vanished one must not linger with its last value.
 */
final class FleetCollector implements MultiCollector {

  private final FleetCaches caches;
  private final BooleanSupplier leading;
  private final Clock clock;

  FleetCollector(FleetCaches caches, BooleanSupplier leading, Clock clock) {
    this.caches = caches;
    this.leading = leading;
    this.clock = clock;
  }

  @Override
  public MetricSnapshots collect() {
    if (!leading.getAsBoolean() || !caches.started().getAsBoolean()) {
      return MetricSnapshots.of();
    }
    var snapshots = MetricSnapshots.builder();
    for (var family : FleetFigures.of(caches.backups().get(), caches.schedules().get(), caches.restores().get(),
        clock.instant())) {
      var gauge = GaugeSnapshot.builder().name(family.name()).help(family.help());
      for (var sample : family.samples()) {
        var labels = Labels.builder();
        sample.labels().forEach(labels::label);
        gauge.dataPoint(GaugeDataPointSnapshot.builder().labels(labels.build()).value(sample.value()).build());
      }
      snapshots.metricSnapshot(gauge.build());
    }
    return snapshots.build();
  }
}
