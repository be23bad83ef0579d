package io.dynamobackup.operator;

import io.dynamobackup.operator.api.DynamoBackupPolicy;
import io.dynamobackup.operator.aws.AwsAccounts;
import io.dynamobackup.operator.aws.QuotaLimiter;
import io.dynamobackup.operator.aws.SdkBackupStore;
import io.dynamobackup.operator.config.LabelSelectorSyntax;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.observability.ManagementServer;
import io.dynamobackup.operator.observability.OperatorMetrics;
import io.dynamobackup.operator.policy.Tenancy;
import io.dynamobackup.operator.reconcile.schedule.ShardLabel;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/** Runs the operator against the configured cluster; the sandbox has a jar of its own (sandbox/SandboxMain). */
@Command(name = "dynamo-backup-operator", mixinStandardHelpOptions = true, version = "dynamo-backup-operator 0.1.0",
    description = "Manages Amazon DynamoDB on-demand backups as Kubernetes DynamoBackup resources.%n"
        + "Kubernetes: KUBECONFIG, ~/.kube/config or in-cluster. AWS: the SDK default chain (AWS_REGION,"
        + " AWS_ENDPOINT_URL, credentials). To try it without a cluster: "
        + Main.SANDBOX_COMMAND + ".%n"
        + "Environment: WATCH_NAMESPACES (comma list, default all), WATCH_LABEL_SELECTOR (this shard's objects,"
        + " e.g. sharding.dynamobackup.io/key=shard-a; default all), RESYNC_PERIOD (default 10m),"
        + " RECONCILE_THREADS (default 50), AWS_CALL_TIMEOUT (default 30s), HEALTH_PORT (/healthz, /readyz and"
        + " /metrics; default 8080, 0: off), HEALTH_BIND_ADDRESS (default: all interfaces), LEADER_ELECTION"
        + " (default true), LEADER_ELECTION_NAMESPACE (default: the pod's), LEADER_ELECTION_LEASE_NAME (default"
        + " dynamo-backup-operator; one per shard), AWS_RATE_LIMITS (default: DynamoDB's"
        + " quotas; 'off', or e.g. DeleteBackup=20), LOG_FORMAT (text or json), LOG_LEVEL.")
public final class Main implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  /**
   * The longest a reconciler thread waits in place for an AWS call's slot; longer waits are rescheduled. Long enough
   * that a rescheduled reconcile, started late on a busy machine, still finds its slot ahead (measured: 250 ms gave
   * 0.93 of the DeleteBackup quota with a core taken by other work, 500 ms 0.96); short enough that a saturated
   * operation holds about five of the reconciler threads.
   */
  public static final Duration QUOTA_MAX_BLOCK = Duration.ofMillis(500);

  /** How to run the operator on the embedded sandbox, named wherever a cluster is missing. */
  public static final String SANDBOX_COMMAND =
      "mvn -B -DskipTests package && java -jar target/dynamo-backup-operator-sandbox.jar";

  private final CountDownLatch stopped = new CountDownLatch(1);

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    if (!clusterConfigured()) {
      System.err.println("no Kubernetes cluster configured (KUBECONFIG, ~/.kube/config or in-cluster); to try the"
          + " operator without one, run the sandbox: " + SANDBOX_COMMAND);
      return 2;
    }
    return runOnCluster();
  }

  private int runOnCluster() throws InterruptedException {
    OperatorConfig config = OperatorConfig.fromEnvironment(System.getenv());
    KubernetesClient client = new KubernetesClientBuilder().build();
    try {
      log.info("connecting to Kubernetes at {} (Kubernetes {})", client.getMasterUrl(),
          client.getKubernetesVersion().getGitVersion());
    } catch (KubernetesClientException e) {
      log.error("cannot reach the Kubernetes API at {}: {}. Fix the kubeconfig, or try the operator on the embedded"
          + " sandbox: {}", client.getMasterUrl(), e.getMessage(), SANDBOX_COMMAND);
      client.close();
      return 1;
    }
    log.info("watching {}{}; default AWS region: {}; resync every {}",
        config.watchNamespaces().isEmpty() ? "all namespaces" : "namespaces " + config.watchNamespaces(),
        config.labelSelector() == null ? "" : ", objects labelled " + config.labelSelector(),
        config.defaultRegion() == null ? "none (objects must set spec.region)" : config.defaultRegion(),
        config.reconcile().resyncPeriod());
    if (config.labelSelector() != null && !LabelSelectorSyntax.keys(config.labelSelector()).contains(ShardLabel.KEY)) {
      log.warn("WATCH_LABEL_SELECTOR does not name {}: the backups a schedule makes carry only that label of their"
          + " schedule's, so they may fall outside this shard", ShardLabel.KEY);
    }
    var metrics = OperatorMetrics.create();
    var ownCredentials = DefaultCredentialsProvider.builder().build();
    // each account gets its own rate limiters: AWS's quotas are per account and region
    AwsAccounts.StoreFactory stores = credentials -> new SdkBackupStore(config.defaultRegion(), Optional.empty(),
        credentials, config.awsCallTimeout(), metrics, config.rateLimits().isEmpty() ? QuotaLimiter.unlimited()
        : new QuotaLimiter(config.rateLimits(), QUOTA_MAX_BLOCK));
    var accounts = new AwsAccounts(stores.create(ownCredentials), stores,
        AwsAccounts.stsClient(config.defaultRegion(), Optional.empty(), ownCredentials));
    AtomicBoolean stopping = new AtomicBoolean();
    var operator = BackupOperator.create(client, accounts, config, Clock.systemUTC(), metrics, () -> {
      if (!stopping.get()) {
        // Another replica may lead by now: reconciling on would race it. The pod restarts and becomes a standby.
        log.error("lost the leader Lease without being asked to stop; exiting so that only the leader reconciles");
        new Thread(() -> System.exit(1), "exit-after-lost-leadership").start();
      }
    });
    var management = config.managementAddress() == null ? null
        : ManagementServer.start(config.managementAddress(), operator::getRuntimeInfo, metrics);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopping.set(true);
      if (management != null) {
        management.close();
      }
      operator.stop();
      accounts.close();
      client.close();
      stopped.countDown();
    }, "operator-shutdown"));
    if (config.leaderElection().enabled()) {
      log.info("leader election on Lease {}/{}: this instance reconciles once it holds the Lease",
          config.leaderElection().leaseNamespace() != null ? config.leaderElection().leaseNamespace()
              : client.getConfiguration().getNamespace(), config.leaderElection().leaseName());
    }
    try {
      operator.start();
      new Tenancy(config.defaultRegion(), accounts::ownAccount)
          .announce(client.resources(DynamoBackupPolicy.class).list().getItems());
    } catch (RuntimeException e) {
      log.error("the operator could not start: {}. Is the CRD installed (kubectl apply -f crds/), may this"
          + " identity list and watch dynamobackups, and (with LEADER_ELECTION) get, create and update leases?",
          e.getMessage() + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
      return 1;
    }
    stopped.await();
    return 0;
  }

  /** A cluster is configured when a kubeconfig exists or the process runs in a pod. */
  static boolean clusterConfigured() {
    String kubeconfig = System.getenv("KUBECONFIG");
    if (kubeconfig != null && !kubeconfig.isBlank()) {
      return true;
    }
    if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
      return true;
    }
    return Files.exists(Path.of(System.getProperty("user.home"), ".kube", "config"));
  }
}
