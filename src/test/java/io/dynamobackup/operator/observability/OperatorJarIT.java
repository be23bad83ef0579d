package io.dynamobackup.operator.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.config.LeaderElection;
import io.dynamobackup.operator.sandbox.DynamoDbEmulator;
import io.dynamobackup.operator.sandbox.SandboxCluster;
import io.dynamobackup.operator.support.OperatorProcess;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar as the Deployment runs it (kubeconfig, AWS from the environment, leader election on, HTTP port set): it
 * takes the Lease, is ready, reconciles, serves metrics, and exits promptly on SIGTERM.
 */
class OperatorJarIT {

  static final Duration TIMEOUT = Duration.ofSeconds(60);
  static final String REGION = "eu-west-1";

  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void deploymentSettingsLeadReconcileServeMetricsAndStopOnSigterm(@TempDir Path dir) throws Exception {
    int port;
    try (var socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (var cluster = SandboxCluster.start(0); KubernetesClient client = cluster.newClient();
        var emulator = DynamoDbEmulator.start(0)) {
      emulator.createTable(REGION, "orders");
      var operator = new OperatorProcess(dir, Map.of(
          "KUBECONFIG", cluster.writeKubeconfig(dir.resolve("kubeconfig")).toString(),
          "AWS_REGION", REGION,
          "AWS_ENDPOINT_URL", emulator.endpoint().toString(),
          "AWS_ACCESS_KEY_ID", "test",
          "AWS_SECRET_ACCESS_KEY", "test",
          "HEALTH_PORT", Integer.toString(port),
          "HEALTH_BIND_ADDRESS", "127.0.0.1",
          "LEADER_ELECTION", "true",
          "LEADER_ELECTION_NAMESPACE", "default",
          "HOSTNAME", "dynamo-backup-operator-7d9f-abcde"));
      try {
        operator.start();
        await().atMost(TIMEOUT).until(() -> status(port, "/readyz") == 200);
        await().atMost(TIMEOUT).until(() -> {
          var lease = client.leases().inNamespace("default").withName(LeaderElection.LEASE_NAME).get();
          return lease != null && "dynamo-backup-operator-7d9f-abcde".equals(lease.getSpec().getHolderIdentity());
        });

        var backup = new DynamoBackup();
        backup.setMetadata(new ObjectMetaBuilder().withName("orders-nightly").withNamespace("default").build());
        backup.setSpec(new DynamoBackupSpec("orders"));
        client.resource(backup).create();
        await().atMost(TIMEOUT).until(() -> {
          var status = client.resources(DynamoBackup.class).inNamespace("default").withName("orders-nightly").get()
              .getStatus();
          return status != null && "AVAILABLE".equals(status.backupStatus);
        });

        String metrics = get(port, "/metrics").body();
        assertThat(metrics)
            .contains("dynamobackup_aws_calls_seconds_count{operation=\"CreateBackup\",outcome=\"ok\",region=\""
                + REGION + "\"} 1")
            .contains("dynamobackup_backups{namespace=\"default\",status=\"AVAILABLE\"} 1")
            .contains("dynamobackup_leader 1")
            .contains("operator_sdk_reconciliations_started_total");

        assertThat(operator.terminate(Duration.ofSeconds(20))).as("exit after SIGTERM").isPresent();
        assertThat(Files.readString(operator.log())).contains("leading: this instance reconciles")
            .doesNotContain("lost the leader Lease");
      } finally {
        operator.close();
      }
    }
  }

  int status(int port, String path) {
    try {
      return get(port, path).statusCode();
    } catch (Exception e) {
      return -1; // not listening yet
    }
  }

  HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
