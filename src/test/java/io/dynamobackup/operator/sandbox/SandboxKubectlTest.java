package io.dynamobackup.operator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoRestore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The real kubectl against the sandbox, through everything the README promises. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SandboxKubectlTest {

  static final Duration KUBECTL_TIMEOUT = Duration.ofSeconds(60);
  @TempDir
  static Path dir;
  static Sandbox sandbox;

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(kubectlInstalled(), "kubectl is not installed: install it (Debian package kubectl or"
        + " kubernetes-client; .ci/run does) to run the kubectl tests");
    sandbox = Sandbox.start(new Sandbox.Options(0, dir.resolve("kubeconfig"), Path.of("examples"),
        Duration.ofMillis(500)));
    await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.client.resources(DynamoBackup.class)
        .inNamespace("default").list().getItems().stream()
        .allMatch(b -> b.getStatus() != null && "AVAILABLE".equals(b.getStatus().backupStatus)));
    await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.client.resources(DynamoRestore.class)
        .inNamespace("default").list().getItems().stream()
        .allMatch(r -> r.getStatus() != null && "ACTIVE".equals(r.getStatus().tableStatus)));
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  @Order(1)
  void discoveryListsTheResourceWithItsShortName() {
    String output = ok("api-resources");

    assertThat(output).containsPattern("dynamobackups\\s+ddbb\\s+dynamobackup.io/v1alpha1\\s+true\\s+DynamoBackup");
    assertThat(output).containsPattern("dynamorestores\\s+ddbr\\s+dynamobackup.io/v1alpha1\\s+true\\s+DynamoRestore");
    assertThat(ok("version")).contains("Server Version: v1.32");
  }

  @Test
  @Order(2)
  void applyOfTheExamplesValidatesAndFindsThemUnchangedThenPatchesAnEdit() throws IOException {
    assertThat(ok("apply", "-f", "examples/")).contains("dynamobackup.dynamobackup.io/orders-nightly unchanged");

    Path edited = dir.resolve("edited.yaml");
    Files.writeString(edited, Files.readString(Path.of("examples", "dynamobackup.yaml"))
        .replace("tableName: orders", "tableName: orders\n  deletionPolicy: Retain"));
    assertThat(ok("apply", "-f", edited.toString())).contains("orders-nightly configured");
    assertThat(ok("get", "ddbb", "orders-nightly", "-o", "jsonpath={.spec.deletionPolicy}")).isEqualTo("Retain");

    assertThat(ok("apply", "--server-side", "-f", "examples/dynamobackup-retain.yaml"))
        .contains("payments-before-migration serverside-applied");
  }

  @Test
  @Order(3)
  void getPrintsThePrinterColumns() {
    String table = ok("get", "ddbb");
    String wide = ok("get", "dynamobackups", "-A", "-o", "wide");

    assertThat(table.lines().findFirst().orElseThrow()).matches("NAME\\s+TABLE\\s+BACKUP\\s+STATUS\\s+SIZE\\s+EXPIRES\\s+AGE");
    assertThat(table).containsPattern("orders-nightly\\s+orders\\s+default_orders-nightly_\\w{8}\\s+AVAILABLE\\s+0");
    assertThat(table).containsPattern("payments-audit-2026\\s+payments\\s+\\S+\\s+AVAILABLE\\s+0\\s+2033-12-31");
    assertThat(ok("get", "ddbs")).containsPattern("orders-daily\\s+orders\\s+0 3 \\* \\* \\*\\s+0\\s+\\S+T02:00:00Z");
    String restores = ok("get", "ddbr");
    assertThat(restores.lines().findFirst().orElseThrow())
        .matches("NAME\\s+BACKUP\\s+TARGET TABLE\\s+STATUS\\s+AGE");
    assertThat(restores)
        .containsPattern("orders-nightly-restored\\s+orders-nightly\\s+restored-orders-nightly\\s+ACTIVE");
    assertThat(wide.lines().findFirst().orElseThrow())
        .matches("NAMESPACE\\s+NAME\\s+TABLE\\s+BACKUP\\s+STATUS\\s+SIZE\\s+EXPIRES\\s+AGE\\s+ARN");
    assertThat(wide).contains("arn:aws:dynamodb:eu-west-1:123456789012:table/orders/backup/");
    assertThat(ok("get", "ddbb", "orders-nightly", "-o", "yaml")).contains("backupStatus: AVAILABLE",
        "type: Ready", "sourceTableDetails:");
    assertThat(ok("get", "ddbb", "orders-nightly", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"))
        .isEqualTo("True");
  }

  @Test
  @Order(4)
  void describeShowsStatusConditionsAndTheOperatorsEvents() {
    String described = ok("describe", "ddbb", "orders-nightly");

    assertThat(described).contains("Backup Status:  AVAILABLE", "Conditions:", "Type:                  Ready",
        "Events:");
    assertThat(described).containsPattern("Normal\\s+Available\\s+\\S+\\s+dynamo-backup-operator\\s+backup arn:");
    assertThat(ok("get", "events")).containsPattern("LAST SEEN\\s+TYPE\\s+REASON\\s+OBJECT\\s+MESSAGE")
        .contains("dynamobackup/orders-nightly");
  }

  @Test
  @Order(5)
  void waitAndWatchFollowANewBackup() throws Exception {
    Path manifest = dir.resolve("new.yaml");
    Files.writeString(manifest, """
        apiVersion: dynamobackup.io/v1alpha1
        kind: DynamoBackup
        metadata:
          name: from-kubectl
        spec:
          tableName: orders
        """);
    List<String> watched = new CopyOnWriteArrayList<>();
    Process watch = start("get", "ddbb", "-w");
    Thread reader = collect(watch, watched);
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> watched.stream().anyMatch(l -> l.startsWith("NAME")));

      assertThat(ok("apply", "-f", manifest.toString())).contains("from-kubectl created");
      assertThat(ok("wait", "--for=jsonpath={.status.backupStatus}=AVAILABLE", "ddbb/from-kubectl",
          "--timeout=30s")).contains("condition met");
      assertThat(ok("wait", "--for=condition=Ready", "ddbb/from-kubectl", "--timeout=30s"))
          .contains("condition met");

      await().atMost(Duration.ofSeconds(20)).until(() -> watched.stream()
          .anyMatch(l -> l.matches("from-kubectl\\s+orders\\s+\\S+\\s+AVAILABLE.*")));
    } finally {
      watch.destroy();
      reader.join(5000);
    }
  }

  @Test
  @Order(6)
  void deleteReturnsOnceTheFinalizerRanAndTheBackupIsGone() {
    String arn = ok("get", "ddbb", "from-kubectl", "-o", "jsonpath={.status.backupArn}");

    assertThat(ok("delete", "dynamobackup", "from-kubectl", "--timeout=60s"))
        .contains("dynamobackup.dynamobackup.io \"from-kubectl\" deleted");

    assertThat(run("get", "ddbb", "from-kubectl").output()).contains("NotFound");
    assertThat(sandbox.emulator.backupArns(Sandbox.REGION)).doesNotContain(arn);
  }

  @Test
  @Order(7)
  void explainPrintsTheFieldDocs() {
    String explained = ok("explain", "ddbb.spec");

    assertThat(explained).contains("KIND:       DynamoBackup", "VERSION:    v1alpha1", "tableName\t<string>",
        "Name of the source DynamoDB table", "deletionPolicy\t<string>", "enum: Delete, Retain");
    assertThat(ok("explain", "ddbr.spec.pointInTime")).contains("KIND:       DynamoRestore",
        "restoreDateTime\t<string>", "The time to restore the table as of, RFC 3339",
        "useLatestRestorableTime\t<boolean>");
    assertThat(ok("explain", "ddbr.spec.tableSettings")).contains("pointInTimeRecovery\t<boolean>",
        "timeToLive\t<Object>", "deletionProtection\t<boolean>", "tags\t<map[string]string>", "stream\t<Object>",
        "Settings AWS does not restore");
  }

  @Test
  @Order(8)
  void invalidManifestIsRefusedWithTheFieldNamed() throws IOException {
    Path manifest = dir.resolve("invalid.yaml");
    Files.writeString(manifest, """
        apiVersion: dynamobackup.io/v1alpha1
        kind: DynamoBackup
        metadata:
          name: bad-table-name
        spec:
          tableName: "bad name!"
        """);

    Result refused = run("apply", "-f", manifest.toString());

    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.output()).contains("The DynamoBackup \"bad-table-name\" is invalid: spec.tableName: Invalid"
        + " value: \"bad name!\": spec.tableName in body should match '^[a-zA-Z0-9_.-]+$'");
    assertThat(run("get", "ddbb", "bad-table-name").output()).contains("NotFound");
  }

  @Test
  @Order(9)
  void editOfAnImmutableFieldIsRefusedWithTheRulesMessage() throws IOException {
    Path edited = dir.resolve("immutable.yaml");
    Files.writeString(edited, Files.readString(Path.of("examples", "dynamobackup.yaml"))
        .replace("tableName: orders", "tableName: payments"));

    Result refused = run("apply", "-f", edited.toString());

    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.output()).contains("The DynamoBackup \"orders-nightly\" is invalid: spec.tableName: Invalid"
        + " value: \"string\": tableName is immutable");
    assertThat(ok("get", "ddbb", "orders-nightly", "-o", "jsonpath={.spec.tableName}")).isEqualTo("orders");
  }

  @Test
  @Order(10)
  void unknownFieldIsRefusedUnderStrictValidationAndPrunedOtherwise() throws IOException {
    Path manifest = dir.resolve("unknown-field.yaml");
    Files.writeString(manifest, """
        apiVersion: dynamobackup.io/v1alpha1
        kind: DynamoBackup
        metadata:
          name: with-a-typo
        spec:
          tableName: orders
          deletionPolicy: Retain
          retension:
            expireAfter: 30d
        """);

    Result strict = run("apply", "--validate=strict", "-f", manifest.toString());
    assertThat(strict.exitCode()).isNotZero();
    assertThat(strict.output()).contains("Error from server (BadRequest)", "DynamoBackup in version \"v1alpha1\""
        + " cannot be handled as a DynamoBackup: strict decoding error: unknown field \"spec.retension\"");
    assertThat(run("get", "ddbb", "with-a-typo").output()).contains("NotFound");

    Result warned = run("apply", "--validate=warn", "-f", manifest.toString());
    assertThat(warned.exitCode()).as(warned.output()).isZero();
    assertThat(warned.output()).contains("Warning: unknown field \"spec.retension\"", "with-a-typo created");
    assertThat(ok("get", "ddbb", "with-a-typo", "-o", "jsonpath={.spec}"))
        .contains("\"tableName\":\"orders\"").doesNotContain("retension", "expireAfter");
  }

  record Result(int exitCode, String output) {}

  static String ok(String... args) {
    Result result = run(args);
    assertThat(result.exitCode()).as("kubectl %s:%n%s", String.join(" ", args), result.output()).isZero();
    return result.output().strip();
  }

  static Result run(String... args) {
    try {
      Process process = start(args);
      List<String> lines = new ArrayList<>();
      Thread reader = collect(process, lines);
      if (!process.waitFor(KUBECTL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in " + KUBECTL_TIMEOUT);
      }
      reader.join(5000);
      return new Result(process.exitValue(), String.join("\n", lines));
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  static Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("kubectl"));
    command.addAll(List.of(args));
    var builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("KUBECONFIG", sandbox.kubeconfig.toString());
    builder.environment().put("KUBECACHEDIR", dir.resolve("kube-cache").toString());
    return builder.start();
  }

  static Thread collect(Process process, List<String> lines) {
    Thread reader = new Thread(() -> {
      try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        in.lines().forEach(lines::add);
      } catch (IOException | java.io.UncheckedIOException ignored) {
        // the process ended
      }
    });
    reader.start();
    return reader;
  }

  static boolean kubectlInstalled() {
    try {
      return new ProcessBuilder("kubectl", "version", "--client").start().waitFor(20, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
