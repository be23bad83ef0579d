package io.dynamobackup.operator.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.support.OperatorHarness;
import io.javaoperatorsdk.operator.RuntimeInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ManagementServerTest {

  static final Duration TIMEOUT = Duration.ofSeconds(30);

  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create();

  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void readyOnlyOnceTheOperatorRunsWithHealthyInformersAndAliveAllAlong() throws Exception {
    AtomicReference<RuntimeInfo> runtime = new AtomicReference<>();
    try (var health = ManagementServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), runtime::get,
        OperatorMetrics.create())) {
      assertThat(get(health, "/healthz").statusCode()).isEqualTo(200);
      var notYet = get(health, "/readyz");
      assertThat(notYet.statusCode()).isEqualTo(503);
      assertThat(notYet.body()).contains("not started");

      runtime.set(harness.operator().getRuntimeInfo());

      assertThat(get(health, "/readyz").statusCode()).isEqualTo(200);
      assertThat(get(health, "/healthz").body()).isEqualTo("ok\n");
    }
  }

  @Test
  void metricsShowAwsCallsByOutcomeFinalizerReleaseTimeBackupsByStatusAndTheLeader() throws Exception {
    String table = harness.newTable();
    String kept = OperatorHarness.uniqueName("metrics-kept");
    String deleted = OperatorHarness.uniqueName("metrics-deleted");
    harness.apply(kept, new DynamoBackupSpec(table));
    harness.apply(deleted, new DynamoBackupSpec(table));
    for (String name : List.of(kept, deleted)) {
      await().atMost(TIMEOUT).until(() -> harness.get(name).getStatus() != null
          && "AVAILABLE".equals(harness.get(name).getStatus().backupStatus));
    }
    harness.emulator.failNext("DeleteBackup", "BackupInUseException", 1);
    harness.deleteAndAwaitGone(deleted, TIMEOUT);

    try (var server = ManagementServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        () -> harness.operator().getRuntimeInfo(), harness.metrics)) {
      var response = get(server, "/metrics");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValue(ManagementServer.PROMETHEUS_TEXT);
      Map<String, Double> samples = samples(response.body());

      String calls = "dynamobackup_aws_calls_seconds_count{operation=\"%s\",outcome=\"%s\",region=\"eu-west-1\"}";
      assertThat(samples.get(calls.formatted("CreateBackup", "ok"))).isGreaterThanOrEqualTo(2);
      assertThat(samples.get(calls.formatted("DeleteBackup", "retryable"))).isGreaterThanOrEqualTo(1);
      assertThat(samples.get(calls.formatted("DeleteBackup", "ok"))).isGreaterThanOrEqualTo(1);
      assertThat(samples.get("dynamobackup_finalizer_release_seconds_count")).isGreaterThanOrEqualTo(1);
      assertThat(samples).containsKey("dynamobackup_finalizer_release_seconds_bucket{le=\"30.0\"}");
      // what the operator last recorded equals what the API holds
      long available = harness.backups().inNamespace(OperatorHarness.NAMESPACE).list().getItems().stream()
          .filter(b -> b.getStatus() != null && "AVAILABLE".equals(b.getStatus().backupStatus)).count();
      assertThat(samples.get("dynamobackup_backups{namespace=\"default\",status=\"AVAILABLE\"}"))
          .isEqualTo((double) available);
      assertThat(samples.get("dynamobackup_backups{namespace=\"default\",status=\"DELETED\"}")).isZero();
      assertThat(samples.get("dynamobackup_leader")).isEqualTo(1.0);
      // JOSDK's reconcile metrics and the JVM's
      assertThat(samples.keySet()).anyMatch(k -> k.startsWith("operator_sdk_reconciliations_started_total"));
      assertThat(samples.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes"));
    }
  }

  /** Prometheus text format: one "name{labels} value" per line, comments skipped. */
  static Map<String, Double> samples(String exposition) {
    Map<String, Double> samples = new HashMap<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int split = line.lastIndexOf(' ');
      samples.put(line.substring(0, split), Double.parseDouble(line.substring(split + 1)));
    }
    return samples;
  }

  HttpResponse<String> get(ManagementServer health, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
