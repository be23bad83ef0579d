package io.dynamobackup.operator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.support.MotoServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `java -jar target/dynamo-backup-operator-sandbox.jar` with no cluster configured shows the sandbox lifecycle. */
class SandboxJarIT {

  @Test
  void jsonLogsCarryTheObjectOnEveryReconcileLine(@TempDir Path home) throws Exception {
    List<String> lines = runJar(home, Map.of("LOG_FORMAT", "json"));

    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    List<com.fasterxml.jackson.databind.JsonNode> reconcileLines = new java.util.ArrayList<>();
    for (String line : lines) {
      if (line.startsWith("{")) {
        var event = json.readTree(line);
        // the DynamoBackup reconciler and its phases, which log within a reconcile
        String logger = event.path("loggerName").asText();
        if (java.util.List.of("DynamoBackupReconciler", "BackupCreator", "BackupObserver", "BackupDeleter").stream()
            .anyMatch(phase -> logger.endsWith(".backup." + phase))) {
          reconcileLines.add(event);
        }
      }
    }
    assertThat(reconcileLines).isNotEmpty().allSatisfy(event -> {
      assertThat(event.path("mdc").path("resource.namespace").asText()).isEqualTo("default");
      assertThat(event.path("mdc").path("resource.name").asText()).isNotEmpty();
      assertThat(event.path("mdc").path("backupArn").asText("")).doesNotContain("null");
    });
    assertThat(reconcileLines).filteredOn(e -> e.path("message").asText().contains("is AVAILABLE"))
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.path("mdc").path("backupArn").asText()).startsWith("arn:aws:dynamodb:"));
  }

  @Test
  void sandboxJarShowsTheLifecycle(@TempDir Path home) throws Exception {
    List<String> lines = runJar(home, Map.of());
    String output = String.join("\n", lines);
    assertThat(output).contains(
        "demo: created DynamoBackup default/sandbox-demo",
        "sandbox-demo: created backup",
        "is AVAILABLE",
        "demo: DynamoRestore default/sandbox-demo-restore is restoring table sandbox-demo-table-restored",
        "demo: the deletion waits: Deleting=True, reason BackupInUse",
        "sandbox-demo: DeleteBackup confirmed",
        "demo: the restore into sandbox-demo-table-restored finished in AWS; then the finalizer ran DeleteBackup",
        "export KUBECONFIG=");
    assertThat(Files.readString(home.resolve("kubeconfig"))).contains("server: http://127.0.0.1:");
  }

  /** Runs the sandbox jar with no cluster configured until the sandbox is up; returns what it printed. */
  static List<String> runJar(Path home, Map<String, String> environment) throws Exception {
    Path jar = Path.of("target", "dynamo-backup-operator-sandbox.jar").toAbsolutePath();
    assertThat(jar).exists();
    var builder = new ProcessBuilder("java", "-jar", jar.toString(), "--sandbox-port",
        Integer.toString(MotoServer.freePort()), "--sandbox-kubeconfig", home.resolve("kubeconfig").toString())
        .directory(home.toFile())
        .redirectErrorStream(true);
    builder.environment().remove("KUBECONFIG");
    builder.environment().remove("KUBERNETES_SERVICE_HOST");
    builder.environment().put("HOME", home.toString());
    builder.environment().put("JAVA_TOOL_OPTIONS", "-Duser.home=" + home);
    builder.environment().putAll(environment);
    Process process = builder.start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        in.lines().forEach(lines::add);
      } catch (IOException | java.io.UncheckedIOException ignored) {
        // the process was stopped
      }
    });
    reader.start();
    try {
      Awaitility.await("sandbox lifecycle in the jar's output").atMost(Duration.ofSeconds(90))
          .until(() -> lines.stream().anyMatch(l -> l.contains("Press Ctrl-C to stop")) || !process.isAlive());
      return lines;
    } finally {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      reader.join(5000);
    }
  }
}
