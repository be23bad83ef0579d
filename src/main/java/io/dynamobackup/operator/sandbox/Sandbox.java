package io.dynamobackup.operator.sandbox;

import io.dynamobackup.operator.BackupOperator;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoBackupScheduleSpec;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.aws.AwsAccounts;
import io.dynamobackup.operator.aws.QuotaLimiter;
import io.dynamobackup.operator.aws.SdkBackupStore;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.aws.BackupArn;
import io.dynamobackup.operator.observability.ManagementServer;
import io.dynamobackup.operator.observability.OperatorMetrics;
import io.dynamobackup.operator.reconcile.Conditions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.dynamobackup.operator.sandbox.api.SandboxApi;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The embedded default: a mock Kubernetes API and the DynamoDB emulator on loopback, this operator running against
 * both, and the examples applied. Needs no cluster, no AWS account and no network.
 */
public final class Sandbox implements AutoCloseable {

  public static final String REGION = "eu-west-1";
  public static final String DEMO = "sandbox-demo";
  public static final String SCHEDULE_DEMO = "sandbox-every-minute";
  public static final String RESTORE_DEMO = "sandbox-demo-restore";
  public static final String RESTORED_TABLE = "sandbox-demo-table-restored";
  /** A restore in the emulator takes at least this long, so that the demo can delete its backup meanwhile. */
  static final Duration MIN_RESTORING = Duration.ofSeconds(2);
  private static final Logger log = LoggerFactory.getLogger(Sandbox.class);

  /**
   * @param apiPort loopback port of the Kubernetes API (0: a free one)
   * @param kubeconfig where to write a kubeconfig for kubectl
   * @param examples directory of manifests to apply (the jar's bundled copies when it does not exist)
   * @param creatingDuration how long a new backup stays CREATING in the emulator; a restored table stays CREATING
   *     as long, but at least {@link #MIN_RESTORING}
   * @param managementPort loopback port of the operator's /metrics, /healthz and /readyz (0: a free one)
   */
  public record Options(int apiPort, Path kubeconfig, Path examples, Duration creatingDuration, int managementPort) {

    public Options(int apiPort, Path kubeconfig, Path examples, Duration creatingDuration) {
      this(apiPort, kubeconfig, examples, creatingDuration, 0);
    }
  }

  public final SandboxCluster cluster;
  /**
   * What kubectl talks to: the mock API with discovery, OpenAPI, tables, HTTP watches, proper patches and the
   * validation of custom resources.
   */
  public final SandboxApi api;
  public final DynamoDbEmulator emulator;
  /** A client of the mock itself, as the operator's: it bypasses the validation kubectl sees through {@link #api}. */
  public final KubernetesClient client;
  public final Path kubeconfig;
  /** The operator's /metrics, /healthz and /readyz, for a local Prometheus to scrape. */
  public final ManagementServer management;
  private final SdkBackupStore store;
  private final Operator operator;

