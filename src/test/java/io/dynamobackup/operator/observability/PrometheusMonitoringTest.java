package io.dynamobackup.operator.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoBackupScheduleSpec;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.deploy.MonitoringManifests;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.schedule.SchedulePlanner;
import io.dynamobackup.operator.sandbox.DynamoDbEmulator;
import io.dynamobackup.operator.support.OperatorHarness;
import io.dynamobackup.operator.support.PrometheusServer;
import io.dynamobackup.operator.support.PrometheusTools;
import io.dynamobackup.operator.support.ShiftedClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's package, on loopback, in a temporary directory) scrapes the operator every second and
 * evaluates the PrometheusRule's own groups every second. The operator runs against the mock Kubernetes API and the
 * emulator through a scenario that gives every figure something to show: two every-minute schedules whose newest
 * backups are five minutes old, one of whose table then fails; throttled DeleteBackup calls; a finished and a blocked
 * deletion; a restore. Then the freshness alert fires for the failing schedule and not for the healthy one, every
 * query of the dashboard and the rules answers as expected, and /metrics passes promtool check metrics.
 */
class PrometheusMonitoringTest {

  /** As the ServiceMonitor names the job: after the metrics Service. The operator-down alert selects it. */
  static final String JOB = "dynamo-backup-operator-metrics";
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** The next minute's run of an every-minute schedule, made and observed. */
  static final Duration NEXT_RUN = Duration.ofSeconds(80);
  static final Duration HISTORY = Duration.ofMinutes(5);
  /** Grafana's $__rate_interval, long enough to cover the whole scenario. */
  static final String RATE_INTERVAL = "5m";

  /**
   * What each alert's expression answers here. DATA: ScheduleStale (the failing schedule's newest AVAILABLE backup
   * is five minutes old, more than twice its one-minute interval) and AwsThrottled (three of five DeleteBackup calls
   * throttled: pending, since it waits 15 minutes before firing). EMPTY: the others must stay quiet: nothing has been
   * not ready for 30 minutes or pending deletion for an hour, the operator is scraped and leads, and every listing
   * pass completes. That each metric they read has series is checked separately, so that their emptiness means
   * quiet, not misspelt.
   */
  static final Map<String, Boolean> ALERT_EXPRESSION_HAS_DATA = Map.of(
      "DynamoBackupScheduleStale", true,
      "DynamoBackupAwsThrottled", true,
      "DynamoBackupNotReady", false,
      "DynamoBackupDeletionPending", false,
      "DynamoBackupOperatorDown", false,
      "DynamoBackupOperatorNoLeader", false,
      "DynamoBackupListingFailing", false);

  /** JOSDK creates this counter at the first reconcile that throws; none has to here, so its queries may be empty. */
  static final String ONLY_AFTER_A_FAILURE = "operator_sdk_reconciliations_failed_total";

  @TempDir
  static Path dir;
  static final ShiftedClock emulatorClock = new ShiftedClock();
  static OperatorHarness harness;
  static ManagementServer management;
  static PrometheusServer prometheus;
  static String freshSchedule;
  static String failingSchedule;

  @BeforeAll
  static void runTheScenario() throws Exception {
    PrometheusTools.require("promtool");
    PrometheusTools.require("prometheus");
    harness = OperatorHarness.withEmulatorClock(
        OperatorConfig.quickReconcile().withResyncPeriod(Duration.ofSeconds(5)),
        emulatorClock);
    harness.startOperator();
    management = ManagementServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        () -> harness.operator().getRuntimeInfo(), harness.metrics);
    prometheus = PrometheusServer.start(dir, JOB, "127.0.0.1:" + management.port(), MonitoringManifests.rulesFile());

    String id = UUID.randomUUID().toString().substring(0, 6);
    freshSchedule = "fresh-" + id;
    failingSchedule = "failing-" + id;
    String failingTable = "failing-table-" + id;
    harness.emulator.failFor("CreateBackup", failingTable, "TableNotFoundException");
    Instant created = Instant.now();
    var fresh = scheduleWithEarlierBackup(freshSchedule, "fresh-table-" + id);
    var failing = scheduleWithEarlierBackup(failingSchedule, failingTable);

