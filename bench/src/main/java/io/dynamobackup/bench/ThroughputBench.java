package io.dynamobackup.bench;

import io.dynamobackup.operator.api.BackupDescription;
import io.dynamobackup.operator.api.BackupIdentity;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.dynamobackup.operator.aws.QuotaLimiter;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.SpecRules;
import io.dynamobackup.operator.sandbox.DynamoDbEmulator;
import io.dynamobackup.operator.sandbox.SandboxCluster;
import io.dynamobackup.operator.support.OperatorProcess;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Issue #9's benchmark, at real quotas (time scale 1): the jar as a separate process, against the mock Kubernetes API
 * and the DynamoDB emulator enforcing the documented quotas, both in this JVM.
 * (1) N DynamoBackups deleted at once, with the rate limiter and without it; (2) M AVAILABLE DynamoBackups: time
 * to ready, heap after GC, one full status refresh, and AWS calls per object per hour in steady state.
 *
 * <p>Run: {@code mvn -B -Pbench -DskipTests verify} (options: {@code -Dbench.args="--deletes=1000 --objects=10000"}).
 * Prints a table and appends it to bench/results.md.
 */
public final class ThroughputBench {

  static final String REGION = "eu-west-1";
  static final String NAMESPACE = "default";
  static final String ACCOUNT = DynamoDbEmulator.ACCOUNT;
  static final int PER_TABLE = 100;
  static final Duration STEADY_RESYNC = Duration.ofSeconds(60);
  /**
   * Full status refreshes timed in the steady state, one pass apart, after one that warms the write path up: the
   * target holds for the slowest.
   */
  static final int FULL_REFRESHES = 3;

  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final Path work;

  ThroughputBench(Path work) {
    this.work = work;
  }

  record MassDelete(String mode, int objects, int calls, int throttled, double achievedRate, Duration toLastFinalizer) {
    double quotaShare() {
      return achievedRate / QuotaLimiter.DOCUMENTED_QUOTAS.get("DeleteBackup");
    }

    double throttledShare() {
      return calls == 0 ? 0 : (double) throttled / calls;
    }
  }

  /** One full status refresh: from the first page to the last object written; its pages, then the writes after. */
  record Refresh(Duration total, Duration paging, Duration writeTail, int pages, int throttledPages) {}

  record Steady(int objects, Duration toReady, long heapBytes, Refresh warmUp, List<Refresh> refreshes,
      Duration window, int steadyCalls, long peakRssBytes, double steadyMillicores, double startupCpuSeconds) {
    /** The slowest of the full refreshes measured: the targets are judged on it. */
    Refresh slowest() {
      return refreshes.stream().max(Comparator.comparing(Refresh::total)).orElseThrow();
    }

    int pages() {
      return slowest().pages();
    }

    double callsPerObjectHour() {
      return steadyCalls / (double) objects * (3600.0 / window.toSeconds());
    }

    /** The same, at the default RESYNC_PERIOD of 10 minutes: one pass per period. */
    double callsPerObjectHourAtDefaultResync() {
      return pages() * 6.0 / objects;
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      String[] pair = arg.replaceFirst("^--", "").split("=", 2);
      options.put(pair[0], pair.length > 1 ? pair[1] : "true");
    }
    int deletes = Integer.parseInt(options.getOrDefault("deletes", "1000"));
    int objects = Integer.parseInt(options.getOrDefault("objects", "10000"));
    var bench = new ThroughputBench(Files.createDirectories(Path.of("target", "bench")));
    Instant started = Instant.now();

    if ("delete".equals(options.get("only"))) { // a quick look at one part, no report
      bench.massDelete("limiter on", deletes, Map.of());
      System.exit(0);
    }
    if ("steady".equals(options.get("only"))) {
      bench.steady(objects);
      System.exit(0);
    }
    // The naive run's time is mostly its tail (the last objects' exponential backoff), which varies from run to run:
    // each mode runs several times, alternating, and the median run of each is compared.
    int runs = Integer.parseInt(options.getOrDefault("delete-runs", "3"));
    List<MassDelete> limitedRuns = new ArrayList<>();
    List<MassDelete> naiveRuns = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      limitedRuns.add(bench.massDelete("limiter on", deletes, Map.of()));
      naiveRuns.add(bench.massDelete("limiter off (naive)", deletes, Map.of("AWS_RATE_LIMITS", "off")));
    }
    Steady steady = bench.steady(objects);