  private Sandbox(Options options) {
    cluster = SandboxCluster.start(0);
    api = SandboxApi.start(options.apiPort(), URI.create(cluster.url()), Clock.systemUTC());
    emulator = DynamoDbEmulator.start(0).creatingDuration(options.creatingDuration())
        .restoringDuration(options.creatingDuration().compareTo(MIN_RESTORING) > 0 ? options.creatingDuration()
            : MIN_RESTORING);
    kubeconfig = SandboxCluster.writeKubeconfig(options.kubeconfig(), api.url());
    client = cluster.newClient();
    var metrics = OperatorMetrics.create();
    store = new SdkBackupStore(REGION, Optional.of(emulator.endpoint()),
        StaticCredentialsProvider.create(AwsBasicCredentials.create("sandbox", "sandbox")),
        Duration.ofMillis(1500), metrics, QuotaLimiter.unlimited());
    var config = new OperatorConfig(Set.of(), REGION, 10, Duration.ofMillis(1500),
        OperatorConfig.quickReconcile());
    operator = BackupOperator.create(client, AwsAccounts.single(store, DynamoDbEmulator.ACCOUNT), config,
        Clock.systemUTC(), metrics, () -> { });
    management = ManagementServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        options.managementPort()), operator::getRuntimeInfo, metrics);
  }

  public static Sandbox start(Options options) {
    var sandbox = new Sandbox(options);
    log.info("[sandbox] Kubernetes API at {} (Fabric8 mock server behind the sandbox API layer); DynamoDB"
        + " emulator at {} (region {})", sandbox.api.url(), sandbox.emulator.endpoint(), REGION);
    sandbox.operator.start();
    log.info("[sandbox] operator started");
    sandbox.apply(Examples.load(options.examples()), options.examples());
    return sandbox;
  }

  /** Applies the examples, creating the tables and adopted backups they name in the emulator first. */
  private void apply(List<HasMetadata> objects, Path source) {
    for (HasMetadata object : objects) {
      String namespace = Optional.ofNullable(object.getMetadata().getNamespace()).orElse("default");
      object.getMetadata().setNamespace(namespace);
      if (object.getMetadata().getAnnotations() == null) {
        object.getMetadata().setAnnotations(new java.util.HashMap<>());
      }
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
          .build()).createOr(NonDeletingOperation::update);
      if (object instanceof DynamoBackup backup && backup.getSpec() != null && backup.getSpec().tableName != null) {
        emulator.createTable(Optional.ofNullable(backup.getSpec().region).orElse(REGION), backup.getSpec().tableName);
      }
      if (object instanceof DynamoBackup backup && backup.getSpec() != null
          && BackupArn.parse(backup.getSpec().backupArn).isPresent()) {
        // an adopted backup exists before its object: put it there, so that the example shows adoption
        emulator.putBackup(backup.getSpec().backupArn);
      }
      if (object instanceof DynamoRestore restore && restore.getSpec() != null && restore.getSpec().pointInTime != null
          && restore.getSpec().pointInTime.sourceTableName != null) {
        // a point-in-time restore's source table, with recovery on, so that the example restores it
        String region = Optional.ofNullable(restore.getSpec().region).orElse(REGION);
        emulator.createTable(region, restore.getSpec().pointInTime.sourceTableName);
        emulator.enablePointInTimeRecovery(region, restore.getSpec().pointInTime.sourceTableName);
      }
      if (object instanceof DynamoBackupSchedule schedule && schedule.getSpec() != null
          && schedule.getSpec().tableName != null) {
        emulator.createTable(Optional.ofNullable(schedule.getSpec().template).map(t -> t.region).orElse(REGION),
            schedule.getSpec().tableName);
      }
      // as kubectl apply leaves it, so that kubectl apply of the same file later says "unchanged"
      object.getMetadata().getAnnotations().put("kubectl.kubernetes.io/last-applied-configuration",
          lastAppliedConfiguration(object));
      client.resource(object).createOr(NonDeletingOperation::update);
      log.info("[sandbox] applied {} {}/{} from {}", object.getKind(), namespace, object.getMetadata().getName(),
          source);
    }
  }

  /** A schedule that shows creating and pruning within minutes: every minute, keeping the newest 3. */
  public void startScheduleDemo() {
    emulator.createTable(REGION, "sandbox-demo-table");
    var schedule = new DynamoBackupSchedule();
    schedule.setMetadata(new ObjectMetaBuilder().withName(SCHEDULE_DEMO).withNamespace("default").build());
    var spec = new DynamoBackupScheduleSpec();
    spec.tableName = "sandbox-demo-table";
    spec.schedule = "* * * * *";
    spec.retention = new DynamoBackupScheduleSpec.ScheduleRetention();
    spec.retention.keepLast = 3;
    schedule.setSpec(spec);
    client.resource(schedule).createOr(NonDeletingOperation::update);
    log.info("[sandbox] demo: schedule default/{} backs up sandbox-demo-table every minute and keeps the newest 3;"
        + " watch it with: kubectl get ddbb -w", SCHEDULE_DEMO);
  }

  /** kubectl's form: the manifest as written, annotations always present, keys sorted, a trailing newline. */
  private static String lastAppliedConfiguration(HasMetadata object) {
    var mapper = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
        .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    try {
      Map<String, Object> manifest = mapper.readValue(Serialization.asJson(object), new TypeReference<>() {});
      manifest.remove("status");
      @SuppressWarnings("unchecked")
      var metadata = (Map<String, Object>) manifest.get("metadata");
      metadata.putIfAbsent("annotations", Map.of());
      return mapper.writeValueAsString(manifest) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Shows one whole lifecycle on a backup of its own: created, AVAILABLE, restored into a new table, deleted while
   * the restore runs (the finalizer waits with BackupInUse), then deleted through the finalizer once the restore has
   * finished. Returns false if a step did not happen, or not in time.
   */
  public boolean runDemo(Duration timeout) {
    emulator.createTable(REGION, "sandbox-demo-table");
    var demo = new DynamoBackup();
    demo.setMetadata(new ObjectMetaBuilder().withName(DEMO).withNamespace("default").build());
    demo.setSpec(new DynamoBackupSpec("sandbox-demo-table"));
    var demos = client.resources(DynamoBackup.class).inNamespace("default");
    demos.resource(demo).createOr(NonDeletingOperation::update);
    log.info("[sandbox] demo: created DynamoBackup default/{} for table sandbox-demo-table", DEMO);
    try {
      demos.withName(DEMO).waitUntilCondition(b -> b != null && b.getStatus() != null
          && "AVAILABLE".equals(b.getStatus().backupStatus), timeout.toMillis(), TimeUnit.MILLISECONDS);
      log.info("[sandbox] demo: backup {} is AVAILABLE; restoring it into table {}",
          demos.withName(DEMO).get().getStatus().backupArn, RESTORED_TABLE);
      var restores = client.resources(DynamoRestore.class).inNamespace("default");
      restores.resource(restoreDemo()).createOr(NonDeletingOperation::update);
      restores.withName(RESTORE_DEMO).waitUntilCondition(r -> r != null && r.getStatus() != null
          && r.getStatus().tableArn != null, timeout.toMillis(), TimeUnit.MILLISECONDS);
      log.info("[sandbox] demo: DynamoRestore default/{} is restoring table {} ({}); deleting the backup's object"
          + " meanwhile", RESTORE_DEMO, RESTORED_TABLE, restores.withName(RESTORE_DEMO).get().getStatus().tableStatus);
      demos.withName(DEMO).delete();
      DynamoBackup waiting = demos.withName(DEMO).waitUntilCondition(b -> b == null || backupInUse(b).isPresent(),
          timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (waiting != null) {
        log.info("[sandbox] demo: the deletion waits: Deleting=True, reason BackupInUse: {}",
            backupInUse(waiting).orElseThrow());
      }
      demos.withName(DEMO).waitUntilCondition(b -> b == null, timeout.toMillis(), TimeUnit.MILLISECONDS);
      log.info("[sandbox] demo: the restore into {} finished in AWS; then the finalizer ran DeleteBackup and"
          + " released the object; backups left in the emulator: {}", RESTORED_TABLE, emulator.backupArns(REGION).size());
      return waiting != null;
    } catch (KubernetesClientTimeoutException e) {
      log.warn("[sandbox] demo: did not finish within {}", timeout);
      return false;
    }
  }

  /** The message of Deleting=True with reason BackupInUse, if the backup's deletion waits so. */
  private static Optional<String> backupInUse(DynamoBackup backup) {
    return backup.getStatus() == null ? Optional.empty()
        : Conditions.find(backup.getStatus().conditions, Conditions.DELETING)
            .filter(c -> "True".equals(c.getStatus()) && "BackupInUse".equals(c.getReason()))
            .map(c -> c.getMessage());
  }

  private static DynamoRestore restoreDemo() {
    var restore = new DynamoRestore();
    restore.setMetadata(new ObjectMetaBuilder().withName(RESTORE_DEMO).withNamespace("default").build());
    restore.setSpec(new DynamoRestoreSpec());
    restore.getSpec().backupRef = new DynamoRestoreSpec.BackupRef(DEMO);
    restore.getSpec().targetTableName = RESTORED_TABLE;
    return restore;
  }

  /** What a user types next, printed once the sandbox is up. */
  public String instructions() {
    return """

        The sandbox is running. Point kubectl at it:

          export KUBECONFIG=%s

          kubectl get ddbb
          kubectl get ddbs
          kubectl get ddbr
          kubectl wait --for=condition=Ready ddbb/orders-nightly
          kubectl describe ddbb orders-nightly
          kubectl delete dynamobackup orders-nightly

        Kubernetes API: %s   DynamoDB emulator: %s
        Metrics for Prometheus: http://127.0.0.1:%d/metrics   (also /healthz and /readyz)
        Press Ctrl-C to stop.
        """.formatted(kubeconfig, api.url(), emulator.endpoint(), management.port());
  }

  @Override
  public void close() {
    management.close();
    operator.stop();
    store.close();
    client.close();
    emulator.close();
    api.close();
    cluster.close();
  }
}