    String table = harness.newTable();
    String kept = harness.apply("kept-" + id, new DynamoBackupSpec(table)).getMetadata().getName();
    String deleted = harness.apply("deleted-" + id, new DynamoBackupSpec(table)).getMetadata().getName();
    String throttled = harness.apply("throttled-" + id, new DynamoBackupSpec(table)).getMetadata().getName();
    var protectedSpec = new DynamoBackupSpec(table);
    protectedSpec.deletionProtection = true;
    String blocked = harness.apply("blocked-" + id, protectedSpec).getMetadata().getName();
    for (String name : List.of(kept, deleted, throttled, blocked)) {
      await(name + " AVAILABLE").atMost(TIMEOUT).until(() -> harness.get(name).getStatus() != null
          && "AVAILABLE".equals(harness.get(name).getStatus().backupStatus));
    }
    harness.deleteAndAwaitGone(deleted, TIMEOUT);
    // throttling after Prometheus has seen DeleteBackup's series: a rate counts increases, not first values
    await("DeleteBackup's series scraped").atMost(TIMEOUT).until(() -> !prometheus.query(
        "dynamobackup_aws_calls_seconds_count{operation=\"DeleteBackup\",outcome=\"throttled\"} == 0").isEmpty());
    harness.emulator.failNext("DeleteBackup", "ThrottlingException", 3);
    harness.deleteAndAwaitGone(throttled, TIMEOUT);
    harness.backups().inNamespace(OperatorHarness.NAMESPACE).withName(blocked).delete();
    await(blocked + " deletion blocked").atMost(TIMEOUT).until(() -> Conditions.isTrue(
        harness.get(blocked).getStatus().conditions, Conditions.DELETION_BLOCKED));
    var restore = new DynamoRestoreSpec();
    restore.backupRef = new DynamoRestoreSpec.BackupRef(kept);
    restore.targetTableName = "restored-" + id;
    String restored = harness.applyRestore("restore-" + id, restore).getMetadata().getName();
    await(restored + " restored").atMost(TIMEOUT).until(() -> harness.getRestore(restored).getStatus() != null
        && Conditions.isTrue(harness.getRestore(restored).getStatus().conditions, Conditions.READY));

    // each schedule's first own run, at the next minute: the healthy one's backup becomes AVAILABLE, the other fails
    await("the schedules' next runs").atMost(NEXT_RUN).until(() -> runAfter(fresh, created, "Available")
        && runAfter(failing, created, "TableNotFound"));
    await("Prometheus to see the runs and a complete listing").atMost(TIMEOUT).until(() ->
        firingStaleSchedules().equals(Set.of(failingSchedule))
            && !prometheus.query("dynamobackup_listing_last_success_timestamp_seconds").isEmpty()
            && !prometheus.query("dynamobackup_backups_not_ready{reason=\"TableNotFound\"}").isEmpty());
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
    if (management != null) {
      management.close();
    }
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void theFreshnessAlertFiresForTheScheduleWhoseTableFailsAndNotForTheHealthyOne() {
    assertThat(firingStaleSchedules()).containsExactly(failingSchedule);
    // the failing schedule's newest AVAILABLE backup is the one from five minutes ago; the healthy one's is new
    double failingAge = value(prometheus.query("time() - dynamobackup_schedule_last_available_backup_timestamp_seconds"
        + "{schedule=\"" + failingSchedule + "\"}"));
    double freshAge = value(prometheus.query("time() - dynamobackup_schedule_last_available_backup_timestamp_seconds"
        + "{schedule=\"" + freshSchedule + "\"}"));
    assertThat(failingAge).isGreaterThan(HISTORY.toSeconds() - 5.0);
    assertThat(freshAge).isLessThan(NEXT_RUN.toSeconds());
    assertThat(value(prometheus.query("dynamobackup_schedule_interval_seconds{schedule=\"" + failingSchedule
        + "\"}"))).isEqualTo(60.0);
    assertThat(prometheus.query("dynamobackup_schedule_last_run_timestamp_seconds{schedule=\"" + failingSchedule
        + "\",outcome=\"failed\",reason=\"TableNotFound\"}")).hasSize(1);
  }

  @Test
  void everyRuleIsLoadedAndEveryAlertExpressionAnswersAsThisScenarioRequires() {
    List<String> loaded = new ArrayList<>();
    for (JsonNode group : prometheus.rules().path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        assertThat(rule.path("health").asText()).as(rule.path("name").asText() + ": " + rule.path("lastError"))
            .isEqualTo("ok");
        loaded.add(rule.path("name").asText());
      }
    }
    assertThat(loaded).containsExactlyInAnyOrderElementsOf(ALERT_EXPRESSION_HAS_DATA.keySet());

