package io.dynamobackup.operator.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.sandbox.DynamoDbEmulator;
import io.dynamobackup.operator.sandbox.SandboxCluster;
import io.dynamobackup.operator.support.MotoServer;
import io.dynamobackup.operator.support.OperatorProcess;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Exactly one backup per object across kill -9. The operator runs as the built jar against the mock Kubernetes API
 * and the emulator, both in this JVM; it is killed while CreateBackup and DeleteBackup calls are in flight (they
 * answer slowly) and restarted each time. Repeat with -Dchaos.rounds=N.
 */
class CrashSafetyIT {

  static final String REGION = "eu-west-1";
  static final String NAMESPACE = "default";
  static final int ROUNDS = Integer.getInteger("chaos.rounds", 1);
  /** Operator logs of every round stay here for a look after a failure. */
  static final Path LOGS = Path.of("target", "chaos");

  @Test
  void killedOperatorNeitherDuplicatesNorOrphansNorStrandsAnything() throws Exception {
    for (int round = 1; round <= ROUNDS; round++) {
      Path roundDir = LOGS.resolve("round-" + round);
      java.nio.file.Files.createDirectories(roundDir);
      try (var emulator = DynamoDbEmulator.start(0)) {
        emulator.creatingDuration(Duration.ofSeconds(1))
            .latency("CreateBackup", Duration.ofMillis(400))
            .latency("DeleteBackup", Duration.ofMillis(400));
        var figures = run(roundDir, emulator.endpoint(), 50, 50, 5, 5,
            table -> emulator.createTable(REGION, table),
            () -> emulator.calls("CreateBackup"), () -> emulator.calls("DeleteBackup"),
            table -> (int) emulator.backupArns(REGION).stream().filter(a -> a.contains("/" + table + "/")).count());
        System.out.printf("crash-safety round %d/%d (emulator): %s%n", round, ROUNDS, figures);
        figures.assertClean();
      }
    }
  }

