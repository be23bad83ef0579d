package io.dynamobackup.operator.support;

import io.dynamobackup.operator.BackupOperator;
import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.aws.AwsAccounts;
import io.dynamobackup.operator.aws.SdkBackupStore;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.observability.OperatorMetrics;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.sandbox.DynamoDbEmulator;
import io.dynamobackup.operator.sandbox.SandboxCluster;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The soak: the operator (in this JVM, wired as Main wires it) against the emulator injecting random AWS faults
 * and against the mock Kubernetes API behind a {@link FaultProxy} that goes down for seconds and answers 409 to
 * status updates; the driver creates and deletes objects, and reads the truth from the mock and the emulator
 * directly. Shared by {@code SoakIT} (60 s, in mvn verify) and {@code bench/SoakBench} (10 minutes).
 *
 * <p>Timeline within {@code duration}: objects created over the first quarter; awaited until converged up to 75 %
 * of it; then all deleted; faults go on until {@code duration} is over, then stop, and objects still present
 * {@code grace} later are stuck.
 */
public final class Soak {

  public static final String REGION = "eu-west-1";
  static final String NAMESPACE = "default";
  /** Shorter than production's 30 s so that the injected timeouts (longer than this) cost seconds, not minutes. */
  static final Duration AWS_CALL_TIMEOUT = Duration.ofSeconds(1);
  static final DynamoDbEmulator.RandomFaults AWS_FAULTS_BASE = new DynamoDbEmulator.RandomFaults(0, 0.03, 0.03,
      0.03, 0.05, Duration.ofMillis(300), 0.02, AWS_CALL_TIMEOUT.plusMillis(500));
  static final double STATUS_CONFLICTS = 0.10;
  static final Duration OUTAGE_EVERY = Duration.ofSeconds(15);
  static final Duration OUTAGE_LENGTH = Duration.ofSeconds(2);

  /** @param retainEvery every this many objects has deletionPolicy Retain (its backup must stay) */
  public record Settings(Duration duration, int objects, long seed, Duration grace, int retainEvery) {}

  /**
   * What a soak ended with.
   *
   * @param converged objects seen (polled every 100 ms) Ready=True with status.backupArn the one backup of their
   *     table, before they were deleted
   * @param duplicates objects whose table got more than one backup (each object has a table of its own and one name)
   * @param orphans backups left in the emulator, after all objects are gone, of objects with deletionPolicy Delete
   * @param stuckFinalizers objects still present {@code grace} after the faults stopped
   * @param lostStatusWrites objects whose recorded status disagrees with AWS: AVAILABLE recorded but no such
   *     backup, or an ARN recorded other than the one backup of the table
   */
  public record Figures(int objects, int converged, int duplicates, int orphans, int stuckFinalizers,
      int lostStatusWrites, Duration elapsed, Map<String, Integer> awsFaults, int statusConflicts,
      int staleStatusWritesRefused, int outages,
      int refusedConnections, Duration convergedAfter) {

    public String row(Settings settings) {
      return "| %s | %d | %d | %d | %d | %d | %d | %d | %s | %d | %d | %d | %ds | %ds |".formatted(
          settings.duration(), objects, converged, duplicates, orphans, stuckFinalizers, lostStatusWrites,
          settings.seed(), awsFaults, statusConflicts, staleStatusWritesRefused, outages, convergedAfter.toSeconds(),
          elapsed.toSeconds());
    }

    public static String header() {
      return "| duration | objects | converged | duplicates | orphans | stuck finalizers | lost status writes | seed"
          + " | AWS faults injected | injected 409s | stale status writes refused | API outages | converged after"
          + " | elapsed |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";
    }
  }

  private Soak() {}

