package io.dynamobackup.operator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox applies every manifest of examples/ and each reaches AVAILABLE, so the examples cannot rot. */
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
      assertThat(sandbox.runDemo(Duration.ofSeconds(30))).isTrue();
      assertThat(sandbox.client.resources(DynamoBackup.class).inNamespace("default").withName(Sandbox.DEMO).get())
          .isNull();
      assertThat(sandbox.emulator.backupArns(Sandbox.REGION)).hasSize(examples.size());
      assertThat(Files.readString(sandbox.kubeconfig)).contains("server: " + sandbox.api.url());
      assertThat(sandbox.instructions()).contains("export KUBECONFIG=" + sandbox.kubeconfig);
    }
  }
}