  @Test
  void happyPathAgainstMoto() throws Exception {
    Path dir = LOGS.resolve("moto");
    java.nio.file.Files.createDirectories(dir);
    try (var moto = MotoServer.start();
        var dynamo = DynamoDbClient.builder().region(Region.of(REGION)).endpointOverride(moto.endpoint())
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .build()) {
      var figures = run(dir, moto.endpoint(), 10, 10, 0, 0,
          table -> dynamo.createTable(r -> r.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
              .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
              .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S))),
          () -> 0, () -> 0,
          table -> dynamo.listBackups(r -> r.tableName(table)).backupSummaries().size());
      System.out.printf("crash-safety happy path (moto_server): %s%n", figures);
      figures.assertClean();
    }
  }

  /** What a round ended with. Everything but kills must be zero. */
  record Figures(int killsDuringCreate, int killsDuringDelete, int adoptedAfterCrash, Duration elapsed,
      int duplicates, int orphans, int stuck, int notReady, int missing, List<String> notReadyConditions) {
    void assertClean() {
      assertThat(duplicates).as("objects with more than one backup").isZero();
      assertThat(orphans).as("backups left for deleted objects").isZero();
      assertThat(stuck).as("deleted objects still held by a finalizer").isZero();
      assertThat(notReady).as("surviving objects not Ready=True: %s", notReadyConditions).isZero();
      assertThat(missing).as("surviving objects without a backup").isZero();
    }
  }

  private Figures run(Path dir, URI awsEndpoint, int keep, int drop, int killsDuringCreate, int killsDuringDelete,
      java.util.function.Consumer<String> createTable, IntSupplier createCalls, IntSupplier deleteCalls,
      Function<String, Integer> backupsOfTable) throws Exception {
    var random = new Random(42);
    long started = System.nanoTime();
    try (var cluster = SandboxCluster.start(0); KubernetesClient client = cluster.newClient()) {
      Path kubeconfig = cluster.writeKubeconfig(dir.resolve("kubeconfig"));
      var operator = new OperatorProcess(dir, Map.of(
          "KUBECONFIG", kubeconfig.toString(),
          "AWS_REGION", REGION,
          "AWS_ENDPOINT_URL", awsEndpoint.toString(),
          "AWS_ACCESS_KEY_ID", "test",
          "AWS_SECRET_ACCESS_KEY", "test",
          "AWS_CALL_TIMEOUT", "2s",
          "RESYNC_PERIOD", "20s",
          // a killed container restarts in the same pod, under the same name: it takes its own Lease back at once
          "HOSTNAME", "dynamo-backup-operator-0",
          // few workers spread the calls out in time, so that every kill finds some in flight
          "RECONCILE_THREADS", "5"));
      int createKills = 0;
      int deleteKills = 0;
      try {
        operator.start();
        int createBaseline = createCalls.getAsInt();
        List<String> kept = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (int i = 0; i < keep + drop; i++) {
          String name = (i < keep ? "keep-" : "drop-") + i;
          createTable.accept("table-" + name);
          (i < keep ? kept : dropped).add(name);
          var backup = new DynamoBackup();
          backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
          backup.setSpec(new DynamoBackupSpec("table-" + name));
          client.resources(DynamoBackup.class).inNamespace(NAMESPACE).resource(backup).create();
        }
        // Kill right after a few more CreateBackup calls arrived: they are then in flight, 400 ms from done.
        createKills = killAfterProgress(operator, createCalls, createBaseline, killsDuringCreate, random);
        awaitAll(client, dropped, b -> b != null && b.getStatus() != null && b.getStatus().backupArn != null);

        int deleteBaseline = deleteCalls.getAsInt();
        dropped.forEach(name -> client.resources(DynamoBackup.class).inNamespace(NAMESPACE).withName(name).delete());
        deleteKills = killAfterProgress(operator, deleteCalls, deleteBaseline, killsDuringDelete, random);

        awaitAll(client, dropped, b -> b == null);
        awaitAll(client, kept, b -> b != null && b.getStatus() != null
            && Conditions.isTrue(b.getStatus().conditions, Conditions.READY));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        System.out.println("did not converge: " + e.getMessage() + "; operator log: " + operator.log());
      } finally {
        operator.close();
      }
      int duplicates = 0;
      int missing = 0;
      int orphans = 0;
      int stuck = 0;
      int notReady = 0;
      List<String> notReadyConditions = new ArrayList<>();
      for (int i = 0; i < keep + drop; i++) {
        String name = (i < keep ? "keep-" : "drop-") + i;
        int backups = backupsOfTable.apply("table-" + name);
        DynamoBackup object = client.resources(DynamoBackup.class).inNamespace(NAMESPACE).withName(name).get();
        if (i < keep) {
          duplicates += backups > 1 ? 1 : 0;
          missing += backups == 0 ? 1 : 0;
          if (object == null || object.getStatus() == null
              || !Conditions.isTrue(object.getStatus().conditions, Conditions.READY)) {
            notReady++;
            notReadyConditions.add(name + ": " + (object == null || object.getStatus() == null ? "no status"
                : Conditions.find(object.getStatus().conditions, Conditions.READY)
                    .map(c -> c.getStatus() + " " + c.getReason() + " (" + c.getMessage() + ")").orElse("no Ready")));
          }
        } else {
          orphans += backups;
          stuck += object != null ? 1 : 0;
        }
      }
      int adopted = (int) client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
          .filter(e -> "AdoptedEarlierAttempt".equals(e.getReason())).count();
      return new Figures(createKills, deleteKills, adopted, Duration.ofNanos(System.nanoTime() - started),
          duplicates, orphans, stuck, notReady, missing, notReadyConditions);
    }
  }

  /**
   * Kills the operator {@code times} times, each right after 1-4 more calls arrived (counted from
   * {@code baseline}), and restarts it. The calls are then in flight: the emulator answers after 400 ms.
   */
  private static int killAfterProgress(OperatorProcess operator, IntSupplier calls, int baseline, int times,
      Random random) throws Exception {
    int reached = baseline;
    for (int kill = 0; kill < times; kill++) {
      int target = Math.max(reached, calls.getAsInt()) + 1 + random.nextInt(4);
      reached = target;
      try {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
            .until(() -> calls.getAsInt() >= target);
      } catch (org.awaitility.core.ConditionTimeoutException noMoreCalls) {
        return kill; // the work ran out before the planned kills
      }
      operator.kill();
      operator.start();
    }
    return times;
  }

  private static void awaitAll(KubernetesClient client, List<String> names,
      java.util.function.Predicate<DynamoBackup> condition) {
    Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
        .until(() -> names.stream().allMatch(name -> condition.test(
            client.resources(DynamoBackup.class).inNamespace(NAMESPACE).withName(name).get())));
  }
}