    for (var rule : MonitoringManifests.rules()) {
      assertThat(prometheus.query(rule.expr()).isEmpty()).as(rule.name() + " has data: " + rule.expr())
          .isEqualTo(!ALERT_EXPRESSION_HAS_DATA.get(rule.name()));
    }
  }

  @Test
  void everyDashboardQueryReturnsData() {
    List<String> queries = MonitoringManifests.dashboardQueries(RATE_INTERVAL);
    assertThat(queries).hasSizeGreaterThan(20);
    for (String query : queries) {
      List<JsonNode> result = prometheus.query(query);
      if (!MonitoringManifests.metricNames(query).contains(ONLY_AFTER_A_FAILURE)) {
        assertThat(result).as("dashboard query: " + query).isNotEmpty();
      }
    }
  }

  @Test
  void everyMetricTheRulesAndTheDashboardReadHasSeries() {
    Set<String> read = new TreeSet<>();
    MonitoringManifests.rules().forEach(rule -> read.addAll(MonitoringManifests.metricNames(rule.expr())));
    MonitoringManifests.dashboardQueries(RATE_INTERVAL).forEach(q -> read.addAll(MonitoringManifests.metricNames(q)));
    read.remove(ONLY_AFTER_A_FAILURE);

    assertThat(read).hasSizeGreaterThan(15);
    assertThat(prometheus.metricNames()).containsAll(read);
  }

  @Test
  void theScrapedMetricsPassPromtoolCheckMetrics() throws Exception {
    String exposition = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + management.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(exposition).contains("dynamobackup_schedule_interval_seconds", "dynamobackup_restores",
        "dynamobackup_deletions_pending", "dynamobackup_listing_consecutive_failures", "operator_sdk_");

    var result = PrometheusTools.run(List.of(PrometheusTools.require("promtool").toString(), "check", "metrics"),
        dir, exposition, TIMEOUT);

    assertThat(result.output()).isEmpty();
    assertThat(result.exitCode()).isZero();
  }

  /**
   * An every-minute schedule, and a backup of its table from a run five minutes ago: the emulator's clock is set
   * back while it makes the backup, which a DynamoBackup child (label, owner reference, scheduled time) adopts.
   */
  static DynamoBackupSchedule scheduleWithEarlierBackup(String name, String table) {
    var spec = new DynamoBackupScheduleSpec();
    spec.tableName = table;
    spec.schedule = "* * * * *";
    var schedule = new DynamoBackupSchedule();
    schedule.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(OperatorHarness.NAMESPACE).build());
    schedule.setSpec(spec);
    schedule = harness.client.resource(schedule).create();

    Instant earlier = Instant.now().minus(HISTORY);
    String arn = String.format("arn:aws:dynamodb:%s:%s:table/%s/backup/%014d-%08x", OperatorHarness.REGION,
        DynamoDbEmulator.ACCOUNT, table, earlier.toEpochMilli(), name.hashCode());
    emulatorClock.shift(HISTORY.negated());
    try {
      harness.emulator.putBackup(arn);
    } finally {
      emulatorClock.shift(Duration.ZERO);
    }
    Instant run = earlier.truncatedTo(ChronoUnit.MINUTES);
    var child = new DynamoBackup();
    child.setMetadata(new ObjectMetaBuilder()
        .withName(SchedulePlanner.childName(name, run))
        .withNamespace(OperatorHarness.NAMESPACE)
        .withLabels(Map.of(DynamoBackupSchedule.SCHEDULE_LABEL, name))
        .withAnnotations(Map.of(DynamoBackupSchedule.SCHEDULED_AT, run.toString()))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(schedule.getApiVersion())
            .withKind(schedule.getKind()).withName(name).withUid(schedule.getMetadata().getUid())
            .withController(true).build())
        .build());
    var childSpec = new DynamoBackupSpec(table);
    childSpec.backupArn = arn;
    child.setSpec(childSpec);
    harness.client.resource(child).create();
    return schedule;
  }

  /** Whether the schedule made a run after {@code since} whose backup's Ready reason is {@code reason}. */
  static boolean runAfter(DynamoBackupSchedule schedule, Instant since, String reason) {
    return harness.backups().inNamespace(OperatorHarness.NAMESPACE)
        .withLabel(DynamoBackupSchedule.SCHEDULE_LABEL, schedule.getMetadata().getName()).list().getItems().stream()
        .filter(b -> Instant.parse(b.getMetadata().getAnnotations().get(DynamoBackupSchedule.SCHEDULED_AT))
            .isAfter(since))
        .anyMatch(b -> b.getStatus() != null && Conditions.find(b.getStatus().conditions, Conditions.READY)
            .map(c -> reason.equals(c.getReason())).orElse(false));
  }

  static Set<String> firingStaleSchedules() {
    Set<String> schedules = new TreeSet<>();
    prometheus.query("ALERTS{alertname=\"DynamoBackupScheduleStale\",alertstate=\"firing\"}")
        .forEach(alert -> schedules.add(alert.path("metric").path("schedule").asText()));
    return schedules;
  }

  static double value(List<JsonNode> result) {
    assertThat(result).hasSize(1);
    return Double.parseDouble(result.get(0).path("value").get(1).asText());
  }
}
