package io.dynamobackup.operator.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process emulator of DynamoDB's backup API (AWS JSON 1.0 over HTTP on loopback), used through the real AWS
 * SDK client. It adds what moto lacks: a CREATING phase of configurable length, ListBackups pagination and
 * filters, fault injection, latency, and per-operation quotas answered with LimitExceededException; and restores
 * that take time, during which DeleteBackup of their backup answers BackupInUseException. Point-in-time recovery
 * follows AWS's documented behaviour where moto's differs: RestoreTableToPointInTime refuses a source without it
 * (PointInTimeRecoveryUnavailableException) and a time outside the window (InvalidRestoreTimeException), and the
 * RestoreSummary's RestoreDateTime is the point in time restored (moto writes the time of the restore). The window
 * runs from enabling to now (AWS's latest restorable time lags about five minutes); items are not kept.
 *
 * <p>State is kept per account and region: the region from the request's SigV4 credential scope, the account from its
 * access key. STS AssumeRole (at the same endpoint, as AWS_ENDPOINT_URL sends it) hands out keys that act in the
 * role's account, as moto does; any other key acts in {@link #ACCOUNT}. Quotas therefore hold per account and region,
 * as AWS's do, and every call is recorded with its account and key. Permissions are not emulated: a call naming a
 * backup by ARN reaches it in the ARN's account (an adoption of another account's backup works as it did).
 */
public final class DynamoDbEmulator implements AutoCloseable {

  public static final String ACCOUNT = "123456789012";
  /** The documented per-account, per-region quotas in calls per second. */
  public static final Map<String, Integer> DOCUMENTED_QUOTAS =
      Map.of("DeleteBackup", 10, "DescribeBackup", 10, "ListBackups", 5, "CreateBackup", 50);

  private static final String TARGET_PREFIX = "DynamoDB_20120810.";
  private static final Pattern SCOPE = Pattern.compile("Credential=([^/]+)/\\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/");
  private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::(\\d{12}):role/([\\w+=,.@/-]{1,512})");
  private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");
  private static final Duration SESSION_DURATION = Duration.ofHours(1);
  private static final Pattern BACKUP_NAME = Pattern.compile("[a-zA-Z0-9_.-]{3,255}");
  private static final Pattern BACKUP_ARN =
      Pattern.compile("arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):(\\d{12}):table/([a-zA-Z0-9_.-]+)/backup/[0-9a-z-]+");
  private static final Pattern TABLE_ARN = Pattern.compile("arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\\d{12}:table/([^/]+)");
  private static final Set<String> STREAM_VIEW_TYPES = Set.of("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES",
      "KEYS_ONLY");
  private static final int DEFAULT_PAGE_SIZE = 100;

  private final ObjectMapper json = new ObjectMapper();
  private final HttpServer server;
  private final ExecutorService executor;
  private final Clock clock;
  /** By account and region ("ACCOUNT/REGION"). */
  private final Map<String, RegionState> regions = new ConcurrentHashMap<>();
  /** The account each access key handed out by AssumeRole acts in. */
  private final Map<String, String> sessionAccounts = new ConcurrentHashMap<>();
  private final Map<String, Deque<String>> injectedFaults = new ConcurrentHashMap<>();
  private final Map<String, Deque<String>> afterFaults = new ConcurrentHashMap<>();
  private final Map<String, Duration> latencies = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> subjectFaults = new ConcurrentHashMap<>();
  private volatile RandomFaults randomFaults = RandomFaults.NONE;
  private final Map<String, AtomicInteger> randomFaultCounts = new ConcurrentHashMap<>();
  private final Object randomLock = new Object();
  private Random random = new Random(0);
  private RandomFaults seededFor = RandomFaults.NONE;
  private final Map<String, Integer> quotas = new ConcurrentHashMap<>();
  private final Map<String, List<Call>> calls = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> throttledAnswers = new ConcurrentHashMap<>();
  private final Map<String, Queue<Call>> admitted = new ConcurrentHashMap<>();
  private volatile Duration creatingDuration = Duration.ZERO;
  private volatile Duration restoringDuration = Duration.ZERO;