    String report = report(limitedRuns, naiveRuns, steady, Duration.between(started, Instant.now()));
    System.out.println(report);
    // appended: bench/results.md keeps every run, this benchmark's and ScaleBench's
    Files.writeString(Path.of("bench", "results.md"), "\n" + report, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    System.exit(0); // the mock server and informers keep non-daemon threads
  }

  MassDelete massDelete(String mode, int count, Map<String, String> env) throws Exception {
    log("mass delete, %s: seeding %d AVAILABLE backups", mode, count);
    Path dir = Files.createDirectories(work.resolve("delete-" + (env.isEmpty() ? "limited" : "naive")));
    try (var cluster = SandboxCluster.startWithoutGarbageCollector(0);
        KubernetesClient client = cluster.newClient(); var emulator = DynamoDbEmulator.start(0)) {
      seed(client, emulator, count);
      emulator.enforceDocumentedQuotas();
      int port = freePort();
      var operator = operator(dir, cluster, emulator, port, env, Duration.ofMinutes(10));
      try {
        operator.start();
        awaitReady(port, Duration.ofMinutes(2));
        awaitQuiet(emulator);
        emulator.resetCounters();

        log("mass delete, %s: deleting %d objects at once", mode, count);
        Duration took = deleteAndAwaitGone(client.resources(DynamoBackup.class).inNamespace(NAMESPACE), count, () -> {
          Instant start = Instant.now();
          deleteEach(client);
          log("mass delete, %s: every DELETE answered after %s", mode, Duration.between(start, Instant.now()));
          return null;
        });

        List<Instant> admitted = emulator.admitted("DeleteBackup");
        double seconds = admitted.size() < 2 ? Double.NaN
            : Duration.between(admitted.get(0), admitted.get(admitted.size() - 1)).toNanos() / 1e9;
        // DeleteBackup's own throttled answers: the naive run's DescribeBackup calls are throttled too
        var result = new MassDelete(mode, count, emulator.calls("DeleteBackup"),
            emulator.calls("DeleteBackup") - admitted.size(),
            (admitted.size() - 1) / seconds, took);
        log("mass delete, %s: %s; gaps between admitted calls: %s; admitted per 10 s: %s", mode, result,
            gaps(admitted), perTenSeconds(admitted));
        return result;
      } finally {
        operator.close();
      }
    }
  }

  /**
   * Runs {@code deletes} and waits, on a watch, until all {@code count} objects are gone; answers the time from the
   * first DELETE. Listing a thousand objects every 100 ms would load the mock API, and the two cores, more than the
   * operator under test does.
   */
  static Duration deleteAndAwaitGone(Informable<DynamoBackup> objects, int count, Callable<?> deletes)
      throws Exception {
    var remaining = objects.inform();
    try {
      await("the watch to hold every object", Duration.ofMinutes(1), () -> remaining.getStore().list().size() == count);
      Instant start = Instant.now();
      deletes.call();
      await("all finalizers released", Duration.ofMinutes(30), () -> remaining.getStore().list().isEmpty());
      return Duration.between(start, Instant.now());
    } finally {
      remaining.close();
    }
  }

