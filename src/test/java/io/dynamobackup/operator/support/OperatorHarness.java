package io.dynamobackup.operator.support;

import io.dynamobackup.operator.BackupOperator;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.api.DynamoRestoreStatus;
import io.dynamobackup.operator.aws.AwsAccounts;
import io.dynamobackup.operator.aws.QuotaLimiter;
import io.dynamobackup.operator.aws.SdkBackupStore;
import io.dynamobackup.operator.config.LeaderElection;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.observability.OperatorMetrics;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import io.dynamobackup.operator.sandbox.DynamoDbEmulator;
import io.dynamobackup.operator.sandbox.SandboxCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.javaoperatorsdk.operator.Operator;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The operator under test, in this JVM, against a mock Kubernetes API and the DynamoDB emulator on loopback. A JUnit
 * extension: {@code @RegisterExtension static final OperatorHarness harness = OperatorHarness.create();} starts the
 * operator before a class's tests and stops everything after them. Its API is the mock itself, without the sandbox
 * API's validation, so a test can store what an API server with the CRDs' schemas and rules would refuse.
 */
public final class OperatorHarness implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

  public static final String REGION = "eu-west-1";
  public static final String NAMESPACE = "default";
  /** The User-Agent of the operator's own requests, to tell them from the test's in the recorded requests. */
  public static final String OPERATOR_AGENT = "dynamo-backup-operator-under-test";
  /**
   * The operator's own AWS credentials in tests: recognisable, so that a test can search statuses, events and logs
   * for them (they must never show).
   */
  public static final String ACCESS_KEY_ID = "AKIAHARNESS7EXAMPLE1";
  public static final String SECRET_ACCESS_KEY = "harness/Secret+Key/wJalrXUtnFEMI/K7MDENG";

  public final SandboxCluster cluster;
  public final KubernetesClient client;
  private final KubernetesClient operatorClient;
  public final DynamoDbEmulator emulator;
  /** A client of the DynamoDB the operator talks to: the emulator, or the endpoint given at creation. */
  public final DynamoDbClient dynamo;
  /** The metrics of the operator under test, AWS calls of its store included. */
  public final OperatorMetrics metrics = OperatorMetrics.create();
  private AwsAccounts accounts;
  private OperatorConfig config;
  private final Clock clock;
  private Operator operator;

  private final URI awsEndpoint;

  private OperatorHarness(ReconcileSettings settings, Clock clock, Clock emulatorClock, Optional<URI> awsEndpoint) {
    this.clock = clock;
    cluster = SandboxCluster.start(0);
    client = cluster.newClient();
    operatorClient = cluster.newClient(OPERATOR_AGENT);
    emulator = DynamoDbEmulator.start(0, emulatorClock);
    this.awsEndpoint = awsEndpoint.orElse(emulator.endpoint());
    accounts = newAccounts(metrics, QuotaLimiter::unlimited, ACCESS_KEY_ID);
    config = new OperatorConfig(Set.of(), REGION, 4, Duration.ofMillis(1500), settings);
    dynamo = DynamoDbClient.builder().region(Region.of(REGION)).endpointOverride(this.awsEndpoint)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
  }

  public static OperatorHarness create() {
    return create(OperatorConfig.quickReconcile());
  }

  public static OperatorHarness create(ReconcileSettings settings) {
    return create(settings, Clock.systemUTC());
  }

  /** With a clock the test controls: schedules and expiry then run on simulated time. */
  public static OperatorHarness create(ReconcileSettings settings, Clock clock) {
    return new OperatorHarness(settings, clock, Clock.systemUTC(), Optional.empty());
  }

  /** The emulator on a clock of its own: what it makes then carries that clock's times (creation times). */
  public static OperatorHarness withEmulatorClock(ReconcileSettings settings, Clock emulatorClock) {
    return new OperatorHarness(settings, Clock.systemUTC(), emulatorClock, Optional.empty());
  }

  /** The operator talks to this DynamoDB endpoint (moto_server) instead of the emulator. */
  public static OperatorHarness against(URI awsEndpoint) {
    return new OperatorHarness(OperatorConfig.quickReconcile(), Clock.systemUTC(), Clock.systemUTC(),
        Optional.of(awsEndpoint));
  }

  /** The operator under test's AWS calls pass client-side rate limits (calls per second by operation). */
  public OperatorHarness withRateLimits(Map<String, Double> limits) {
    accounts.close();
    accounts = newAccounts(metrics, () -> new QuotaLimiter(limits, io.dynamobackup.operator.Main.QUOTA_MAX_BLOCK),
        ACCESS_KEY_ID);
    return this;
  }

  /** The operator under test runs this many reconciles at once (before it starts; the harness default is 4). */
  public OperatorHarness withReconcileThreads(int threads) {
    config = config.withReconcileThreads(threads);
    return this;
  }

  /** The operator under test elects a leader as configured (before it starts). */
  public OperatorHarness withLeaderElection(LeaderElection election) {
    config = config.withLeaderElection(election);
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    startOperator();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  public void startOperator() {
    operator = BackupOperator.create(operatorClient, accounts, config, clock, metrics, () -> { });
    operator.start();
  }

  /**
   * The operator's own account, and roles assumed through STS at the same endpoint (moto and the emulator serve
   * both), signing with {@code accessKeyId}: the emulator records it with each call, which tells instances apart.
   */
  private AwsAccounts newAccounts(OperatorMetrics observer, Supplier<QuotaLimiter> limiters, String accessKeyId) {
    var own = StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, SECRET_ACCESS_KEY));
    AwsAccounts.StoreFactory stores = credentials -> new SdkBackupStore(REGION, Optional.of(awsEndpoint),
        credentials, Duration.ofMillis(1500), observer, limiters.get());
    return new AwsAccounts(stores.create(own), stores, AwsAccounts.stsClient(REGION, Optional.of(awsEndpoint), own));
  }

  /**
   * A further operator instance, as another replica of the Deployment would be: its own client, store and metrics,
   * on the same mock API and emulator, with leader election as given. Started; close it to stop it.
   */
  public Replica startReplica(LeaderElection election, Runnable onLostLeadership) {
    return startReplica(config.withLeaderElection(election), ACCESS_KEY_ID, onLostLeadership);
  }

  /**
   * A further operator instance configured as given (a shard: its label selector and Lease), signing its AWS calls
   * with its own access key, so that the emulator's call log says which instance made each call.
   */
  public Replica startReplica(OperatorConfig replicaConfig, String accessKeyId, Runnable onLostLeadership) {
    var replicaMetrics = OperatorMetrics.create();
    var replicaAccounts = newAccounts(replicaMetrics, QuotaLimiter::unlimited, accessKeyId);
    var replicaClient = cluster.newClient(OPERATOR_AGENT + "-" + replicaConfig.leaderElection().identity());
    var replica = BackupOperator.create(replicaClient, replicaAccounts, replicaConfig, clock, replicaMetrics,
        onLostLeadership);
    replica.start();
    return new Replica(replica, replicaMetrics, () -> {
      replica.stop();
      replicaAccounts.close();
      replicaClient.close();
    });
  }

  /** One replica: its operator and metrics. */
  public record Replica(Operator operator, OperatorMetrics metrics, Runnable stop) implements AutoCloseable {
    @Override
    public void close() {
      stop.run();
    }
  }

  public Operator operator() {
    return operator;
  }

  /** The configuration the harness's operator runs with; replicas start from it. */
  public OperatorConfig config() {
    return config;
  }

  public void stopOperator() {
    operator.stop();
  }

  public MixedOperation<DynamoBackup, KubernetesResourceList<DynamoBackup>, Resource<DynamoBackup>> backups() {
    return client.resources(DynamoBackup.class);
  }

  /** A table in the emulator with a fresh name, so tests never share state. */
  public String newTable() {
    String table = "orders-" + UUID.randomUUID().toString().substring(0, 8);
    emulator.createTable(REGION, table);
    return table;
  }

  public DynamoBackup apply(String name, DynamoBackupSpec spec) {
    var backup = new DynamoBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    backup.setSpec(spec);
    return backups().inNamespace(NAMESPACE).resource(backup).create();
  }

  /** Deletes the object (as kubectl delete does) and waits until its finalizer is released and it is gone. */
  public void deleteAndAwaitGone(String name, Duration timeout) {
    backups().inNamespace(NAMESPACE).withName(name).delete();
    Awaitility.await(name + " gone").atMost(timeout).until(() -> get(name) == null);
  }

  /** Events recorded for one object of the default namespace, oldest first. */
  public List<Event> events(String name) {
    return events(NAMESPACE, name);
  }

  /** Events recorded for one object, oldest first. */
  public List<Event> events(String namespace, String name) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .sorted(Comparator.comparing(Event::getLastTimestamp).thenComparing(e -> e.getMetadata().getName()))
        .toList();
  }

  public List<String> eventReasons(String name) {
    return eventReasons(NAMESPACE, name);
  }

  public List<String> eventReasons(String namespace, String name) {
    return events(namespace, name).stream().map(Event::getReason).toList();
  }

  /**
   * Waits until the reasons of an object's Events satisfy {@code check}: an Event is created just after the status
   * write it tells of, so a test that saw the status may ask a moment too early.
   */
  public void awaitEventReasons(String name, java.util.function.Consumer<List<String>> check) {
    awaitEventReasons(NAMESPACE, name, check);
  }

  public void awaitEventReasons(String namespace, String name, java.util.function.Consumer<List<String>> check) {
    Awaitility.await(namespace + "/" + name + " events").atMost(java.time.Duration.ofSeconds(10))
        .untilAsserted(() -> check.accept(eventReasons(namespace, name)));
  }

  public DynamoBackup get(String name) {
    return backups().inNamespace(NAMESPACE).withName(name).get();
  }

  /**
   * Writes the state that a crash between recording the intent to create and CreateBackup's answer leaves: the
   * finalizer, and Creating=True with no ARN in status. Returns the recorded request time.
   */
  public Instant recordCreateIntent(String name) {
    DynamoBackup object = backups().inNamespace(NAMESPACE).withName(name).edit(b -> {
      b.addFinalizer(DynamoBackup.FINALIZER);
      return b;
    });
    var status = new DynamoBackupStatus();
    Instant now = Instant.now();
    Conditions.set(status.conditions, Conditions.CREATING, true, "CreateRequested", "requested",
        object.getMetadata().getGeneration(), now);
    object.setStatus(status);
    backups().inNamespace(NAMESPACE).resource(object).updateStatus();
    return now;
  }

  public MixedOperation<DynamoRestore, KubernetesResourceList<DynamoRestore>, Resource<DynamoRestore>> restores() {
    return client.resources(DynamoRestore.class);
  }

  public DynamoRestore applyRestore(String name, DynamoRestoreSpec spec) {
    var restore = new DynamoRestore();
    restore.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    restore.setSpec(spec);
    return restores().inNamespace(NAMESPACE).resource(restore).create();
  }

  public DynamoRestore getRestore(String name) {
    return restores().inNamespace(NAMESPACE).withName(name).get();
  }

  /**
   * Writes the state that a crash between recording the intent to restore and the restore call's answer leaves:
   * the finalizer, the source (a backup ARN, or a point-in-time restore's table ARN), and Restoring=True (reason
   * RestoreRequested) at {@code requestedAt}, with no table ARN.
   */
  public void recordRestoreIntent(String name, String sourceArn, Instant requestedAt) {
    DynamoRestore object = restores().inNamespace(NAMESPACE).withName(name).edit(r -> {
      r.addFinalizer(DynamoRestore.FINALIZER);
      return r;
    });
    var status = new DynamoRestoreStatus();
    if (sourceArn.contains("/backup/")) {
      status.sourceBackupArn = sourceArn;
    } else {
      status.sourceTableArn = sourceArn;
    }
    Conditions.set(status.conditions, Conditions.RESTORING, true, "RestoreRequested", "requested",
        object.getMetadata().getGeneration(), requestedAt);
    object.setStatus(status);
    restores().inNamespace(NAMESPACE).resource(object).updateStatus();
  }

  public static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
  }

  @Override
  public void close() {
    if (operator != null) {
      operator.stop();
    }
    accounts.close();
    dynamo.close();
    operatorClient.close();
    client.close();
    emulator.close();
    cluster.close();
  }
}
