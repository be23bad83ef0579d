package io.dynamobackup.bench;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupPolicy;
import io.dynamobackup.operator.api.DynamoBackupPolicySpec;
import io.dynamobackup.operator.aws.QuotaLimiter;
import io.dynamobackup.operator.reconcile.schedule.ShardLabel;
import io.dynamobackup.operator.sandbox.DynamoDbEmulator;
import io.dynamobackup.operator.sandbox.SandboxCluster;
import io.dynamobackup.operator.support.OperatorProcess;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Issue 20's benchmark, at real quotas (time scale 1): the jar in JVMs of its own, against the mock Kubernetes API and
 * the DynamoDB emulator (enforcing the documented quotas per account and region), both in this JVM.
 * (1) Several accounts at once: one operator deletes N backups in each of A accounts, reached through STS roles as in
 * production (a DynamoBackupPolicy with a roleArn per account's namespace); each account's DeleteBackup rate against
 * its own quota. (2) M AVAILABLE objects in one shard, and (3) the same M in two shards of M/2 (two operators, their
 * own WATCH_LABEL_SELECTOR): per shard, time to ready, heap after GC, and AWS calls per backup per hour in steady
 * state.
 *
 * <p>Run: {@code mvn -B -Pbench -DskipTests verify -Dbench.main=io.dynamobackup.bench.ScaleBench
 * -Dbench.args="--accounts=5 --per-account=1000 --objects=50000"} ({@code --only=accounts|shard|shards} for one
 * part, {@code --threads=N} for the mass delete's RECONCILE_THREADS). Prints its figures and writes them to
 * target/bench/scale-results.md; a run at the sizes (these) is also appended to bench/results.md.
 */
public final class ScaleBench {

  static final String REGION = ThroughputBench.REGION;
  static final int PER_TABLE = ThroughputBench.PER_TABLE;
  static final String ROLE = "dynamo-backup-operator";
  static final int FULL_ACCOUNTS = 5;
  static final int FULL_PER_ACCOUNT = 1000;
  static final int FULL_OBJECTS = 50_000;
  static final Duration DEFAULT_RESYNC = Duration.ofMinutes(10);

  final ThroughputBench tools;
  final Path work;

  ScaleBench(Path work) {
    this.work = work;
    this.tools = new ThroughputBench(work);
  }

  /** One account's part of the mass delete. */
  record AccountDelete(String account, int objects, int calls, int admitted, double achievedRate) {
    double quotaShare() {
      return achievedRate / QuotaLimiter.DOCUMENTED_QUOTAS.get("DeleteBackup");
    }

    int throttled() {
      return calls - admitted;
    }

    double throttledShare() {
      return calls == 0 ? 0 : (double) throttled() / calls;
    }
  }

  record MultiAccount(List<AccountDelete> accounts, Duration toLastFinalizer, String threads) {}

  /** One shard's figures in steady state. */
  record ShardRun(String shard, int objects, long listBytes, Duration toReady, long heapBytes, long peakRssBytes,
      double startupCpuSeconds, double steadyMillicores, Duration resync, Duration window, int calls,
      int listPages, double passes) {
    double callsPerBackupHour() {
      return calls / (double) objects * (3600.0 / window.toSeconds());
    }

    /** At the default RESYNC_PERIOD: the steady calls are listing passes, one per period. */
    double callsPerBackupHourAtDefaultResync() {
      return callsPerBackupHour() * resync.toSeconds() / DEFAULT_RESYNC.toSeconds();
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      String[] pair = arg.replaceFirst("^--", "").split("=", 2);
      options.put(pair[0], pair.length > 1 ? pair[1] : "true");
    }
    int accounts = Integer.parseInt(options.getOrDefault("accounts", Integer.toString(FULL_ACCOUNTS)));
    int perAccount = Integer.parseInt(options.getOrDefault("per-account", Integer.toString(FULL_PER_ACCOUNT)));
    int objects = Integer.parseInt(options.getOrDefault("objects", Integer.toString(FULL_OBJECTS)));
    String only = options.getOrDefault("only", "all");
    String threads = options.get("threads"); // RECONCILE_THREADS of the mass delete's operator; unset: its default
    var bench = new ScaleBench(Files.createDirectories(Path.of("target", "bench")));
    String loadBefore = ThroughputBench.loadAverage();
    Instant started = Instant.now();

    MultiAccount multi = only.equals("all") || only.equals("accounts")
        ? bench.multiAccount(accounts, perAccount, threads) : null;
    List<List<ShardRun>> steady = only.equals("all") || only.startsWith("shard")
        ? bench.steadyState(objects, !only.equals("shards"), !only.equals("shard")) : List.of(List.of(), List.of());
    List<ShardRun> one = steady.get(0);
    List<ShardRun> two = steady.get(1);

    String command = "mvn -B -Pbench -DskipTests verify -Dbench.main=" + ScaleBench.class.getName()
        + " -Dbench.args=\"" + String.join(" ", args) + "\"";
    String report = report(command, loadBefore, Duration.between(started, Instant.now()), multi, one, two);
    System.out.println(report);
    Files.writeString(bench.work.resolve("scale-results.md"), report);
    if (accounts >= FULL_ACCOUNTS && perAccount >= FULL_PER_ACCOUNT && objects >= FULL_OBJECTS) {
      Files.writeString(Path.of("bench", "results.md"), "\n" + report, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
    System.exit(0); // the mock server keeps non-daemon threads
  }

  /** Backups in several accounts, one namespace and one policy (with the account's role) each, deleted at once. */
  MultiAccount multiAccount(int accounts, int perAccount, String threads) throws Exception {
    try (var cluster = SandboxCluster.startWithoutGarbageCollector(0); KubernetesClient client = cluster.newClient();
        var emulator = DynamoDbEmulator.start(0)) {
      Map<String, String> namespaces = new LinkedHashMap<>(); // account -> namespace
      for (int i = 1; i <= accounts; i++) {
        String account = String.format(Locale.ROOT, "1111%08d", i);
        String namespace = "account-" + i;
        namespaces.put(account, namespace);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
            .build()).create();
        var policy = new DynamoBackupPolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName(namespace).build());
        policy.setSpec(new DynamoBackupPolicySpec());
        policy.getSpec().namespaces = List.of(namespace);
        policy.getSpec().tables = List.of("*");
        policy.getSpec().roleArn = "arn:aws:iam::" + account + ":role/" + ROLE;
        client.resource(policy).create();
        ThroughputBench.log("accounts: seeding %d AVAILABLE backups in account %s (namespace %s)", perAccount, account,
            namespace);
        seed(client, emulator, namespace, account, Map.of(), "a" + i, perAccount);
      }
      emulator.enforceDocumentedQuotas();
      int port = ThroughputBench.freePort();
      Path dir = Files.createDirectories(work.resolve("accounts"));
      // a short period, so that every account is listed (and its role assumed) before the delete, as in an operator
      // that has run for a while; a pass at start lists nothing until the policies are read
      var operator = tools.operator(dir, cluster, emulator, port,
          threads == null ? Map.of() : Map.of("RECONCILE_THREADS", threads), Duration.ofSeconds(60));
      try {
        operator.start();
        tools.awaitReady(port, Duration.ofMinutes(5));
        ThroughputBench.await("a listing pass of every account", Duration.ofMinutes(5),
            () -> tools.metric(port, "dynamobackup_listing_pass_seconds_count") >= accounts);
        ThroughputBench.awaitQuiet(emulator);
        emulator.resetCounters();

        ThroughputBench.log("accounts: deleting %d objects in %d accounts at once", accounts * perAccount, accounts);
        Duration took = ThroughputBench.deleteAndAwaitGone(client.resources(DynamoBackup.class).inAnyNamespace(),
            accounts * perAccount, () -> {
              deleteEach(client, namespaces.values());
              return null;
            });

        List<AccountDelete> results = new ArrayList<>();
        for (String account : namespaces.keySet()) {
          List<Instant> admitted = emulator.admitted("DeleteBackup", account);
          int calls = (int) emulator.callLog().stream()
              .filter(c -> c.operation().equals("DeleteBackup") && c.account().equals(account)).count();
          double seconds = admitted.size() < 2 ? Double.NaN
              : Duration.between(admitted.get(0), admitted.get(admitted.size() - 1)).toNanos() / 1e9;
          var result = new AccountDelete(account, perAccount, calls, admitted.size(), (admitted.size() - 1) / seconds);
          ThroughputBench.log("accounts: %s; admitted per 10 s: %s", result, ThroughputBench.perTenSeconds(admitted));
          results.add(result);
        }
        ThroughputBench.log("accounts: AssumeRole calls during the delete: %d", emulator.calls("AssumeRole"));
        return new MultiAccount(results, took, threads == null ? "default" : threads);
      } finally {
        operator.close();
      }
    }
  }

  /** Every object of the namespaces deleted by its own DELETE, from a few threads at once, as Argo CD's prune does. */
  static void deleteEach(KubernetesClient client, Iterable<String> namespaces) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> deletes = new ArrayList<>();
      for (String namespace : namespaces) {
        for (DynamoBackup backup : client.resources(DynamoBackup.class).inNamespace(namespace).list().getItems()) {
          String name = backup.getMetadata().getName();
          deletes.add(pool.submit(() -> client.resources(DynamoBackup.class).inNamespace(namespace).withName(name)
              .delete()));
        }
      }
      for (Future<?> delete : deletes) {
        delete.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  /**
   * {@code objects} AVAILABLE objects, half labelled shard-a and half shard-b (sharding.dynamobackup.io/key), seeded
   * once; then one operator watching them all (selector: the label exists), and then two operators, one per shard.
   */
  List<List<ShardRun>> steadyState(int objects, boolean oneShard, boolean twoShards) throws Exception {
    try (var cluster = SandboxCluster.startWithoutGarbageCollector(0); KubernetesClient client = cluster.newClient();
        var emulator = DynamoDbEmulator.start(0)) {
      for (String shard : List.of("shard-a", "shard-b")) {
        ThroughputBench.log("seeding %d AVAILABLE objects labelled %s=%s", objects / 2, ShardLabel.KEY, shard);
        seed(client, emulator, ThroughputBench.NAMESPACE, DynamoDbEmulator.ACCOUNT, Map.of(ShardLabel.KEY, shard),
            shard, objects / 2);
      }
      emulator.enforceDocumentedQuotas();
      // a listing pass of all objects at 97 % of 5 pages/s must fit in the period, with room for a second shard's
      Duration resync = Duration.ofSeconds(Math.max(60, 3 * objects / ThroughputBench.PER_TABLE / 4));
      List<ShardRun> one = oneShard ? measure(cluster, client, emulator, Map.of("all", ShardLabel.KEY),
          objects / 2 * 2, resync) : List.of();
      List<ShardRun> two = twoShards ? measure(cluster, client, emulator, Map.of(
          "shard-a", ShardLabel.KEY + "=shard-a", "shard-b", ShardLabel.KEY + "=shard-b"), objects / 2, resync)
          : List.of();
      return List.of(one, two);
    }
  }

  /**
   * One operator per shard (name to selector) started at once, each signing with its own access key so that its AWS
   * calls can be counted.
   */
  List<ShardRun> measure(SandboxCluster cluster, KubernetesClient client, DynamoDbEmulator emulator,
      Map<String, String> selectors, int perShard, Duration resync) throws Exception {
    List<String> shards = selectors.keySet().stream().sorted().toList();
    String label = shards.size() + (shards.size() == 1 ? " shard" : " shards");
    // what the API server answers each shard's informer at start: one LIST of all its objects
    Map<String, Long> listBytes = new HashMap<>();
    for (String shard : shards) {
      listBytes.put(shard, (long) client.raw(cluster.url() + "/apis/dynamobackup.io/v1alpha1/dynamobackups"
          + "?labelSelector=" + URLEncoder.encode(selectors.get(shard), StandardCharsets.UTF_8))
          .getBytes(StandardCharsets.UTF_8).length);
    }
    Map<String, OperatorProcess> operators = new LinkedHashMap<>();
    Map<String, Integer> ports = new HashMap<>();
    Map<String, String> keys = new HashMap<>();
    try {
      for (String shard : shards) {
        int port = ThroughputBench.freePort();
        String key = "AKIABENCH" + label.replaceAll("\\W", "").toUpperCase(Locale.ROOT)
            + shard.toUpperCase(Locale.ROOT).replace("-", "");
        Path dir = Files.createDirectories(work.resolve(label.replace(' ', '-') + "-" + shard));
        operators.put(shard, tools.operator(dir, cluster, emulator, port, Map.of(
            "WATCH_LABEL_SELECTOR", selectors.get(shard), "AWS_ACCESS_KEY_ID", key), resync)
            .jvmOptions("-Xmx1g"));
        ports.put(shard, port);
        keys.put(shard, key);
      }
      Instant start = Instant.now();
      for (OperatorProcess operator : operators.values()) {
        operator.start();
      }
      Map<String, Duration> toReady = new HashMap<>();
      Map<String, Double> startupCpu = new HashMap<>();
      for (String shard : shards) {
        tools.awaitReady(ports.get(shard), Duration.ofMinutes(10));
        toReady.put(shard, Duration.between(start, Instant.now()));
        startupCpu.put(shard, ThroughputBench.cpuSeconds(operators.get(shard).pid()));
        ThroughputBench.log("%s: %s ready after %s", label, shard, toReady.get(shard));
      }
      for (String shard : shards) {
        ThroughputBench.await(shard + "'s first listing pass", resync.plusMinutes(10),
            () -> tools.metric(ports.get(shard), "dynamobackup_listing_pass_seconds_count") >= 1);
      }
      ThroughputBench.awaitQuiet(emulator);
      Map<String, Long> heap = new HashMap<>();
      for (String shard : shards) {
        heap.put(shard, tools.heapAfterGc(operators.get(shard), ports.get(shard)));
        ThroughputBench.log("%s: %s heap after GC %d MiB", label, shard, heap.get(shard) >> 20);
      }

      emulator.resetCounters();
      Map<String, Double> passesBefore = new HashMap<>();
      Map<String, Double> cpuBefore = new HashMap<>();
      for (String shard : shards) {
        passesBefore.put(shard, tools.metric(ports.get(shard), "dynamobackup_listing_pass_seconds_count"));
        cpuBefore.put(shard, ThroughputBench.cpuSeconds(operators.get(shard).pid()));
      }
      Duration window = resync.multipliedBy(2);
      ThroughputBench.log("%s: counting AWS calls for %s (RESYNC_PERIOD=%s)", label, window, resync);
      Thread.sleep(window.toMillis()); // a measurement window, not a wait for a condition
      List<ShardRun> runs = new ArrayList<>();
      for (String shard : shards) {
        var calls = emulator.callLog().stream().filter(c -> c.accessKeyId().equals(keys.get(shard))).toList();
        double millicores = (ThroughputBench.cpuSeconds(operators.get(shard).pid()) - cpuBefore.get(shard))
            / window.toSeconds() * 1000;
        var run = new ShardRun(shard, perShard, listBytes.get(shard), toReady.get(shard), heap.get(shard),
            ThroughputBench.peakRss(operators.get(shard).pid()), startupCpu.get(shard), millicores, resync, window,
            calls.size(), (int) calls.stream().filter(c -> c.operation().equals("ListBackups")).count(),
            tools.metric(ports.get(shard), "dynamobackup_listing_pass_seconds_count") - passesBefore.get(shard));
        ThroughputBench.log("%s: %s", label, run);
        runs.add(run);
      }
      ThroughputBench.log("%s: ListBackups answered throttled in the window: %d", label,
          emulator.throttledAnswers());
      return runs;
    } finally {
      for (OperatorProcess operator : operators.values()) {
        operator.close();
      }
    }
  }

  /** AVAILABLE objects as an earlier operator run left them, their backups in {@code account}; tables of 100. */
  static void seed(KubernetesClient client, DynamoDbEmulator emulator, String namespace, String account,
      Map<String, String> labels, String prefix, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> writes = new ArrayList<>();
      long epochMillis = Instant.now().minus(Duration.ofDays(1)).toEpochMilli();
      for (int i = 0; i < count; i++) {
        String table = String.format(Locale.ROOT, "%s-%04d", prefix, i / PER_TABLE);
        String name = String.format(Locale.ROOT, "%s-%05d", prefix, i);
        int index = i;
        writes.add(pool.submit(() -> ThroughputBench.createAvailable(client, emulator, namespace, labels, name, table,
            account, epochMillis, index)));
      }
      for (Future<?> write : writes) {
        write.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  static String report(String command, String loadBefore, Duration total, MultiAccount multi, List<ShardRun> one,
      List<ShardRun> two) {
    var out = new StringBuilder();
    out.append("# Scale benchmark (issue 20)\n\n");
    out.append(String.format(Locale.ROOT, "Run %s, %s in total, by `%s`. Real quotas per account and region (time"
        + " scale 1:1); each operator is the jar in its own JVM (-Xmx1g for the shards).%n%n",
        Instant.now().truncatedTo(ChronoUnit.SECONDS), ThroughputBench.human(total), command));
    out.append(String.format(Locale.ROOT, "Machine: %d cores; load average at the start: %s; at the end: %s.%n%n",
        Runtime.getRuntime().availableProcessors(), loadBefore, ThroughputBench.loadAverage()));
    List<String[]> targets = new ArrayList<>();
    if (multi != null) {
      out.append(String.format(Locale.ROOT, "## Several accounts at once: mass delete from one operator, roles through"
          + " STS (RECONCILE_THREADS %s)%n%n", multi.threads()));
      out.append("| account | objects | DeleteBackup rate | share of its quota | DeleteBackup calls | throttled |\n"
          + "|---|---:|---:|---:|---:|---:|\n");
      for (AccountDelete a : multi.accounts()) {
        out.append(String.format(Locale.ROOT, "| %s | %d | %.2f/s | %.3f | %d | %d (%.2f %%) |%n", a.account(),
            a.objects(), a.achievedRate(), a.quotaShare(), a.calls(), a.throttled(), 100 * a.throttledShare()));
      }
      out.append(String.format(Locale.ROOT, "%nTime to the last finalizer: %s.%n%n",
          ThroughputBench.human(multi.toLastFinalizer())));
      targets.add(new String[] {"every account ≥ 0.95 of its own DeleteBackup quota",
          met(multi.accounts().stream().allMatch(a -> a.quotaShare() >= 0.95))});
      targets.add(new String[] {"every account ≤ 1 % throttled",
          met(multi.accounts().stream().allMatch(a -> a.throttledShare() <= 0.01))});
    }
    for (List<ShardRun> runs : List.of(one, two)) {
      if (runs.isEmpty()) {
        continue;
      }
      int objects = runs.stream().mapToInt(ShardRun::objects).sum();
      out.append(String.format(Locale.ROOT, "## %d AVAILABLE objects in %d shard%s%n%n", objects, runs.size(),
          runs.size() == 1 ? "" : "s"));
      out.append("| shard | objects | LIST of its objects | time to ready | heap after GC | peak RSS (-Xmx1g) | CPU"
          + " start to ready | CPU in steady state | AWS calls in window | of which ListBackups | listing passes |"
          + " calls per backup per hour (measured) | at the default RESYNC_PERIOD=10m |\n"
          + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (ShardRun r : runs) {
        out.append(String.format(Locale.ROOT, "| %s | %d | %.1f MiB (%.1f KiB each) | %s | %d MiB | %d MiB | %.1f s"
            + " | %.0f millicores | %d (%s at RESYNC_PERIOD=%ds) | %d | %.0f | %.3f | %.3f |%n", r.shard(),
            r.objects(), r.listBytes() / 1048576.0, r.listBytes() / 1024.0 / r.objects(),
            ThroughputBench.human(r.toReady()), r.heapBytes() >> 20, r.peakRssBytes() >> 20, r.startupCpuSeconds(),
            r.steadyMillicores(), r.calls(), ThroughputBench.human(r.window()), r.resync().toSeconds(), r.listPages(),
            r.passes(), r.callsPerBackupHour(), r.callsPerBackupHourAtDefaultResync()));
      }
      out.append('\n');
      String what = runs.size() == 1 ? "one shard" : "each of two shards";
      targets.add(new String[] {what + ": heap after GC ≤ 512 MiB",
          met(runs.stream().allMatch(r -> r.heapBytes() <= 512L << 20))});
      targets.add(new String[] {what + ": ready ≤ 60 s",
          met(runs.stream().allMatch(r -> r.toReady().compareTo(Duration.ofSeconds(60)) <= 0))});
      targets.add(new String[] {what + ": ≤ 1 AWS call per backup per hour at the default resync",
          met(runs.stream().allMatch(r -> r.callsPerBackupHourAtDefaultResync() <= 1))});
    }
    out.append("## Targets\n\n| target | result |\n|---|---|\n");
    targets.forEach(t -> out.append("| ").append(t[0]).append(" | ").append(t[1]).append(" |\n"));
    return out.toString();
  }

  static String met(boolean met) {
    return met ? "met" : "NOT met";
  }
}