  /**
   * Every object deleted by its own DELETE, from a few threads at once: what Argo CD's prune and {@code kubectl delete
   * -f} do. (A deletecollection on the mock API marks all objects in one request, and the mock then answers nothing
   * else for seconds; a real API server does not stall that way.)
   */
  static void deleteEach(KubernetesClient client) throws Exception {
    List<String> names = client.resources(DynamoBackup.class).inNamespace(NAMESPACE).list().getItems().stream()
        .map(b -> b.getMetadata().getName()).toList();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> deletes = new ArrayList<>();
      for (String name : names) {
        deletes.add(pool.submit(() -> client.resources(DynamoBackup.class).inNamespace(NAMESPACE).withName(name)
            .delete()));
      }
      for (Future<?> delete : deletes) {
        delete.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  Steady steady(int count) throws Exception {
    log("steady state: seeding %d AVAILABLE backups", count);
    Path dir = Files.createDirectories(work.resolve("steady"));
    try (var cluster = SandboxCluster.startWithoutGarbageCollector(0);
        KubernetesClient client = cluster.newClient(); var emulator = DynamoDbEmulator.start(0)) {
      List<String> arns = seed(client, emulator, count);
      emulator.enforceDocumentedQuotas();
      int port = freePort();
      var operator = operator(dir, cluster, emulator, port, Map.of(), STEADY_RESYNC).jvmOptions("-Xmx1g");
      var informer = client.resources(DynamoBackup.class).inNamespace(NAMESPACE).inform();
      try {
        Instant start = Instant.now();
        operator.start();
        awaitReady(port, Duration.ofMinutes(2));
        Duration toReady = Duration.between(start, Instant.now());
        log("steady state: ready after %s", toReady);
        double startupCpu = cpuSeconds(operator.pid());
        await("first listing pass", Duration.ofMinutes(3), () -> metric(port, "dynamobackup_listing_pass_seconds_count")
            >= 1);
        awaitQuiet(emulator);
        long heap = heapAfterGc(operator, port);
        log("steady state: heap after GC %d MiB", heap >> 20);

        // The first pass that writes every status runs the write path cold (both JVMs compile it meanwhile): it is
        // reported, not judged. An operator that has run for a while is warm.
        Refresh warmUp = fullRefresh(port, emulator, informer, arns, 4241L);
        List<Refresh> refreshes = new ArrayList<>();
        for (int i = 0; i < FULL_REFRESHES; i++) {
          refreshes.add(fullRefresh(port, emulator, informer, arns, 4242L + i));
        }

        emulator.resetCounters();
        Duration window = STEADY_RESYNC.multipliedBy(3);
        double cpuBefore = cpuSeconds(operator.pid());
        Thread.sleep(window.toMillis()); // a measurement window, not a wait for a condition
        double millicores = (cpuSeconds(operator.pid()) - cpuBefore) / window.toSeconds() * 1000;
        int calls = emulator.operations().stream().mapToInt(emulator::calls).sum();
        var result = new Steady(count, toReady, heap, warmUp, refreshes, window, calls, peakRss(operator.pid()),
            millicores, startupCpu);
        log("steady state: %s", result);
        return result;
      } finally {
        informer.close();
        operator.close();
      }
    }
  }

  /**
   * One full status refresh: right after a listing pass ends, every backup's size changes in AWS; the next pass
   * carries it to every object. Timed from the first page AWS admitted to the last object the API shows refreshed,
   * and split there at the last page: the pages go at the quota, the status writes run alongside.
   */
  Refresh fullRefresh(int port, DynamoDbEmulator emulator, SharedIndexInformer<DynamoBackup> informer,
      List<String> arns, long size) throws Exception {
    double passes = metric(port, "dynamobackup_listing_pass_seconds_count");
    await("a listing pass to end", STEADY_RESYNC.plusMinutes(2), () ->
        metric(port, "dynamobackup_listing_pass_seconds_count") > passes);
    Map<String, Instant> refreshed = new ConcurrentHashMap<>();
    ResourceEventHandler<DynamoBackup> watch = new ResourceEventHandler<>() {
      @Override
      public void onAdd(DynamoBackup backup) {
        onUpdate(backup, backup);
      }

      @Override
      public void onUpdate(DynamoBackup before, DynamoBackup backup) {
        if (Long.valueOf(size).equals(backup.getStatus().backupDescription.backupDetails.backupSizeBytes)) {
          refreshed.putIfAbsent(backup.getMetadata().getName(), Instant.now());
        }
      }

      @Override
      public void onDelete(DynamoBackup backup, boolean unknownFinalState) {
      }
    };
    informer.addEventHandler(watch);
    try {
      arns.forEach(arn -> emulator.setBackupSize(REGION, arn, size));
      int listed = emulator.calls("ListBackups");
      int admittedBefore = emulator.admitted("ListBackups").size();
      await("a listing pass to start", STEADY_RESYNC.plusMinutes(1), () -> emulator.calls("ListBackups") > listed);
      await("every object refreshed", Duration.ofMinutes(5), () -> refreshed.size() == arns.size());
      int pages = emulator.calls("ListBackups") - listed;
      List<Instant> admitted = emulator.admitted("ListBackups");
      Instant firstPage = admitted.get(admittedBefore);
      Instant lastPage = admitted.get(admitted.size() - 1);
      Instant lastWrite = refreshed.values().stream().max(Instant::compareTo).orElseThrow();
      var refresh = new Refresh(Duration.between(firstPage, lastWrite), Duration.between(firstPage, lastPage),
          Duration.between(lastPage, lastWrite), pages, pages - (admitted.size() - admittedBefore));
      log("steady state: %s", refresh);
      return refresh;
    } finally {
      informer.removeEventHandler(watch);
    }
  }

  /** Backups in the emulator, and DynamoBackups in the API as an earlier operator run left them: AVAILABLE. */
  static List<String> seed(KubernetesClient client, DynamoDbEmulator emulator, int count) throws Exception {
    List<String> arns = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> writes = new ArrayList<>();
      long epochMillis = Instant.now().minus(Duration.ofDays(1)).toEpochMilli();
      for (int i = 0; i < count; i++) {
        String table = String.format(Locale.ROOT, "bench-%04d", i / PER_TABLE);
        String name = String.format(Locale.ROOT, "backup-%05d", i);
        int index = i;
        writes.add(pool.submit(() -> createAvailable(client, emulator, NAMESPACE, Map.of(), name, table, ACCOUNT,
            epochMillis, index)));
      }
      for (Future<String> write : writes) {
        arns.add(write.get());
      }
    } finally {
      pool.shutdown();
    }
    return arns;
  }

  /**
   * One AVAILABLE object as the operator leaves it after CreateBackup: its backup (named as the operator names it)
   * in the emulator, its identity and description in status. Returns the backup's ARN.
   */
  static String createAvailable(KubernetesClient client, DynamoDbEmulator emulator, String namespace,
      Map<String, String> labels, String name, String table, String account, long epochMillis, int index) {
    var backup = new DynamoBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).withLabels(labels)
        .withFinalizers(DynamoBackup.FINALIZER).build());
    backup.setSpec(new DynamoBackupSpec(table));
    var made = client.resource(backup).create();
    String backupName = SpecRules.backupName(made);
    String arn = String.format(Locale.ROOT, "arn:aws:dynamodb:%s:%s:table/%s/backup/%014d-%08x", REGION, account,
        table, epochMillis + index, index);
    emulator.putBackup(arn, backupName);
    Instant created = Instant.ofEpochMilli(epochMillis);
    var status = new DynamoBackupStatus();
    status.backupArn = arn;
    status.backupStatus = "AVAILABLE";
    status.identity = new BackupIdentity(BackupIdentity.Origin.Created, backupName, table, REGION, account);
    status.observedGeneration = made.getMetadata().getGeneration();
    var description = new BackupDescription();
    description.backupDetails = new BackupDescription.BackupDetails();
    description.backupDetails.backupArn = arn;
    description.backupDetails.backupName = backupName;
    description.backupDetails.backupStatus = "AVAILABLE";
    description.backupDetails.backupType = "USER";
    description.backupDetails.backupSizeBytes = 0L;
    description.backupDetails.backupCreationDateTime = created.toString();
    description.sourceTableDetails = new BackupDescription.SourceTableDetails();
    description.sourceTableDetails.tableName = table;
    description.sourceTableDetails.tableArn = arn.substring(0, arn.indexOf("/backup/"));
    status.backupDescription = description;
    Conditions.set(status.conditions, Conditions.READY, true, "Available", "backup " + arn + " is AVAILABLE",
        made.getMetadata().getGeneration(), created);
    made.setStatus(status);
    client.resource(made).updateStatus();
    return arn;
  }

  OperatorProcess operator(Path dir, SandboxCluster cluster, DynamoDbEmulator emulator, int port,
      Map<String, String> extra, Duration resync) throws IOException {
    Map<String, String> env = new HashMap<>(Map.of(
        "KUBECONFIG", cluster.writeKubeconfig(dir.resolve("kubeconfig")).toString(),
        "AWS_REGION", REGION,
        "AWS_ENDPOINT_URL", emulator.endpoint().toString(),
        "AWS_ACCESS_KEY_ID", "bench",
        "AWS_SECRET_ACCESS_KEY", "bench",
        "HEALTH_PORT", Integer.toString(port),
        "HEALTH_BIND_ADDRESS", "127.0.0.1",
        "LEADER_ELECTION", "false",
        "RESYNC_PERIOD", resync.toSeconds() + "s"));
    env.putAll(extra);
    Files.deleteIfExists(dir.resolve("operator.log"));
    return new OperatorProcess(dir, env);
  }

  /** Until the operator's start-up reconciles are over: no AWS call for three seconds. */
  static void awaitQuiet(DynamoDbEmulator emulator) throws InterruptedException {
    int last = -1;
    int quietFor = 0;
    for (int i = 0; i < 600 && quietFor < 6; i++) {
      int now = emulator.operations().stream().mapToInt(emulator::calls).sum();
      quietFor = now == last ? quietFor + 1 : 0;
      last = now;
      Thread.sleep(500);
    }
  }

  long heapAfterGc(OperatorProcess operator, int port) throws Exception {
    var gc = new ProcessBuilder("jcmd", Long.toString(operator.pid()), "GC.run").redirectErrorStream(true).start();
    gc.getInputStream().readAllBytes();
    gc.waitFor();
    return (long) metricSum(port, "jvm_memory_used_bytes{area=\"heap\"");
  }

  /** A metric, or -1 while the endpoint does not answer. */
  /** Percentiles of the gaps between consecutive calls, to see where a rate below the quota comes from. */
  static String gaps(List<Instant> times) {
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < times.size(); i++) {
      gaps.add(Duration.between(times.get(i - 1), times.get(i)).toMillis());
    }
    if (gaps.isEmpty()) {
      return "none";
    }
    gaps.sort(null);
    return String.format(Locale.ROOT, "p10 %d ms, p50 %d ms, p90 %d ms, p99 %d ms, max %d ms, over 200 ms: %d",
        gaps.get(gaps.size() / 10), gaps.get(gaps.size() / 2), gaps.get(gaps.size() * 9 / 10),
        gaps.get(gaps.size() * 99 / 100), gaps.get(gaps.size() - 1), gaps.stream().filter(g -> g > 200).count());
  }

  /** Calls per ten seconds from the first one: where in the run a rate below the quota was lost. */
  static List<Integer> perTenSeconds(List<Instant> times) {
    List<Integer> counts = new ArrayList<>();
    for (Instant time : times) {
      int bin = (int) (Duration.between(times.get(0), time).toMillis() / 10_000);
      while (counts.size() <= bin) {
        counts.add(0);
      }
      counts.set(bin, counts.get(bin) + 1);
    }
    return counts;
  }

  /** User plus system CPU time of a process so far, from /proc (Linux). */
  static double cpuSeconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0; // utime, stime in clock ticks
  }

  /** The peak resident set size of a process (VmHWM), from /proc (Linux). */
  static long peakRss(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
        .filter(l -> l.startsWith("VmHWM:"))
        .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElse(-1);
  }

  double metric(int port, String name) {
    try {
      return metricSum(port, name);
    } catch (Exception e) {
      return -1;
    }
  }

  /** The sum of all samples whose line starts with {@code prefix}. */
  double metricSum(int port, String prefix) throws Exception {
    String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    return body.lines().filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  void awaitReady(int port, Duration timeout) throws InterruptedException {
    await("/readyz", timeout, () -> {
      try {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    });
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  static int freePort() throws IOException {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[bench %s] %s%n", Instant.now().toString().substring(11, 19),
        String.format(Locale.ROOT, format, args));
  }

  /** The run with the median time to the last finalizer. */
  static MassDelete median(List<MassDelete> runs) {
    return runs.stream().sorted(Comparator.comparing(MassDelete::toLastFinalizer)).toList()
        .get(runs.size() / 2);
  }

  static String report(List<MassDelete> limitedRuns, List<MassDelete> naiveRuns, Steady steady, Duration total) {
    MassDelete limited = median(limitedRuns);
    MassDelete naive = median(naiveRuns);
    double speedup = naive.toLastFinalizer().toMillis() / (double) limited.toLastFinalizer().toMillis();
    var out = new StringBuilder();
    out.append("# Throughput benchmark (issue #9)\n\n");
    out.append(String.format(Locale.ROOT, "Run %s, %s in total, by `mvn -B -Pbench -DskipTests verify`. Real quotas"
        + " (time scale 1:1): the emulator enforces DeleteBackup 10/s, DescribeBackup 10/s, ListBackups 5/s,"
        + " CreateBackup 50/s per region over any one-second window; the operator is the jar in its own JVM.%n%n",
        Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), human(total)));
    out.append(String.format(Locale.ROOT, "Machine: %d cores; load average at the end of the run: %s (timing figures"
        + " suffer when other work shares the cores).%n%n", Runtime.getRuntime().availableProcessors(), loadAverage()));
    out.append("## 1. Mass delete\n\n");
    out.append(String.format(Locale.ROOT, "Each mode ran %d times, alternating; the targets are judged on each"
        + " mode's median run (by time to the last finalizer), marked *.%n%n", limitedRuns.size()));
    out.append("| mode | run | objects | DeleteBackup rate | share of quota | DeleteBackup calls | throttled | time to"
        + " last finalizer |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (List<MassDelete> runs : List.of(limitedRuns, naiveRuns)) {
      for (int i = 0; i < runs.size(); i++) {
        MassDelete run = runs.get(i);
        out.append(String.format(Locale.ROOT, "| %s | %d%s | %d | %.2f/s | %.3f | %d | %d (%.2f %%) | %s |%n",
            run.mode(), i + 1, run == limited || run == naive ? " *" : "", run.objects(), run.achievedRate(),
            run.quotaShare(), run.calls(), run.throttled(), 100 * run.throttledShare(),
            human(run.toLastFinalizer())));
      }
    }
    out.append(String.format(Locale.ROOT, "%nSpeed-up to the last finalizer, median against median: %.2fx (each"
        + " naive run against the median limited run: %s).%n%n", speedup, naiveRuns.stream()
        .map(n -> String.format(Locale.ROOT, "%.2fx", n.toLastFinalizer().toMillis()
            / (double) limited.toLastFinalizer().toMillis()))
        .collect(java.util.stream.Collectors.joining(", "))));
    out.append("## 2. Steady state\n\n| figure | value |\n|---|---:|\n");
    out.append(String.format(Locale.ROOT, "| AVAILABLE objects | %d |%n", steady.objects()));
    out.append(String.format(Locale.ROOT, "| time to ready (process start to /readyz 200) | %s |%n",
        human(steady.toReady())));
    out.append(String.format(Locale.ROOT, "| heap used after GC | %d MiB |%n", steady.heapBytes() >> 20));
    out.append(String.format(Locale.ROOT, "| peak resident memory of the process (-Xmx1g) | %d MiB |%n",
        steady.peakRssBytes() >> 20));
    out.append(String.format(Locale.ROOT, "| CPU from start to ready | %.1f s |%n", steady.startupCpuSeconds()));
    out.append(String.format(Locale.ROOT, "| CPU in steady state | %.0f millicores |%n", steady.steadyMillicores()));
    out.append(String.format(Locale.ROOT, "| the first full status refresh after the start (the write path cold; not"
        + " judged) | %s (%s + %s) |%n", human(steady.warmUp().total()), human(steady.warmUp().paging()),
        human(steady.warmUp().writeTail())));
    for (int i = 0; i < steady.refreshes().size(); i++) {
      Refresh refresh = steady.refreshes().get(i);
      out.append(String.format(Locale.ROOT, "| full status refresh %d (first ListBackups page to last object"
          + " updated: pages, then status writes after the last page) | %s (%s + %s) |%n", i + 1,
          human(refresh.total()), human(refresh.paging()), human(refresh.writeTail())));
      out.append(String.format(Locale.ROOT, "| ListBackups pages in refresh %d (throttled) | %d (%d) |%n", i + 1,
          refresh.pages(), refresh.throttledPages()));
    }
    out.append(String.format(Locale.ROOT, "| AWS calls per object per hour, measured (RESYNC_PERIOD=%ds, %ds"
        + " window) | %.3f |%n", STEADY_RESYNC.toSeconds(), steady.window().toSeconds(),
        steady.callsPerObjectHour()));
    out.append(String.format(Locale.ROOT, "| AWS calls per object per hour at the default RESYNC_PERIOD=10m |"
        + " %.3f |%n%n", steady.callsPerObjectHourAtDefaultResync()));
    out.append("## Targets\n\n| target | result |\n|---|---|\n");
    target(out, "mass delete ≥ 0.97 of the DeleteBackup quota", limited.quotaShare() >= 0.97);
    target(out, "mass delete ≤ 0.5 % throttled", limited.throttledShare() <= 0.005);
    target(out, "mass delete ≥ 2x faster than naive", speedup >= 2);
    target(out, "every full refresh ≤ 22 s", steady.slowest().total().compareTo(Duration.ofSeconds(22)) <= 0);
    target(out, "≤ 1 AWS call per AVAILABLE backup per hour", steady.callsPerObjectHour() <= 1);
    target(out, "heap ≤ 512 MiB", steady.heapBytes() <= 512L << 20);
    target(out, "ready ≤ 60 s", steady.toReady().compareTo(Duration.ofSeconds(60)) <= 0);
    return out.toString();
  }

  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " / " + fields[1] + " / " + fields[2] + " (1 / 5 / 15 min)";
    } catch (IOException e) {
      return "unknown";
    }
  }

  static void target(StringBuilder out, String target, boolean met) {
    out.append("| ").append(target).append(" | ").append(met ? "met" : "NOT met").append(" |\n");
  }

  static String human(Duration duration) {
    return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
  }
}
