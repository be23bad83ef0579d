package io.dynamobackup.operator.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kubectl-plugin/kubectl-dynamobackup, found by the real kubectl on PATH as {@code kubectl dynamobackup}, against
 * the sandbox: it creates backups and restores, requests a schedule's run, and summarises what the API holds.
 */
class KubectlPluginTest {

  static final Path PLUGIN_DIR = Path.of("kubectl-plugin").toAbsolutePath();
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  @TempDir
  static Path dir;
  static Sandbox sandbox;

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(kubectlInstalled(), "kubectl is not installed: install it (Debian package kubectl or"
        + " kubernetes-client; .ci/run does) to run the kubectl tests");
    sandbox = Sandbox.start(new Sandbox.Options(0, dir.resolve("kubeconfig"), Path.of("examples"),
        Duration.ofMillis(300)));
    await().atMost(TIMEOUT).until(() -> backups("default").stream()
        .allMatch(b -> b.getStatus() != null && "AVAILABLE".equals(b.getStatus().backupStatus)));
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  void backupCreatesADynamoBackupWithTheFlagsGivenThatBecomesAvailable() {
    String output = ok("backup", "orders", "--name", "from-plugin", "--expire-after", "30d", "--retain",
        "--backup-name", "orders_by_hand");

    assertThat(output).contains("dynamobackup.dynamobackup.io/from-plugin created");
    DynamoBackup created = backup("default", "from-plugin");
    assertThat(created.getSpec().tableName).isEqualTo("orders");
    assertThat(created.getSpec().retention.expireAfter).isEqualTo("30d");
    assertThat(created.getSpec().deletionPolicy).hasToString("Retain");
    assertThat(created.getSpec().backupName).isEqualTo("orders_by_hand");
    await().atMost(TIMEOUT).until(() -> "AVAILABLE".equals(backup("default", "from-plugin").getStatus() == null
        ? null : backup("default", "from-plugin").getStatus().backupStatus));
  }

  @Test
  void backupNamesTheObjectAfterTheTableAndTheTimeWithoutAName() {
    String output = ok("backup", "Orders_2026.eu", "-n", "default");

    assertThat(output).containsPattern("dynamobackup.dynamobackup.io/orders-2026-eu-\\d{8}-\\d{6} created");
  }

  @Test
  void restoreCreatesADynamoRestoreFromABackupsNameOrItsArn() {
    String arn = backup("default", "orders-nightly").getStatus().backupArn;

    assertThat(ok("restore", "orders-nightly", "--to", "orders-from-plugin", "--name", "by-name"))
        .contains("dynamorestore.dynamobackup.io/by-name created");
    assertThat(ok("restore", arn, "--to", "orders-from-arn", "--name", "by-arn"))
        .contains("dynamorestore.dynamobackup.io/by-arn created");

    var byName = restore("by-name");
    assertThat(byName.getSpec().backupRef.name).isEqualTo("orders-nightly");
    assertThat(byName.getSpec().targetTableName).isEqualTo("orders-from-plugin");
    assertThat(restore("by-arn").getSpec().backupArn).isEqualTo(arn);
    await().atMost(TIMEOUT).until(() -> restore("by-name").getStatus() != null
        && "ACTIVE".equals(restore("by-name").getStatus().tableStatus));
  }

  @Test
  void runAnnotatesTheScheduleWithTheTimeOfTheRequest() {
    long before = Instant.now().getEpochSecond();

    assertThat(ok("run", "orders-daily")).contains("dynamobackupschedule.dynamobackup.io/orders-daily annotated");

    String requested = sandbox.client.resources(DynamoBackupSchedule.class).inNamespace("default")
        .withName("orders-daily").get().getMetadata().getAnnotations().get("dynamobackup.io/run-now");
    assertThat(Long.parseLong(requested)).isBetween(before, Instant.now().getEpochSecond());
  }