  public static Figures run(Settings settings) {
    Instant started = Instant.now();
    Instant faultsEnd = started.plus(settings.duration());
    var metrics = OperatorMetrics.create();
    ScheduledExecutorService outages = Executors.newSingleThreadScheduledExecutor();
    var outageCount = new AtomicInteger();
    try (var cluster = SandboxCluster.start(0);
        var emulator = DynamoDbEmulator.start(0);
        var proxy = FaultProxy.start(cluster.port(), settings.seed());
        KubernetesClient truth = cluster.newClient();
        KubernetesClient operatorClient = new KubernetesClientBuilder().withConfig(proxied(cluster, proxy)).build();
        var store = new SdkBackupStore(REGION, Optional.of(emulator.endpoint()),
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")), AWS_CALL_TIMEOUT, metrics,
            io.dynamobackup.operator.aws.QuotaLimiter.unlimited())) {
      emulator.creatingDuration(Duration.ofMillis(500));
      IntStream.range(0, settings.objects()).forEach(i -> emulator.createTable(REGION, table(i)));
      var config = new OperatorConfig(Set.of(), REGION, 20, AWS_CALL_TIMEOUT, OperatorConfig.quickReconcile()
          .withResyncPeriod(Duration.ofSeconds(10)).withInFlightBound(AWS_CALL_TIMEOUT.multipliedBy(3)));
      Operator operator = BackupOperator.create(operatorClient, AwsAccounts.single(store, DynamoDbEmulator.ACCOUNT), config, Clock.systemUTC(),
          metrics, () -> { });
      operator.start();
      try {
        var faults = AWS_FAULTS_BASE;
        emulator.randomFaults(new DynamoDbEmulator.RandomFaults(settings.seed(), faults.internalServerError(),
            faults.serviceUnavailable(), faults.limitExceeded(), faults.slow(), faults.slowLatency(),
            faults.timeout(), faults.timeoutLatency()));
        proxy.statusConflicts(STATUS_CONFLICTS);
        outages.scheduleAtFixedRate(() -> {
          outageCount.incrementAndGet();
          proxy.down();
          outages.schedule(proxy::up, OUTAGE_LENGTH.toMillis(), TimeUnit.MILLISECONDS);
        }, OUTAGE_EVERY.toMillis(), OUTAGE_EVERY.toMillis(), TimeUnit.MILLISECONDS);

        createPaced(truth, settings, started.plus(settings.duration().dividedBy(4)));
        Set<String> convergedNames = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Duration convergedAfter = awaitConverged(truth, emulator, settings,
            started.plus(settings.duration().multipliedBy(3).dividedBy(4)), started, convergedNames);
        int converged = convergedNames.size();
        printNotReady(truth);
        int lost = lostStatusWrites(truth, emulator, settings);
        int duplicates = duplicates(emulator, settings);

        IntStream.range(0, settings.objects()).forEach(i -> backups(truth).withName(name(i)).delete());
        awaitQuietly(Duration.between(Instant.now(), faultsEnd), () -> Instant.now().isAfter(faultsEnd));

        outages.shutdownNow();
        proxy.up();
        proxy.statusConflicts(0);
        emulator.randomFaults(DynamoDbEmulator.RandomFaults.NONE);
        awaitQuietly(settings.grace(), () -> backups(truth).list().getItems().isEmpty());
        int stuck = backups(truth).list().getItems().size();
        int orphans = orphans(emulator, settings);
        duplicates = Math.max(duplicates, duplicates(emulator, settings));
        return new Figures(settings.objects(), converged, duplicates, orphans, stuck, lost,
            Duration.between(started, Instant.now()), emulator.randomFaultCounts(), proxy.conflictsAnswered(),
            proxy.staleWritesRefused(), outageCount.get(), proxy.connectionsRefused(), convergedAfter);
      } finally {
        outages.shutdownNow();
        operator.stop();
      }
    }
  }

  private static io.fabric8.kubernetes.client.Config proxied(SandboxCluster cluster, FaultProxy proxy) {
    var config = cluster.config();
    config.setMasterUrl(proxy.url());
    return config;
  }

  /** Creates the objects in ten even batches until {@code until}, so that creations overlap faults and outages. */
  private static void createPaced(KubernetesClient client, Settings settings, Instant until) {
    int batches = 10;
    Instant from = Instant.now();
    Duration step = Duration.between(from, until).dividedBy(batches);
    for (int batch = 0; batch < batches; batch++) {
      for (int i = batch * settings.objects() / batches; i < (batch + 1) * settings.objects() / batches; i++) {
        var backup = new DynamoBackup();
        backup.setMetadata(new ObjectMetaBuilder().withName(name(i)).withNamespace(NAMESPACE).build());
        var spec = new DynamoBackupSpec(table(i));
        if (retained(i, settings)) {
          spec.deletionPolicy = DeletionPolicy.Retain;
        }
        backup.setSpec(spec);
        backups(client).resource(backup).create();
      }
      Instant next = from.plus(step.multipliedBy(batch + 1));
      awaitQuietly(Duration.between(Instant.now(), next).plusSeconds(1), () -> !Instant.now().isBefore(next));
    }
  }

