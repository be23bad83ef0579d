package io.dynamobackup.operator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoRestore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox applies every manifest of examples/ and each reaches AVAILABLE (backups) or ACTIVE (restores), so
 * the examples cannot rot; its demo shows a backup, its restore, and the backup's deletion waiting for the restore;
 * the operator's metrics and probes are served for a local Prometheus.
 */
class SandboxTest {

  @Test
  void examplesBecomeAvailableAndTheDemoRunsTheWholeLifecycle(@TempDir Path dir) throws Exception {
    try (var sandbox = Sandbox.start(new Sandbox.Options(0, dir.resolve("kubeconfig"), Path.of("examples"),
        Duration.ofMillis(500)))) {
      var examples = Examples.load(Path.of("examples")).stream().filter(DynamoBackup.class::isInstance).toList();
      assertThat(examples).isNotEmpty();
      assertThat(sandbox.client.resources(DynamoBackupSchedule.class).inNamespace("default").withName("orders-daily")
          .get()).isNotNull();

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        for (var example : examples) {
          var backup = sandbox.client.resources(DynamoBackup.class).inNamespace(example.getMetadata().getNamespace())
              .withName(example.getMetadata().getName()).get();
          assertThat(backup.getStatus()).as(example.getMetadata().getName()).isNotNull();
          assertThat(backup.getStatus().backupStatus).as(example.getMetadata().getName()).isEqualTo("AVAILABLE");
        }
      });
      var restores = Examples.load(Path.of("examples")).stream().filter(DynamoRestore.class::isInstance).toList();
      assertThat(restores).isNotEmpty();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        for (var example : restores) {
          var restore = sandbox.client.resources(DynamoRestore.class)
              .inNamespace(example.getMetadata().getNamespace()).withName(example.getMetadata().getName()).get();
          assertThat(restore.getStatus()).as(example.getMetadata().getName()).isNotNull();
          assertThat(restore.getStatus().tableStatus).as(example.getMetadata().getName()).isEqualTo("ACTIVE");
        }
      });

      // backup, restore, and a deletion of the backup that waits for the restore (BackupInUse)
      assertThat(sandbox.runDemo(Duration.ofSeconds(30))).isTrue();
      assertThat(sandbox.client.resources(DynamoBackup.class).inNamespace("default").withName(Sandbox.DEMO).get())
          .isNull();
      // the deletion went on once AWS said the restore was over; the restore's own status follows at its next look
      await().atMost(Duration.ofSeconds(30)).until(() -> "ACTIVE".equals(sandbox.client.resources(DynamoRestore.class)
          .inNamespace("default").withName(Sandbox.RESTORE_DEMO).get().getStatus().tableStatus));
      var demoRestore = sandbox.client.resources(DynamoRestore.class).inNamespace("default")
          .withName(Sandbox.RESTORE_DEMO).get();
      assertThat(sandbox.emulator.calls("DeleteBackup", demoRestore.getStatus().sourceBackupArn)).singleElement()
          .satisfies(call -> assertThat(call.at()).isAfterOrEqualTo(Instant.parse(
              demoRestore.getStatus().restoreSummary.restoreDateTime).plus(Sandbox.MIN_RESTORING)));
      assertThat(sandbox.emulator.backupArns(Sandbox.REGION)).hasSize(examples.size());
      assertThat(Files.readString(sandbox.kubeconfig)).contains("server: " + sandbox.api.url());
      assertThat(sandbox.instructions()).contains("export KUBECONFIG=" + sandbox.kubeconfig)
          .contains("http://127.0.0.1:" + sandbox.management.port() + "/metrics");
      assertThat(get(sandbox, "/readyz").statusCode()).isEqualTo(200);
      assertThat(get(sandbox, "/metrics").body()).contains("dynamobackup_leader 1.0")
          .containsPattern("dynamobackup_backups\\{namespace=\"default\",status=\"AVAILABLE\"} [1-9]")
          .containsPattern("dynamobackup_aws_calls_seconds_count\\{operation=\"CreateBackup\",outcome=\"ok\"");
    }
  }

  static HttpResponse<String> get(Sandbox sandbox, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + sandbox.management.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