  @Test
  void statusSummarisesBackupsSchedulesWhatIsNotReadyAndPendingDeletions() {
    // a backup the daily schedule made, one of a table that does not exist, and a protected one being deleted
    var schedule = sandbox.client.resources(DynamoBackupSchedule.class).inNamespace("default")
        .withName("orders-daily").get();
    var child = new DynamoBackup();
    child.setMetadata(new ObjectMetaBuilder().withName("orders-daily-20261125-0200").withNamespace("default")
        .withLabels(Map.of(DynamoBackupSchedule.SCHEDULE_LABEL, "orders-daily"))
        .withAnnotations(Map.of(DynamoBackupSchedule.SCHEDULED_AT, "2026-11-25T02:00:00Z"))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(schedule.getApiVersion())
            .withKind(schedule.getKind()).withName("orders-daily").withUid(schedule.getMetadata().getUid())
            .withController(true).build())
        .build());
    child.setSpec(new DynamoBackupSpec("orders"));
    sandbox.client.resource(child).create();
    create("default", "no-such-table", new DynamoBackupSpec("no-such-table"));
    var protectedSpec = new DynamoBackupSpec("orders");
    protectedSpec.deletionProtection = true;
    create("default", "protected-from-plugin", protectedSpec);
    sandbox.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("team-plugin")
        .endMetadata().build()).createOr(NonDeletingOperation::update);
    create("team-plugin", "elsewhere", new DynamoBackupSpec("orders"));
    await().atMost(TIMEOUT).until(() -> available("default", child.getMetadata().getName())
        && available("default", "protected-from-plugin") && available("team-plugin", "elsewhere")
        && reason("default", "no-such-table").equals("TableNotFound"));
    sandbox.client.resources(DynamoBackup.class).inNamespace("default").withName("protected-from-plugin").delete();
    await().atMost(TIMEOUT).until(() -> Conditions.isTrue(backup("default", "protected-from-plugin").getStatus()
        .conditions, Conditions.DELETION_BLOCKED));

    await("every backup settled").atMost(TIMEOUT).until(() -> backups("default").stream().allMatch(b ->
        b.getStatus() != null && !"CREATING".equals(b.getStatus().backupStatus)
            && Conditions.find(b.getStatus().conditions, Conditions.READY).isPresent()));

    String status = ok("status");
    String everywhere = ok("status", "-A");

    List<DynamoBackup> inDefault = backups("default");
    assertThat(line(status, "BACKUPS", "default")).containsExactly("default",
        count(inDefault, "PENDING"), count(inDefault, "CREATING"), count(inDefault, "AVAILABLE"),
        count(inDefault, "DELETED"), Long.toString(inDefault.stream().filter(KubectlPluginTest::notReady).count()));
    assertThat(section(status, "BACKUPS")).noneMatch(l -> l.startsWith("team-plugin"));
    assertThat(line(everywhere, "BACKUPS", "team-plugin")).containsExactly("team-plugin", "0", "0", "1", "0", "0");

    String lastGood = backup("default", child.getMetadata().getName()).getStatus().backupDescription.backupDetails
        .backupCreationDateTime;
    var scheduleStatus = sandbox.client.resources(DynamoBackupSchedule.class).inNamespace("default")
        .withName("orders-daily").get().getStatus();
    List<String> expected = new ArrayList<>(List.of("default", "orders-daily", "0", "3", "*", "*", "*", lastGood,
        scheduleStatus.nextScheduleTime));
    if (scheduleStatus.lastScheduleTime != null) {
      expected.add(scheduleStatus.lastScheduleTime);
    }
    assertThat(line(status, "SCHEDULES", "default")).containsExactlyElementsOf(expected);
    assertThat(section(status, "NOT READY")).anyMatch(l -> l.matches(
        "default\\s+no-such-table\\s+TableNotFound\\s+\\S+Z\\s+CreateBackup failed: TableNotFound.*"));
    assertThat(section(status, "DELETIONS PENDING")).anyMatch(l -> l.matches(
        "default\\s+DynamoBackup\\s+protected-from-plugin\\s+\\S+Z\\s+DeletionProtection\\s+spec.deletionProtection is"
            + " true.*"));
  }

  @Test
  void badInputGetsAClearMessageAndExitCode2() {
    assertThat(run().exitCode()).isEqualTo(2);
    assertThat(run("frobnicate")).satisfies(r -> {
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.output()).contains("unknown command 'frobnicate'");
    });
    assertThat(run("restore", "orders-nightly")).satisfies(r -> {
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.output()).contains("restore needs --to TABLE");
    });
    assertThat(run("backup", "orders\"; rm -rf /")).satisfies(r -> {
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.output()).contains("TABLE 'orders\"; rm -rf /' may only hold the characters [A-Za-z0-9_.-]");
    });
    assertThat(run("backup", "orders", "--frequency")).satisfies(r -> {
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.output()).contains("unknown flag --frequency");
    });
    assertThat(run("run", "no-such-schedule").exitCode()).isEqualTo(1);
    assertThat(ok("help")).contains("Usage: kubectl dynamobackup COMMAND");
  }

  // ---- helpers ----

  record Result(int exitCode, String output) {}

  static String ok(String... args) {
    Result result = run(args);
    assertThat(result.exitCode()).as("kubectl dynamobackup %s:%n%s", String.join(" ", args), result.output())
        .isZero();
    return result.output();
  }

  /** kubectl dynamobackup ARGS, with the plugin's directory first on PATH, as a user installs it. */
  static Result run(String... args) {
    List<String> command = new ArrayList<>(List.of("kubectl", "dynamobackup"));
    command.addAll(List.of(args));
    try {
      Path output = Files.createTempFile(dir, "plugin", ".out");
      var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().put("PATH", PLUGIN_DIR + File.pathSeparator + System.getenv("PATH"));
      builder.environment().put("KUBECONFIG", sandbox.kubeconfig.toString());
      builder.environment().put("KUBECACHEDIR", dir.resolve("kube-cache").toString());
      Process process = builder.start();
      if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in " + COMMAND_TIMEOUT);
      }
      return new Result(process.exitValue(), Files.readString(output));
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The lines of one section of the status output, without its title and header. */
  static List<String> section(String status, String title) {
    List<String> lines = status.lines().toList();
    int start = lines.indexOf(title);
    assertThat(start).as("section %s in:%n%s", title, status).isNotNegative();
    return lines.subList(start + 2, lines.size()).stream().takeWhile(l -> !l.isBlank()).toList();
  }

  /** The cells of the section's line that starts with {@code first}, split at runs of spaces. */
  static List<String> line(String status, String title, String first) {
    return section(status, title).stream().filter(l -> l.startsWith(first + " ")).findFirst()
        .map(l -> List.of(l.strip().split("\\s+"))).orElseThrow(() -> new AssertionError("no line " + first
            + " in " + title + ":\n" + status));
  }

  static String count(List<DynamoBackup> backups, String state) {
    return Long.toString(backups.stream().filter(b -> state.equals(b.getStatus() == null
        || b.getStatus().backupStatus == null ? "PENDING" : b.getStatus().backupStatus)).count());
  }

  static boolean notReady(DynamoBackup backup) {
    if (backup.isMarkedForDeletion() || backup.getStatus() != null
        && Conditions.isTrue(backup.getStatus().conditions, Conditions.EXPIRED)) {
      return false;
    }
    return backup.getStatus() == null || !Conditions.isTrue(backup.getStatus().conditions, Conditions.READY);
  }

  static void create(String namespace, String name, DynamoBackupSpec spec) {
    var backup = new DynamoBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    backup.setSpec(spec);
    sandbox.client.resource(backup).create();
  }

  static boolean available(String namespace, String name) {
    var backup = backup(namespace, name);
    return backup != null && backup.getStatus() != null && "AVAILABLE".equals(backup.getStatus().backupStatus);
  }

  static String reason(String namespace, String name) {
    var backup = backup(namespace, name);
    return backup == null || backup.getStatus() == null ? "" : Conditions.find(backup.getStatus().conditions,
        Conditions.READY).map(c -> c.getReason()).orElse("");
  }

  static List<DynamoBackup> backups(String namespace) {
    return sandbox.client.resources(DynamoBackup.class).inNamespace(namespace).list().getItems();
  }

  static DynamoBackup backup(String namespace, String name) {
    return sandbox.client.resources(DynamoBackup.class).inNamespace(namespace).withName(name).get();
  }

  static DynamoRestore restore(String name) {
    return sandbox.client.resources(DynamoRestore.class).inNamespace("default").withName(name).get();
  }

  static boolean kubectlInstalled() {
    try {
      return new ProcessBuilder("kubectl", "version", "--client").start().waitFor(20, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