  /**
   * Polls until every object has been seen converged at least once: an AVAILABLE backup re-observed under faults
   * may show Ready=False for a retry meanwhile, which is the truth of that moment, not a failure to converge.
   */
  private static Duration awaitConverged(KubernetesClient client, DynamoDbEmulator emulator, Settings settings,
      Instant until, Instant started, Set<String> converged) {
    awaitQuietly(Duration.between(Instant.now(), until), () -> {
      converged.addAll(converged(client, emulator));
      return converged.size() == settings.objects();
    });
    return Duration.between(started, Instant.now());
  }

  /** Objects Ready=True whose status.backupArn is the one backup of their table. */
  private static Set<String> converged(KubernetesClient client, DynamoDbEmulator emulator) {
    List<String> arns = emulator.backupArns(REGION);
    return backups(client).list().getItems().stream()
        .filter(b -> b.getStatus() != null && Conditions.isTrue(b.getStatus().conditions, Conditions.READY))
        .filter(b -> {
          List<String> ofTable = ofTable(arns, b.getSpec().tableName);
          return ofTable.size() == 1 && ofTable.get(0).equals(b.getStatus().backupArn);
        })
        .map(b -> b.getMetadata().getName())
        .collect(java.util.stream.Collectors.toSet());
  }

  /** Why the objects not Ready were not, for a look after a run that did not converge. */
  private static void printNotReady(KubernetesClient client) {
    backups(client).list().getItems().stream()
        .filter(b -> b.getStatus() == null || !Conditions.isTrue(b.getStatus().conditions, Conditions.READY))
        .limit(20)
        .forEach(b -> System.out.println("soak: not ready " + b.getMetadata().getName() + ": " + (b.getStatus() == null
            ? "no status" : Conditions.find(b.getStatus().conditions, Conditions.READY)
                .map(c -> c.getReason() + " " + c.getMessage()).orElse("no Ready condition"))));
  }

  private static int lostStatusWrites(KubernetesClient client, DynamoDbEmulator emulator, Settings settings) {
    List<String> arns = emulator.backupArns(REGION);
    return (int) backups(client).list().getItems().stream()
        .filter(b -> b.getStatus() != null && b.getStatus().backupArn != null)
        .filter(b -> {
          List<String> ofTable = ofTable(arns, b.getSpec().tableName);
          boolean availableButMissing = "AVAILABLE".equals(b.getStatus().backupStatus)
              && !ofTable.contains(b.getStatus().backupArn);
          boolean otherThanTheOne = ofTable.size() == 1 && !ofTable.get(0).equals(b.getStatus().backupArn);
          return availableButMissing || otherThanTheOne;
        })
        .count();
  }

  private static int duplicates(DynamoDbEmulator emulator, Settings settings) {
    List<String> arns = emulator.backupArns(REGION);
    return (int) IntStream.range(0, settings.objects()).filter(i -> ofTable(arns, table(i)).size() > 1).count();
  }

  private static int orphans(DynamoDbEmulator emulator, Settings settings) {
    List<String> arns = emulator.backupArns(REGION);
    return IntStream.range(0, settings.objects()).filter(i -> !retained(i, settings))
        .map(i -> ofTable(arns, table(i)).size()).sum();
  }

  private static List<String> ofTable(List<String> arns, String table) {
    return arns.stream().filter(arn -> arn.contains(":table/" + table + "/backup/")).toList();
  }

  private static boolean retained(int i, Settings settings) {
    return settings.retainEvery() > 0 && i % settings.retainEvery() == settings.retainEvery() - 1;
  }

  /** Waits until the condition holds or the time is up, whichever first; the figures then say what happened. */
  private static void awaitQuietly(Duration atMost, java.util.concurrent.Callable<Boolean> condition) {
    if (atMost.isNegative() || atMost.isZero()) {
      return;
    }
    try {
      Awaitility.await().atMost(atMost).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(condition);
    } catch (ConditionTimeoutException e) {
      // reported through the figures
    }
  }

  private static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<DynamoBackup,
      io.fabric8.kubernetes.api.model.KubernetesResourceList<DynamoBackup>,
      io.fabric8.kubernetes.client.dsl.Resource<DynamoBackup>> backups(KubernetesClient client) {
    return client.resources(DynamoBackup.class).inNamespace(NAMESPACE);
  }

  static String name(int i) {
    return "soak-%04d".formatted(i);
  }

  static String table(int i) {
    return "soak-table-%04d".formatted(i);
  }
}