  private DynamoDbEmulator(HttpServer server, Clock clock) {
    this.server = server;
    this.clock = clock;
    this.executor = Executors.newFixedThreadPool(16, r -> {
      var thread = new Thread(r, "dynamodb-emulator");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts on a loopback port; 0 picks a free one. */
  public static DynamoDbEmulator start(int port) {
    return start(port, Clock.systemUTC());
  }

  public static DynamoDbEmulator start(int port, Clock clock) {
    try {
      var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
      return new DynamoDbEmulator(server, clock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the DynamoDB emulator on port " + port, e);
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  // ---- knobs for tests, the sandbox and benchmarks ----

  /** How long a new backup stays CREATING before it is AVAILABLE (zero: AVAILABLE at once, as moto does). */
  public DynamoDbEmulator creatingDuration(Duration duration) {
    this.creatingDuration = duration;
    return this;
  }

  /** How long a table restored from a backup stays CREATING, with RestoreInProgress, before it is ACTIVE. */
  public DynamoDbEmulator restoringDuration(Duration duration) {
    this.restoringDuration = duration;
    return this;
  }

  /** The next {@code times} calls of {@code operation} answer {@code errorCode} (e.g. BackupInUseException). */
  public DynamoDbEmulator failNext(String operation, String errorCode, int times) {
    var queue = injectedFaults.computeIfAbsent(operation, k -> new ArrayDeque<>());
    synchronized (queue) {
      for (int i = 0; i < times; i++) {
        queue.add(errorCode);
      }
    }
    return this;
  }

  /**
   * The next {@code times} calls of {@code operation} take effect, and then answer {@code errorCode} instead of
   * their result: a 5xx after the fact, as a server or a gateway may give it ("HTTP502": a code-less 502).
   */
  public DynamoDbEmulator failAfterActing(String operation, String errorCode, int times) {
    var queue = afterFaults.computeIfAbsent(operation, k -> new ArrayDeque<>());
    synchronized (queue) {
      for (int i = 0; i < times; i++) {
        queue.add(errorCode);
      }
    }
    return this;
  }

  /** Every call of {@code operation} naming {@code subject} (a table or backup ARN) answers {@code errorCode}. */
  public DynamoDbEmulator failFor(String operation, String subject, String errorCode) {
    subjectFaults.computeIfAbsent(operation, k -> new ConcurrentHashMap<>()).put(subject, errorCode);
    return this;
  }

  /**
   * Faults at random, per call, of every operation: each call draws one number from a seeded Random, so that a run
   * is reproducible as far as thread scheduling allows. {@link RandomFaults#NONE} stops them.
   */
  public DynamoDbEmulator randomFaults(RandomFaults faults) {
    randomFaults = faults;
    return this;
  }

  /** How many random faults of each kind were injected (InternalServerError, ServiceUnavailable, ..., Slow, Timeout). */
  public Map<String, Integer> randomFaultCounts() {
    var counts = new TreeMap<String, Integer>();
    randomFaultCounts.forEach((kind, count) -> counts.put(kind, count.get()));
    return counts;
  }

  /**
   * Probabilities per call of: a 500 InternalServerError, a 503 ServiceUnavailable, a LimitExceededException, a slow
   * answer ({@code slowLatency}), and an answer later than the client's call timeout ({@code timeoutLatency}).
   */
  public record RandomFaults(long seed, double internalServerError, double serviceUnavailable,
      double limitExceeded, double slow, Duration slowLatency, double timeout, Duration timeoutLatency) {

    public static final RandomFaults NONE = new RandomFaults(0, 0, 0, 0, 0, Duration.ZERO, 0, Duration.ZERO);

    /** The fault of one call, or null: the probabilities are stacked on one uniform draw. */
    String draw(double uniform) {
      double bound = internalServerError;
      if (uniform < bound) {
        return "InternalServerError";
      }
      if (uniform < (bound += serviceUnavailable)) {
        return "ServiceUnavailable";
      }
      if (uniform < (bound += limitExceeded)) {
        return "LimitExceededException";
      }
      if (uniform < (bound += slow)) {
        return "Slow";
      }
      return uniform < bound + timeout ? "Timeout" : null;
    }
  }

  public DynamoDbEmulator latency(String operation, Duration latency) {
    latencies.put(operation, latency);
    return this;
  }

  /** Above {@code callsPerSecond} calls of {@code operation} in any one second, answers LimitExceededException. */
  public DynamoDbEmulator quota(String operation, int callsPerSecond) {
    quotas.put(operation, callsPerSecond);
    return this;
  }

  public DynamoDbEmulator enforceDocumentedQuotas() {
    quotas.putAll(DOCUMENTED_QUOTAS);
    return this;
  }

  /**
   * One request as received: when, which operation, the table name or backup ARN it named (a restore: both, ARN
   * first; AssumeRole: the role), the account it acted in, and the access key that signed it (who called).
   */
  public record Call(Instant at, String operation, String subject, String account, String accessKeyId) {}

  /** Number of requests of an operation received so far, answered or failed. */
  public int calls(String operation) {
    return calls.getOrDefault(operation, List.of()).size();
  }

  /** The requests of an operation whose table name or backup ARN contains {@code subject}. */
  public List<Call> calls(String operation, String subject) {
    return calls.getOrDefault(operation, List.of()).stream()
        .filter(call -> call.subject() != null && call.subject().contains(subject))
        .toList();
  }

  /** Every request received so far, of every operation, answered or failed; in order per operation. */
  public List<Call> callLog() {
    return calls.values().stream().flatMap(List::stream).toList();
  }

  /** The names of all operations received so far (CreateBackup, DescribeBackup, ...), answered or failed. */
  public Set<String> operations() {
    return new TreeSet<>(calls.keySet());
  }

  public int throttledAnswers() {
    return throttledAnswers.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** Requests of one account answered LimitExceededException by its quotas. */
  public int throttledAnswers(String account) {
    return Optional.ofNullable(throttledAnswers.get(account)).map(AtomicInteger::get).orElse(0);
  }

  /** When the requests of an operation that the quota let through arrived (faults and errors included). */
  public List<Instant> admitted(String operation) {
    return admitted.getOrDefault(operation, new ConcurrentLinkedQueue<>()).stream().map(Call::at).toList();
  }

  /** The same, of one account. */
  public List<Instant> admitted(String operation, String account) {
    return admitted.getOrDefault(operation, new ConcurrentLinkedQueue<>()).stream()
        .filter(call -> call.account().equals(account)).map(Call::at).toList();
  }

  public void resetCounters() {
    calls.clear();
    admitted.clear();
    throttledAnswers.clear();
  }

  /** Creates an ACTIVE table directly, as CreateTable would, unless one of that name exists. */
  public void createTable(String region, String tableName) {
    createTable(ACCOUNT, region, tableName);
  }

  /** The same, in another account. */
  public void createTable(String account, String region, String tableName) {
    var state = state(account, region);
    ObjectNode request = json.createObjectNode().put("TableName", tableName).put("BillingMode", "PAY_PER_REQUEST");
    request.putArray("KeySchema").addObject().put("AttributeName", "id").put("KeyType", "HASH");
    request.putArray("AttributeDefinitions").addObject().put("AttributeName", "id").put("AttributeType", "S");
    synchronized (state) { // one check-and-create: callers may seed a table from several threads
      if (!state.tables.containsKey(tableName)) {
        state.createTable(request);
      }
    }
  }

  /** Turns point-in-time recovery on for a table, as UpdateContinuousBackups would; its window starts now. */
  public void enablePointInTimeRecovery(String region, String tableName) {
    var state = state(ACCOUNT, region);
    synchronized (state) {
      state.table(tableName);
      state.recoverySince.putIfAbsent(tableName, clock.instant());
    }
  }

  /**
   * An AVAILABLE backup under the given ARN, as one made outside the operator (console, CLI) would be: what
   * spec.backupArn adopts. Its region and table come from the ARN; the table is created if missing.
   */
  public void putBackup(String backupArn) {
    putBackup(backupArn, backupArn.substring(backupArn.lastIndexOf('/') + 1));
  }

  /** As {@link #putBackup(String)}, the backup named {@code backupName} (what CreateBackup was called with). */
  public void putBackup(String backupArn, String backupName) {
    Matcher arn = BACKUP_ARN.matcher(backupArn);
    if (!arn.matches()) {
      throw new IllegalArgumentException("not a DynamoDB backup ARN: " + backupArn);
    }
    String region = arn.group(1);
    String tableName = arn.group(3);
    createTable(arn.group(2), region, tableName);
    var state = state(arn.group(2), region);
    synchronized (state) {
      // the source table as the ARN names it, so that its account shows in SourceTableDetails too
      ObjectNode table = state.tables.get(tableName).deepCopy()
          .put("TableArn", backupArn.substring(0, backupArn.indexOf("/backup/")));
      state.backups.putIfAbsent(backupArn, new Backup(backupArn, backupName, table,
          clock.instant().minus(creatingDuration)));
    }
  }

  /** The ARNs of all backups in a region that still exist, in every account, oldest first. */
  public List<String> backupArns(String region) {
    List<Backup> all = new ArrayList<>();
    regions.values().stream().filter(state -> state.region.equals(region)).forEach(state -> {
      synchronized (state) {
        all.addAll(state.backups.values());
      }
    });
    return all.stream().sorted(Comparator.comparing((Backup b) -> b.createdAt).thenComparing(b -> b.arn))
        .map(b -> b.arn).toList();
  }

  /** The same, in one account only. */
  public List<String> backupArns(String account, String region) {
    var state = state(account, region);
    synchronized (state) {
      return state.backups.values().stream().map(b -> b.arn).toList();
    }
  }

  /** Deletes a backup behind the operator's back (an out-of-band change). */
  public boolean deleteOutOfBand(String region, String backupArn) {
    var state = state(accountOf(backupArn), region);
    synchronized (state) {
      return state.backups.remove(backupArn) != null;
    }
  }

  public void setBackupSize(String region, String backupArn, long bytes) {
    var state = state(accountOf(backupArn), region);
    synchronized (state) {
      Optional.ofNullable(state.backups.get(backupArn)).ifPresent(b -> b.sizeBytes = bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  // ---- HTTP ----

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Matcher scope = SCOPE.matcher(Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization"))
          .orElse(""));
      boolean signed = scope.find();
      String accessKeyId = signed ? scope.group(1) : "";
      String region = signed ? scope.group(2) : "us-east-1";
      if (signed && scope.group(3).equals("sts")) {
        handleSts(exchange, accessKeyId);
        return;
      }
      String account = sessionAccounts.getOrDefault(accessKeyId, ACCOUNT);
      String target = Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Amz-Target")).orElse("");
      String operation = target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length()) : target;
      JsonNode request = json.readTree(exchange.getRequestBody().readAllBytes());
      Instant now = clock.instant();
      String subject = request == null ? null : request.path("BackupArn").asText(request.path("TableName")
          .asText(request.path("SourceTableName").asText(request.path("ResourceArn").asText(null))));
      if (request != null && request.has("TargetTableName")) {
        subject = subject + " " + request.path("TargetTableName").asText();
      }
      var call = new Call(now, operation, subject, account, accessKeyId);
      calls.computeIfAbsent(operation, k -> new CopyOnWriteArrayList<>()).add(call);
      pause(latencies.get(operation));
      String randomFault = drawRandomFault();

      Answer answer;
      try {
        rejectIfRandomFault(randomFault);
        rejectIfSubjectFault(operation, subject);
        rejectIfFaultOrOverQuota(call, region);
        String owner = request != null && request.hasNonNull("BackupArn")
            ? accountOf(request.get("BackupArn").asText()) : account;
        answer = new Answer(200, dispatch(operation, state(owner, region),
            request == null ? json.createObjectNode() : request));
        rejectIfAfterFault(operation);
      } catch (ApiError error) {
        answer = new Answer(error.status, error.body(json));
      }
      byte[] body = json.writeValueAsBytes(answer.body);
      exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
      exchange.getResponseHeaders().add("x-amzn-RequestId", UUID.randomUUID().toString());
      exchange.sendResponseHeaders(answer.status, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  private record Answer(int status, JsonNode body) {}

  private String drawRandomFault() {
    RandomFaults faults = randomFaults;
    if (faults == RandomFaults.NONE) {
      return null;
    }
    String fault;
    synchronized (randomLock) {
      if (seededFor != faults) {
        random = new Random(faults.seed());
        seededFor = faults;
      }
      fault = faults.draw(random.nextDouble());
    }
    if (fault != null) {
      randomFaultCounts.computeIfAbsent(fault, k -> new AtomicInteger()).incrementAndGet();
      // slow and timed-out calls do what they were asked, late: the client may never see the answer
      pause(fault.equals("Slow") ? faults.slowLatency() : fault.equals("Timeout") ? faults.timeoutLatency() : null);
    }
    return fault;
  }

  private static void rejectIfRandomFault(String fault) {
    if (fault != null && !fault.equals("Slow") && !fault.equals("Timeout")) {
      throw ApiError.injected(fault);
    }
  }

  private void rejectIfAfterFault(String operation) {
    var faults = afterFaults.get(operation);
    if (faults != null) {
      String fault;
      synchronized (faults) {
        fault = faults.poll();
      }
      if (fault != null) {
        throw ApiError.injected(fault);
      }
    }
  }

  private void rejectIfSubjectFault(String operation, String subject) {
    var faults = subjectFaults.get(operation);
    if (faults != null && subject != null) {
      faults.forEach((named, code) -> {
        if (subject.contains(named)) {
          throw ApiError.injected(code);
        }
      });
    }
  }

  private void rejectIfFaultOrOverQuota(Call call, String region) {
    String operation = call.operation();
    var faults = injectedFaults.get(operation);
    if (faults != null) {
      String fault;
      synchronized (faults) {
        fault = faults.poll();
      }
      if (fault != null) {
        throw ApiError.injected(fault);
      }
    }
    Integer quota = quotas.get(operation);
    if (quota != null && !state(call.account(), region).admit(operation, quota, call.at())) {
      throttledAnswers.computeIfAbsent(call.account(), k -> new AtomicInteger()).incrementAndGet();
      throw new ApiError(400, "LimitExceededException",
          "Rate of requests exceeds the allowed throughput for " + operation);
    }
    admitted.computeIfAbsent(operation, k -> new ConcurrentLinkedQueue<>()).add(call);
  }

  private JsonNode dispatch(String operation, RegionState state, JsonNode request) {
    synchronized (state) {
      return switch (operation) {
        case "CreateTable" -> json.createObjectNode().set("TableDescription", state.createTable(request));
        case "DescribeTable" -> json.createObjectNode().set("Table", state.describeTable(text(request,
            "TableName")));
        case "DeleteTable" -> json.createObjectNode().set("TableDescription", state.deleteTable(text(request,
            "TableName")));
        case "UpdateTimeToLive" -> state.updateTimeToLive(request);
        case "DescribeTimeToLive" -> state.describeTimeToLive(text(request, "TableName"));
        case "UpdateTable" -> json.createObjectNode().set("TableDescription", state.updateTable(request));
        case "UpdateContinuousBackups" -> state.updateContinuousBackups(request);
        case "DescribeContinuousBackups" -> state.continuousBackups(text(request, "TableName"));
        case "RestoreTableToPointInTime" -> json.createObjectNode().set("TableDescription",
            state.restoreToPointInTime(request));
        case "TagResource" -> state.tag(request);
        case "ListTagsOfResource" -> state.listTags(text(request, "ResourceArn"));
        case "CreateBackup" -> json.createObjectNode().set("BackupDetails", state.createBackup(request).details());
        case "DescribeBackup" -> json.createObjectNode().set("BackupDescription",
            state.backup(text(request, "BackupArn")).description());
        case "DeleteBackup" -> json.createObjectNode().set("BackupDescription", state.deleteBackup(text(request,
            "BackupArn")));
        case "ListBackups" -> state.listBackups(request);
        case "RestoreTableFromBackup" -> json.createObjectNode().set("TableDescription",
            state.restoreTable(request));
        default -> throw new ApiError(400, "UnknownOperationException", "operation not emulated: " + operation);
      };
    }
  }

  private RegionState state(String account, String region) {
    return regions.computeIfAbsent(account + "/" + region, k -> new RegionState(account, region));
  }

  private static String accountOf(String backupArn) {
    Matcher arn = BACKUP_ARN.matcher(backupArn);
    return arn.matches() ? arn.group(2) : ACCOUNT;
  }

  // ---- STS ----

  /**
   * STS AssumeRole (the query protocol: a form in, XML out): temporary credentials whose key acts in the role's
   * account from then on. Any caller may assume any role; trust policies are not emulated.
   */
  private void handleSts(HttpExchange exchange, String callerKeyId) throws IOException {
    Map<String, String> form = new HashMap<>();
    for (String pair : new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
      String[] kv = pair.split("=", 2);
      form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
    }
    String action = form.getOrDefault("Action", "");
    if (action.equals("GetCallerIdentity")) {
      // needs no IAM permission, so it is not among the recorded calls
      answerSts(exchange, 200, callerIdentity(sessionAccounts.getOrDefault(callerKeyId, ACCOUNT)));
      return;
    }
    String roleArn = form.getOrDefault("RoleArn", "");
    Instant now = clock.instant();
    calls.computeIfAbsent(action, k -> new CopyOnWriteArrayList<>()).add(new Call(now, action, roleArn,
        sessionAccounts.getOrDefault(callerKeyId, ACCOUNT), callerKeyId));
    Matcher role = ROLE_ARN.matcher(roleArn);
    String session = form.getOrDefault("RoleSessionName", "");
    String xml;
    int status;
    if (!action.equals("AssumeRole")) {
      status = 400;
      xml = stsError("InvalidAction", "action not emulated: " + action);
    } else if (!role.matches() || !SESSION_NAME.matcher(session).matches()) {
      status = 400;
      xml = stsError("ValidationError", "RoleArn must be a role ARN and RoleSessionName 2-64 characters");
    } else {
      String keyId = "ASIA" + randomAlphanumeric(16);
      sessionAccounts.put(keyId, role.group(1));
      status = 200;
      xml = "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
          + "<Credentials><AccessKeyId>" + keyId + "</AccessKeyId><SecretAccessKey>" + randomAlphanumeric(40)
          + "</SecretAccessKey><SessionToken>" + randomAlphanumeric(64) + "</SessionToken><Expiration>"
          + now.plus(SESSION_DURATION).truncatedTo(ChronoUnit.SECONDS) + "</Expiration></Credentials>"
          + "<AssumedRoleUser><AssumedRoleId>AROA" + randomAlphanumeric(16) + ":" + session + "</AssumedRoleId>"
          + "<Arn>arn:aws:sts::" + role.group(1) + ":assumed-role/" + role.group(2) + "/" + session + "</Arn>"
          + "</AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>" + UUID.randomUUID()
          + "</RequestId></ResponseMetadata></AssumeRoleResponse>";
    }
    answerSts(exchange, status, xml);
  }

  private static void answerSts(HttpExchange exchange, int status, String xml) throws IOException {
    byte[] body = xml.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "text/xml");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  private static String callerIdentity(String account) {
    return "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>"
        + "<Arn>arn:aws:iam::" + account + ":user/emulator</Arn><UserId>AIDAEMULATOR</UserId><Account>" + account
        + "</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>" + UUID.randomUUID()
        + "</RequestId></ResponseMetadata></GetCallerIdentityResponse>";
  }

  private static String stsError(String code, String message) {
    return "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>"
        + code + "</Code><Message>" + message.replace("&", "&amp;").replace("<", "&lt;") + "</Message></Error>"
        + "<RequestId>" + UUID.randomUUID() + "</RequestId></ErrorResponse>";
  }

  private static String randomAlphanumeric(int length) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    var out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
    }
    return out.toString();
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isEmpty()) {
      throw new ApiError(400, "ValidationException", field + " is required");
    }
    return value.asText();
  }

  private static String tableNameOf(String tableArn) {
    Matcher matcher = TABLE_ARN.matcher(tableArn);
    if (!matcher.matches()) {
      throw new ApiError(400, "ValidationException", "Invalid table ARN: " + tableArn);
    }
    return matcher.group(1);
  }

  private static double epochSeconds(Instant instant) {
    return instant.toEpochMilli() / 1000.0;
  }

  private static void pause(Duration latency) {
    if (latency == null || latency.isZero()) {
      return;
    }
    try {
      TimeUnit.MILLISECONDS.sleep(latency.toMillis()); // emulated service latency, not a wait for a condition
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- state of one region ----

  private final class RegionState {
    final String account;
    final String region;
    final Map<String, ObjectNode> tables = new HashMap<>();
    final Map<String, Backup> backups = new LinkedHashMap<>();
    /** Restored tables by name: where they came from and when. */
    final Map<String, Restore> restores = new HashMap<>();
    /** Tables with point-in-time recovery, by name: since when (the earliest restorable time). */
    final Map<String, Instant> recoverySince = new HashMap<>();
    final Map<String, Map<String, String>> tags = new HashMap<>();
    final Map<String, Deque<Instant>> admitted = new HashMap<>();

    RegionState(String account, String region) {
      this.account = account;
      this.region = region;
    }

    synchronized boolean admit(String operation, int perSecond, Instant now) {
      Deque<Instant> window = admitted.computeIfAbsent(operation, k -> new ArrayDeque<>());
      while (!window.isEmpty() && !window.peekFirst().isAfter(now.minusSeconds(1))) {
        window.pollFirst();
      }
      if (window.size() >= perSecond) {
        return false;
      }
      window.addLast(now);
      return true;
    }

    ObjectNode createTable(JsonNode request) {
      String name = text(request, "TableName");
      if (tables.containsKey(name)) {
        throw new ApiError(400, "ResourceInUseException", "Table already exists: " + name);
      }
      ObjectNode table = json.createObjectNode();
      table.put("TableName", name)
          .put("TableId", UUID.randomUUID().toString())
          .put("TableArn", "arn:aws:dynamodb:" + region + ":" + account + ":table/" + name)
          .put("TableStatus", "ACTIVE")
          .put("CreationDateTime", epochSeconds(clock.instant()))
          .put("ItemCount", 0)
          .put("TableSizeBytes", 0)
          .put("DeletionProtectionEnabled", request.path("DeletionProtectionEnabled").asBoolean(false));
      table.set("KeySchema", request.path("KeySchema"));
      table.set("AttributeDefinitions", request.path("AttributeDefinitions"));
      String billingMode = request.path("BillingMode").asText("PROVISIONED");
      table.putObject("BillingModeSummary").put("BillingMode", billingMode);
      table.putObject("ProvisionedThroughput")
          .put("ReadCapacityUnits", request.path("ProvisionedThroughput").path("ReadCapacityUnits").asLong(0))
          .put("WriteCapacityUnits", request.path("ProvisionedThroughput").path("WriteCapacityUnits").asLong(0))
          .put("NumberOfDecreasesToday", 0);
      for (String field : List.of("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification")) {
        if (request.has(field)) {
          table.set(field, request.get(field).deepCopy());
        }
      }
      if (request.path("SSESpecification").path("Enabled").asBoolean(false)) {
        ObjectNode sse = table.putObject("SSEDescription").put("Status", "ENABLED").put("SSEType", "KMS");
        sse.put("KMSMasterKeyArn", request.path("SSESpecification").path("KMSMasterKeyId")
            .asText("arn:aws:kms:" + region + ":" + account + ":key/" + UUID.randomUUID()));
      }
      tables.put(name, table);
      return table;
    }

    ObjectNode table(String name) {
      ObjectNode table = tables.get(name);
      if (table == null) {
        throw new ApiError(400, "ResourceNotFoundException", "Requested resource not found: Table: " + name
            + " not found");
      }
      return table;
    }

    ObjectNode deleteTable(String name) {
      ObjectNode table = describeTable(name);
      if (table.path("TableStatus").asText().equals("CREATING")) {
        throw new ApiError(400, "ResourceInUseException", "Table is being restored: " + name);
      }
      if (table.path("DeletionProtectionEnabled").asBoolean()) {
        throw new ApiError(400, "ValidationException", "Resource cannot be deleted as it is currently protected"
            + " against deletion. Disable deletion protection first.");
      }
      tables.remove(name);
      restores.remove(name);
      recoverySince.remove(name);
      tags.remove(name);
      return table.put("TableStatus", "DELETING");
    }

    /** The table as DescribeTable answers: a restored one is CREATING while its restore runs. */
    ObjectNode describeTable(String name) {
      ObjectNode table = table(name).deepCopy();
      Restore restore = restores.get(name);
      if (restore != null) {
        boolean inProgress = restore.inProgress();
        table.put("TableStatus", inProgress ? "CREATING" : "ACTIVE");
        ObjectNode summary = table.putObject("RestoreSummary");
        if (restore.sourceBackupArn != null) {
          summary.put("SourceBackupArn", restore.sourceBackupArn);
        }
        summary.put("SourceTableArn", restore.sourceTableArn)
            .put("RestoreDateTime", epochSeconds(restore.restoreDateTime))
            .put("RestoreInProgress", inProgress);
      }
      return table;
    }

    /**
     * RestoreTableFromBackup: a new table with the backup's key schema, indexes, billing mode, throughput and
     * encryption, each replaced by its override when one is given. Streams and TTL are not restored, as in AWS.
     */
    ObjectNode restoreTable(JsonNode request) {
      String target = text(request, "TargetTableName");
      if (!BACKUP_NAME.matcher(target).matches()) {
        throw new ApiError(400, "ValidationException", "Invalid TargetTableName: " + target);
      }
      Backup backup = backup(text(request, "BackupArn"));
      if (tables.containsKey(target)) {
        throw new ApiError(400, "TableAlreadyExistsException", "Table already exists: " + target);
      }
      if (backup.status().equals("CREATING")) {
        throw new ApiError(400, "BackupInUseException", "Backup is being created: " + backup.arn);
      }
      ObjectNode source = backup.table;
      restoredTable(target, source, request);
      restores.put(target, new Restore(backup.arn, source.get("TableArn").asText(), clock.instant(),
          clock.instant()));
      return describeTable(target);
    }

    /** A restored table: the source's schema and settings, each replaced by the request's override if given. */
    private void restoredTable(String target, ObjectNode source, JsonNode request) {
      ObjectNode create = json.createObjectNode().put("TableName", target);
      create.set("KeySchema", source.get("KeySchema"));
      create.set("AttributeDefinitions", source.get("AttributeDefinitions"));
      create.put("BillingMode", request.path("BillingModeOverride")
          .asText(source.path("BillingModeSummary").path("BillingMode").asText("PROVISIONED")));
      create.set("ProvisionedThroughput", request.has("ProvisionedThroughputOverride")
          ? request.get("ProvisionedThroughputOverride") : source.get("ProvisionedThroughput"));
      overrideOrKeep(create, "GlobalSecondaryIndexes", request.get("GlobalSecondaryIndexOverride"), source);
      overrideOrKeep(create, "LocalSecondaryIndexes", request.get("LocalSecondaryIndexOverride"), source);
      if (request.has("SSESpecificationOverride")) {
        create.set("SSESpecification", request.get("SSESpecificationOverride"));
      } else if (source.has("SSEDescription")) {
        create.putObject("SSESpecification").put("Enabled", true)
            .put("KMSMasterKeyId", source.path("SSEDescription").path("KMSMasterKeyArn").asText());
      }
      ObjectNode table = createTable(create);
      table.put("ItemCount", source.path("ItemCount").asLong()).put("TableSizeBytes",
          source.path("TableSizeBytes").asLong());
    }

    /**
     * RestoreTableToPointInTime: a new table with the source's key schema, indexes, billing mode, throughput and
     * encryption (each replaced by its override), restored as it was at the requested time, which must lie in the
     * source's restorable window. As AWS, it takes the source by name or ARN, never both.
     */
    ObjectNode restoreToPointInTime(JsonNode request) {
      String target = text(request, "TargetTableName");
      if (!BACKUP_NAME.matcher(target).matches()) {
        throw new ApiError(400, "ValidationException", "Invalid TargetTableName: " + target);
      }
      if (request.has("SourceTableName") == request.has("SourceTableArn")) {
        throw new ApiError(400, "ValidationException", "Exactly one of SourceTableName and SourceTableArn is"
            + " required");
      }
      String sourceName = request.has("SourceTableName") ? text(request, "SourceTableName")
          : tableNameOf(text(request, "SourceTableArn"));
      ObjectNode source = tables.get(sourceName);
      if (source == null || request.has("SourceTableArn")
          && !source.path("TableArn").asText().equals(request.path("SourceTableArn").asText())) {
        throw new ApiError(400, "SourceTableNotFoundException", "Source table not found: " + sourceName);
      }
      boolean latest = request.path("UseLatestRestorableTime").asBoolean(false);
      if (latest == request.has("RestoreDateTime")) {
        throw new ApiError(400, "ValidationException", "Exactly one of RestoreDateTime and UseLatestRestorableTime"
            + " is required");
      }
      if (tables.containsKey(target)) {
        throw new ApiError(400, "TableAlreadyExistsException", "Table already exists: " + target);
      }
      Instant since = recoverySince.get(sourceName);
      if (since == null) {
        throw new ApiError(400, "PointInTimeRecoveryUnavailableException", "Point in time recovery is not enabled"
            + " for table '" + sourceName + "'");
      }
      Instant now = clock.instant();
      Instant point = latest ? now : Instant.ofEpochMilli(Math.round(request.get("RestoreDateTime").asDouble()
          * 1000));
      if (point.isBefore(since) || point.isAfter(now)) {
        throw new ApiError(400, "InvalidRestoreTimeException", "Invalid restore time: restorable window is "
            + since + " to " + now);
      }
      restoredTable(target, source, request);
      restores.put(target, new Restore(null, source.get("TableArn").asText(), point, now));
      return describeTable(target);
    }

    JsonNode continuousBackups(String tableName) {
      if (!tables.containsKey(tableName)) {
        throw new ApiError(400, "TableNotFoundException", "Table not found: " + tableName);
      }
      ObjectNode description = json.createObjectNode();
      ObjectNode continuous = description.putObject("ContinuousBackupsDescription")
          .put("ContinuousBackupsStatus", "ENABLED");
      Instant since = recoverySince.get(tableName);
      ObjectNode pitr = continuous.putObject("PointInTimeRecoveryDescription")
          .put("PointInTimeRecoveryStatus", since == null ? "DISABLED" : "ENABLED");
      if (since != null) {
        pitr.put("RecoveryPeriodInDays", 35)
            .put("EarliestRestorableDateTime", epochSeconds(since))
            .put("LatestRestorableDateTime", epochSeconds(clock.instant()));
      }
      return description;
    }

    JsonNode updateContinuousBackups(JsonNode request) {
      String tableName = text(request, "TableName");
      if (!tables.containsKey(tableName)) {
        throw new ApiError(400, "TableNotFoundException", "Table not found: " + tableName);
      }
      JsonNode enabled = request.path("PointInTimeRecoverySpecification").path("PointInTimeRecoveryEnabled");
      if (!enabled.isBoolean()) {
        throw new ApiError(400, "ValidationException", "PointInTimeRecoveryEnabled is required");
      }
      if (enabled.asBoolean()) {
        recoverySince.putIfAbsent(tableName, clock.instant());
      } else {
        recoverySince.remove(tableName);
      }
      return continuousBackups(tableName);
    }

    /** UpdateTable for deletion protection and streams; as in AWS, a stream's view type changes only off and on. */
    ObjectNode updateTable(JsonNode request) {
      String name = text(request, "TableName");
      ObjectNode table = table(name);
      if (restores.containsKey(name) && restores.get(name).inProgress()) {
        throw new ApiError(400, "ResourceInUseException", "Table is being restored: " + name);
      }
      if (request.has("DeletionProtectionEnabled")) {
        table.put("DeletionProtectionEnabled", request.get("DeletionProtectionEnabled").asBoolean());
      }
      JsonNode stream = request.path("StreamSpecification");
      if (stream.isObject()) {
        boolean enable = stream.path("StreamEnabled").asBoolean(false);
        boolean enabled = table.path("StreamSpecification").path("StreamEnabled").asBoolean(false);
        if (enable && enabled) {
          throw new ApiError(400, "ValidationException", "Table already has an enabled stream: " + name);
        }
        if (!enable && !enabled) {
          throw new ApiError(400, "ValidationException", "Table does not have an enabled stream: " + name);
        }
        if (enable) {
          String viewType = stream.path("StreamViewType").asText("");
          if (!STREAM_VIEW_TYPES.contains(viewType)) {
            throw new ApiError(400, "ValidationException", "Invalid StreamViewType: " + viewType);
          }
          String label = clock.instant().toString();
          table.putObject("StreamSpecification").put("StreamEnabled", true).put("StreamViewType", viewType);
          table.put("LatestStreamLabel", label).put("LatestStreamArn", table.path("TableArn").asText() + "/stream/"
              + label);
        } else {
          table.remove("StreamSpecification");
        }
      }
      return describeTable(name);
    }

    JsonNode describeTimeToLive(String tableName) {
      JsonNode description = table(tableName).get("TimeToLiveDescription");
      return json.createObjectNode().set("TimeToLiveDescription", description != null ? description
          : json.createObjectNode().put("TimeToLiveStatus", "DISABLED"));
    }

    JsonNode tag(JsonNode request) {
      String name = taggedTable(text(request, "ResourceArn"));
      var tableTags = tags.computeIfAbsent(name, k -> new TreeMap<>());
      for (JsonNode tag : request.path("Tags")) {
        String key = tag.path("Key").asText("");
        if (key.isEmpty() || key.length() > 128 || key.startsWith("aws:")
            || tag.path("Value").asText("").length() > 256) {
          throw new ApiError(400, "ValidationException", "Invalid tag: " + tag);
        }
        tableTags.put(key, tag.path("Value").asText(""));
      }
      if (tableTags.size() > 50) {
        throw new ApiError(400, "ValidationException", "Too many tags on " + name + ": at most 50");
      }
      return json.createObjectNode();
    }

    JsonNode listTags(String resourceArn) {
      ObjectNode response = json.createObjectNode();
      ArrayNode list = response.putArray("Tags");
      tags.getOrDefault(taggedTable(resourceArn), Map.of())
          .forEach((key, value) -> list.addObject().put("Key", key).put("Value", value));
      return response;
    }

    /** The name of the table a tag call names by ARN; an ARN of no table here is ResourceNotFound. */
    private String taggedTable(String resourceArn) {
      String name = tableNameOf(resourceArn);
      ObjectNode table = tables.get(name);
      if (table == null || !table.path("TableArn").asText().equals(resourceArn)) {
        throw new ApiError(400, "ResourceNotFoundException", "Requested resource not found: " + resourceArn);
      }
      return name;
    }

    private void overrideOrKeep(ObjectNode create, String field, JsonNode override, ObjectNode source) {
      if (override != null) {
        create.set(field, override);
      } else if (source.has(field)) {
        create.set(field, source.get(field));
      }
    }

    /** As AWS: enabling what is enabled, or disabling what is disabled, is a ValidationException. */
    JsonNode updateTimeToLive(JsonNode request) {
      ObjectNode table = table(text(request, "TableName"));
      JsonNode spec = request.path("TimeToLiveSpecification");
      boolean enable = spec.path("Enabled").asBoolean();
      boolean enabled = table.path("TimeToLiveDescription").path("TimeToLiveStatus").asText("DISABLED")
          .equals("ENABLED");
      if (enable == enabled) {
        throw new ApiError(400, "ValidationException", "TimeToLive is already " + (enabled ? "enabled" : "disabled"));
      }
      table.putObject("TimeToLiveDescription")
          .put("TimeToLiveStatus", enable ? "ENABLED" : "DISABLED")
          .put("AttributeName", spec.path("AttributeName").asText());
      return json.createObjectNode().set("TimeToLiveSpecification", spec);
    }

    Backup createBackup(JsonNode request) {
      String tableName = text(request, "TableName");
      String backupName = text(request, "BackupName");
      if (!BACKUP_NAME.matcher(backupName).matches()) {
        throw new ApiError(400, "ValidationException", "1 validation error detected: Value '" + backupName
            + "' at 'backupName' failed to satisfy constraint: Member must satisfy regular expression pattern:"
            + " [a-zA-Z0-9_.-]+ and have length between 3 and 255");
      }
      ObjectNode table = tables.get(tableName);
      if (table == null) {
        throw new ApiError(400, "TableNotFoundException", "Table not found: " + tableName);
      }
      Instant now = clock.instant();
      String arn = String.format("%s/backup/%014d-%08x", table.get("TableArn").asText(), now.toEpochMilli(),
          ThreadLocalRandom.current().nextInt());
      var backup = new Backup(arn, backupName, table.deepCopy(), now);
      backups.put(arn, backup);
      return backup;
    }

    Backup backup(String arn) {
      Matcher matcher = BACKUP_ARN.matcher(arn);
      if (!matcher.matches()) {
        throw new ApiError(400, "ValidationException", "Invalid BackupArn: " + arn);
      }
      Backup backup = backups.get(arn);
      if (backup == null) {
        throw new ApiError(400, "BackupNotFoundException", "Backup not found: " + arn);
      }
      return backup;
    }

    ObjectNode deleteBackup(String arn) {
      Backup backup = backup(arn);
      if (backup.status().equals("CREATING")) {
        throw new ApiError(400, "BackupInUseException", "Backup is being created: " + arn);
      }
      if (restores.values().stream().anyMatch(r -> arn.equals(r.sourceBackupArn) && r.inProgress())) {
        throw new ApiError(400, "BackupInUseException", "Backup is being restored: " + arn);
      }
      backups.remove(arn);
      ObjectNode description = backup.description();
      ((ObjectNode) description.get("BackupDetails")).put("BackupStatus", "DELETED");
      return description;
    }

    JsonNode listBackups(JsonNode request) {
      String tableName = request.path("TableName").asText(null);
      Double after = request.has("TimeRangeLowerBound") ? request.get("TimeRangeLowerBound").asDouble() : null;
      Double before = request.has("TimeRangeUpperBound") ? request.get("TimeRangeUpperBound").asDouble() : null;
      String type = request.path("BackupType").asText("USER");
      int limit = request.path("Limit").asInt(DEFAULT_PAGE_SIZE);
      if (limit < 1 || limit > 100) {
        throw new ApiError(400, "ValidationException", "Limit must be between 1 and 100");
      }
      List<Backup> matching = backups.values().stream()
          .filter(b -> tableName == null || b.tableName().equals(tableName))
          .filter(b -> after == null || epochSeconds(b.createdAt) >= after)
          .filter(b -> before == null || epochSeconds(b.createdAt) < before)
          .filter(b -> type.equals("ALL") || type.equals("USER"))
          .sorted(Comparator.comparing((Backup b) -> b.createdAt).thenComparing(b -> b.arn))
          .toList();
      int start = 0;
      String exclusiveStart = request.path("ExclusiveStartBackupArn").asText(null);
      if (exclusiveStart != null) {
        for (int i = 0; i < matching.size(); i++) {
          if (matching.get(i).arn.equals(exclusiveStart)) {
            start = i + 1;
          }
        }
      }
      List<Backup> page = matching.subList(Math.min(start, matching.size()), Math.min(start + limit,
          matching.size()));
      ObjectNode response = json.createObjectNode();
      ArrayNode summaries = response.putArray("BackupSummaries");
      page.forEach(b -> summaries.add(b.summary()));
      if (start + limit < matching.size()) {
        response.put("LastEvaluatedBackupArn", page.get(page.size() - 1).arn);
      }
      return response;
    }
  }

  private final class Backup {
    final String arn;
    final String name;
    final ObjectNode table;
    final Instant createdAt;
    long sizeBytes;

    Backup(String arn, String name, ObjectNode table, Instant createdAt) {
      this.arn = arn;
      this.name = name;
      this.table = table;
      this.createdAt = createdAt;
      this.sizeBytes = table.path("TableSizeBytes").asLong();
    }

    String tableName() {
      return table.get("TableName").asText();
    }

    String status() {
      return clock.instant().isBefore(createdAt.plus(creatingDuration)) ? "CREATING" : "AVAILABLE";
    }

    ObjectNode details() {
      return json.createObjectNode()
          .put("BackupArn", arn)
          .put("BackupName", name)
          .put("BackupSizeBytes", sizeBytes)
          .put("BackupStatus", status())
          .put("BackupType", "USER")
          .put("BackupCreationDateTime", epochSeconds(createdAt));
    }

    ObjectNode summary() {
      return json.createObjectNode()
          .put("TableName", tableName())
          .put("TableId", table.get("TableId").asText())
          .put("TableArn", table.get("TableArn").asText())
          .put("BackupArn", arn)
          .put("BackupName", name)
          .put("BackupCreationDateTime", epochSeconds(createdAt))
          .put("BackupStatus", status())
          .put("BackupType", "USER")
          .put("BackupSizeBytes", sizeBytes);
    }

    ObjectNode description() {
      ObjectNode description = json.createObjectNode();
      description.set("BackupDetails", details());
      ObjectNode source = description.putObject("SourceTableDetails");
      source.put("TableName", tableName())
          .put("TableId", table.get("TableId").asText())
          .put("TableArn", table.get("TableArn").asText())
          .put("TableSizeBytes", table.path("TableSizeBytes").asLong())
          .put("TableCreationDateTime", table.get("CreationDateTime").asDouble())
          .put("ItemCount", table.path("ItemCount").asLong())
          .put("BillingMode", table.path("BillingModeSummary").path("BillingMode").asText());
      source.set("KeySchema", table.get("KeySchema"));
      source.putObject("ProvisionedThroughput")
          .put("ReadCapacityUnits", table.path("ProvisionedThroughput").path("ReadCapacityUnits").asLong())
          .put("WriteCapacityUnits", table.path("ProvisionedThroughput").path("WriteCapacityUnits").asLong());
      ObjectNode features = description.putObject("SourceTableFeatureDetails");
      if (table.has("LocalSecondaryIndexes")) {
        ArrayNode lsis = features.putArray("LocalSecondaryIndexes");
        table.get("LocalSecondaryIndexes").forEach(index -> lsis.add(json.createObjectNode()
            .put("IndexName", index.path("IndexName").asText())
            .setAll(Map.of("KeySchema", index.path("KeySchema"), "Projection", index.path("Projection")))));
      }
      if (table.has("GlobalSecondaryIndexes")) {
        ArrayNode gsis = features.putArray("GlobalSecondaryIndexes");
        table.get("GlobalSecondaryIndexes").forEach(index -> {
          ObjectNode gsi = json.createObjectNode().put("IndexName", index.path("IndexName").asText());
          gsi.set("KeySchema", index.path("KeySchema"));
          gsi.set("Projection", index.path("Projection"));
          if (index.has("ProvisionedThroughput")) {
            gsi.set("ProvisionedThroughput", index.get("ProvisionedThroughput"));
          }
          gsis.add(gsi);
        });
      }
      if (table.has("StreamSpecification")) {
        features.putObject("StreamDescription")
            .put("StreamEnabled", table.path("StreamSpecification").path("StreamEnabled").asBoolean())
            .put("StreamViewType", table.path("StreamSpecification").path("StreamViewType").asText());
      }
      if (table.has("TimeToLiveDescription")) {
        features.set("TimeToLiveDescription", table.get("TimeToLiveDescription"));
      }
      if (table.has("SSEDescription")) {
        features.set("SSEDescription", table.get("SSEDescription"));
      }
      return description;
    }
  }

  /**
   * Where a restored table came from (a backup, or a table at a point in time: no backup), the RestoreDateTime it
   * reports, and when its restore ends (the duration at its start).
   */
  private final class Restore {
    final String sourceBackupArn;
    final String sourceTableArn;
    final Instant restoreDateTime;
    final Instant endsAt;

    Restore(String sourceBackupArn, String sourceTableArn, Instant restoreDateTime, Instant startedAt) {
      this.sourceBackupArn = sourceBackupArn;
      this.sourceTableArn = sourceTableArn;
      this.restoreDateTime = restoreDateTime;
      this.endsAt = startedAt.plus(restoringDuration);
    }

    boolean inProgress() {
      return clock.instant().isBefore(endsAt);
    }
  }

  /** An error answer in the AWS JSON 1.0 shape. */
  private static final class ApiError extends RuntimeException {
    final int status;
    final String code;

    ApiError(int status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }

    static ApiError injected(String code) {
      int status = switch (code) {
        case "InternalServerError" -> 500;
        case "ServiceUnavailable" -> 503;
        default -> code.matches("HTTP\\d{3}") ? Integer.parseInt(code.substring(4)) : 400;
      };
      return new ApiError(status, code, "injected fault: " + code);
    }

    JsonNode body(ObjectMapper json) {
      if (code.startsWith("HTTP")) {
        return json.createObjectNode().put("message", "a gateway's answer, without an error code");
      }
      String namespace = code.equals("ThrottlingException") ? "com.amazon.coral.availability#"
          : "com.amazonaws.dynamodb.v20120810#";
      return json.createObjectNode().put("__type", namespace + code).put("message", getMessage());
    }
  }

}
