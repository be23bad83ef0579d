package io.dynamobackup.operator.support;

import io.dynamobackup.operator.api.BackupDescription;
import io.dynamobackup.operator.api.RestoreSummary;
import io.dynamobackup.operator.aws.AccountClient;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.aws.BackupArn;
import io.dynamobackup.operator.aws.BackupPage;
import io.dynamobackup.operator.aws.BackupQuery;
import io.dynamobackup.operator.aws.ContinuousBackups;
import io.dynamobackup.operator.aws.PointInTimeRequest;
import io.dynamobackup.operator.aws.RestoreRequest;
import io.dynamobackup.operator.aws.TableArn;
import io.dynamobackup.operator.aws.TableState;
import io.dynamobackup.operator.aws.TagPage;
import io.dynamobackup.operator.aws.TimeToLive;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One AWS account's DynamoDB in memory, for phase tests that run in milliseconds: backups and tables per region, ARNs
 * in AWS's shape, ListBackups with Limit and ExclusiveStartBackupArn, the table calls of restores, and every refusal
 * as the SDK adapter classifies the code the emulator and moto answer (BackupStoreConformanceTest holds it to them).
 * Time comes from the clock given. Knobs: fail the next call of an operation before it acts or after, run a check
 * just before a call, keep new backups CREATING and restored tables restoring for a while. Not thread-safe: phase
 * tests call it from one thread.
 */
public final class InMemoryAccount implements AccountClient {

  public static final String ACCOUNT = "123456789012";

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{3,255}");
  private static final Set<String> STREAM_VIEW_TYPES = Set.of("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES",
      "KEYS_ONLY");
  private static final int MAX_PAGE = 100;

  private final String defaultRegion;
  private final Clock clock;
  private final Map<String, Region> regions = new HashMap<>();
  private final Map<String, Deque<Fault>> faults = new HashMap<>();
  private final Map<String, Deque<Runnable>> checks = new HashMap<>();
  private final List<Call> calls = new ArrayList<>();
  private Duration creating = Duration.ZERO;
  private Duration restoring = Duration.ZERO;
  private int backupsMade;

  /** @param defaultRegion where calls with a null region go, as the operator's default region */
  public InMemoryAccount(String defaultRegion, Clock clock) {
    this.defaultRegion = defaultRegion;
    this.clock = clock;
  }

  // ---- knobs ----

  /** The next call of {@code operation} fails with {@code code}, without acting ("HTTP502": a code-less 502). */
  public InMemoryAccount failNext(String operation, String code) {
    return failNext(operation, answer(code, operation + ": injected " + code));
  }

  /** The next call of {@code operation} fails so without acting, e.g. {@link AwsFailure#quotaWait}. */
  public InMemoryAccount failNext(String operation, AwsFailure failure) {
    faults.computeIfAbsent(operation, k -> new ArrayDeque<>()).add(new Fault(failure, false));
    return this;
  }

  /** The next call of {@code operation} takes effect, then fails with {@code code}: its answer is lost. */
  public InMemoryAccount failAfterActing(String operation, String code) {
    faults.computeIfAbsent(operation, k -> new ArrayDeque<>())
        .add(new Fault(answer(code, operation + ": injected " + code + " after acting"), true));
    return this;
  }

  /** Runs {@code check} when {@code operation} is next called, before it acts: what did the caller do first? */
  public InMemoryAccount beforeNext(String operation, Runnable check) {
    checks.computeIfAbsent(operation, k -> new ArrayDeque<>()).add(check);
    return this;
  }

  /** New backups stay CREATING this long (zero, the default: AVAILABLE at once, as moto). */
  public InMemoryAccount creatingFor(Duration duration) {
    creating = duration;
    return this;
  }

  /** Tables restored from now on stay CREATING, with RestoreInProgress, this long (zero, the default: at once). */
  public InMemoryAccount restoringFor(Duration duration) {
    restoring = duration;
    return this;
  }

  // ---- what a test sets up and reads ----

  /** An ACTIVE table made outside the operator (hash key pk, range key sk), as CreateTable would make it. */
  public TableState createTable(String region, String tableName) {
    var tables = region(region).tables;
    if (tables.containsKey(tableName)) {
      throw new IllegalStateException("table " + tableName + " exists");
    }
    var table = new Table(tableName, tableArn(region(region).name, tableName), now(), null);
    tables.put(tableName, table);
    return state(table);
  }

  /** Every call received, in order: "Operation subject" (a table name or an ARN). */
  public List<String> calls() {
    return calls.stream().map(c -> c.operation() + " " + c.subject()).toList();
  }

  /** The subjects of the calls of one operation, in order. */
  public List<String> calls(String operation) {
    return calls.stream().filter(c -> c.operation().equals(operation)).map(Call::subject).toList();
  }

  /** Forgets the calls so far: what a test set up through the port is not what it asserts on. */
  public void clearCalls() {
    calls.clear();
  }

  /** The ARNs of the backups that exist in a region, oldest first. */
  public List<String> backupArns(String region) {
    return region(region).backups.values().stream().map(Backup::arn).toList();
  }

  // ---- BackupStore ----

  @Override
  public BackupDescription create(String region, String tableName, String backupName) {
    return call("CreateBackup", tableName, () -> {
      if (backupName == null || !NAME.matcher(backupName).matches()) {
        throw answer("ValidationException", "1 validation error detected: Value '" + backupName + "' at"
            + " 'backupName' failed to satisfy constraint: Member must satisfy regular expression pattern:"
            + " [a-zA-Z0-9_.-]+ and have length between 3 and 255");
      }
      var state = region(region);
      Table table = state.tables.get(tableName);
      if (table == null) {
        throw answer("TableNotFoundException", "Table not found: " + tableName);
      }
      Instant created = now();
      String arn = String.format("%s/backup/%014d-%08x", table.arn, created.toEpochMilli(), ++backupsMade);
      var backup = new Backup(arn, backupName, new SourceTable(table.name, table.arn, table.id, table.created),
          created);
      state.backups.put(arn, backup);
      var description = new BackupDescription();
      description.backupDetails = details(backup);
      return description;
    });
  }

  @Override
  public BackupDescription describe(String region, String backupArn) {
    return call("DescribeBackup", backupArn, () -> description(backup(region, backupArn)));
  }

  @Override
  public BackupDescription delete(String region, String backupArn) {
    return call("DeleteBackup", backupArn, () -> {
      var state = region(region);
      Backup backup = backup(region, backupArn);
      if (status(backup).equals("CREATING")) {
        throw answer("BackupInUseException", "Backup is being created: " + backupArn);
      }
      if (state.tables.values().stream().anyMatch(t -> t.restore != null && t.restoring(now())
          && backupArn.equals(t.restore.sourceBackupArn))) {
        throw answer("BackupInUseException", "Backup is being restored: " + backupArn);
      }
      state.backups.remove(backupArn);
      var description = description(backup);
      description.backupDetails.backupStatus = "DELETED";
      return description;
    });
  }

  @Override
  public BackupPage list(String region, BackupQuery query) {
    return call("ListBackups", query.tableName(), () -> {
      int limit = query.limit() == null ? MAX_PAGE : query.limit();
      if (limit < 1 || limit > MAX_PAGE) {
        throw answer("ValidationException", "Limit must be between 1 and " + MAX_PAGE);
      }
      List<Backup> matching = region(region).backups.values().stream()
          .filter(b -> query.tableName() == null || b.table().name().equals(query.tableName()))
          .filter(b -> query.createdAfter() == null || !b.created().isBefore(query.createdAfter()))
          .filter(b -> query.createdBefore() == null || b.created().isBefore(query.createdBefore()))
          .sorted(Comparator.comparing(Backup::created).thenComparing(Backup::arn))
          .toList();
      int start = 0;
      if (query.exclusiveStartBackupArn() != null) {
        for (int i = 0; i < matching.size(); i++) {
          if (matching.get(i).arn().equals(query.exclusiveStartBackupArn())) {
            start = i + 1;
          }
        }
      }
      int end = Math.min(start + limit, matching.size());
      List<BackupPage.BackupSummary> page = matching.subList(Math.min(start, end), end).stream()
          .map(b -> new BackupPage.BackupSummary(b.arn(), b.name(), b.table().name(), status(b), b.created(), 0L))
          .toList();
      return new BackupPage(page, end < matching.size() ? page.get(page.size() - 1).backupArn() : null);
    });
  }

  // ---- TableStore ----

  @Override
  public TableState restore(String region, RestoreRequest request) {
    return call("RestoreTableFromBackup", request.backupArn() + " " + request.targetTableName(), () -> {
      requireTargetName(request.targetTableName());
      var state = region(region);
      Backup backup = backup(region, request.backupArn());
      if (state.tables.containsKey(request.targetTableName())) {
        throw answer("TableAlreadyExistsException", "Table already exists: " + request.targetTableName());
      }
      if (status(backup).equals("CREATING")) {
        throw answer("BackupInUseException", "Backup is being created: " + backup.arn());
      }
      return restored(state, request.targetTableName(),
          new Restore(backup.arn(), backup.table().arn(), now(), now().plus(restoring)));
    });
  }

  @Override
  public TableState restoreToPointInTime(String region, PointInTimeRequest request) {
    return call("RestoreTableToPointInTime", request.sourceTableName() + " " + request.targetTableName(), () -> {
      requireTargetName(request.targetTableName());
      var state = region(region);
      Table source = state.tables.get(request.sourceTableName());
      if (source == null) {
        throw answer("SourceTableNotFoundException", "Source table not found: " + request.sourceTableName());
      }
      if (state.tables.containsKey(request.targetTableName())) {
        throw answer("TableAlreadyExistsException", "Table already exists: " + request.targetTableName());
      }
      if (source.recoverySince == null) {
        throw answer("PointInTimeRecoveryUnavailableException", "Point in time recovery is not enabled for table '"
            + source.name + "'");
      }
      Instant point = request.restoreDateTime() == null ? now() : request.restoreDateTime();
      if (point.isBefore(source.recoverySince) || point.isAfter(now())) {
        throw answer("InvalidRestoreTimeException", "Invalid restore time: restorable window is "
            + source.recoverySince + " to " + now());
      }
      return restored(state, request.targetTableName(), new Restore(null, source.arn, point, now().plus(restoring)));
    });
  }

  @Override
  public TableState describeTable(String region, String tableName) {
    return call("DescribeTable", tableName, () -> state(table(region, tableName)));
  }

  @Override
  public TableState deleteTable(String region, String tableName) {
    return call("DeleteTable", tableName, () -> {
      Table table = table(region, tableName);
      if (table.restoring(now())) {
        throw answer("ResourceInUseException", "Table is being restored: " + tableName);
      }
      if (table.deletionProtection) {
        throw answer("ValidationException", "Resource cannot be deleted as it is currently protected against"
            + " deletion. Disable deletion protection first.");
      }
      region(region).tables.remove(tableName);
      TableState was = state(table);
      return new TableState(was.tableName(), was.tableArn(), was.tableId(), "DELETING", was.restoreSummary(),
          was.creationDateTime(), was.deletionProtectionEnabled(), was.streamViewType());
    });
  }

  @Override
  public ContinuousBackups describeContinuousBackups(String region, String tableName) {
    return call("DescribeContinuousBackups", tableName, () -> continuousBackups(recoverable(region, tableName)));
  }

  @Override
  public ContinuousBackups updatePointInTimeRecovery(String region, String tableName, boolean enabled) {
    return call("UpdateContinuousBackups", tableName, () -> {
      Table table = recoverable(region, tableName);
      if (!enabled) {
        table.recoverySince = null;
      } else if (table.recoverySince == null) {
        table.recoverySince = now();
      }
      return continuousBackups(table);
    });
  }

  @Override
  public TimeToLive describeTimeToLive(String region, String tableName) {
    return call("DescribeTimeToLive", tableName, () -> {
      Table table = table(region, tableName);
      return table.timeToLiveAttribute == null ? new TimeToLive("DISABLED", null)
          : new TimeToLive("ENABLED", table.timeToLiveAttribute);
    });
  }

  @Override
  public void enableTimeToLive(String region, String tableName, String attributeName) {
    call("UpdateTimeToLive", tableName, () -> {
      Table table = table(region, tableName);
      if (table.timeToLiveAttribute != null) {
        throw answer("ValidationException", "TimeToLive is already enabled");
      }
      table.timeToLiveAttribute = attributeName;
      return null;
    });
  }

  @Override
  public TableState updateDeletionProtection(String region, String tableName, boolean enabled) {
    return call("UpdateTable", tableName, () -> {
      Table table = updatable(region, tableName);
      table.deletionProtection = enabled;
      return state(table);
    });
  }

  @Override
  public TableState enableStream(String region, String tableName, String viewType) {
    return call("UpdateTable", tableName, () -> {
      Table table = updatable(region, tableName);
      if (table.streamViewType != null) {
        throw answer("ValidationException", "Table already has an enabled stream: " + tableName);
      }
      if (!STREAM_VIEW_TYPES.contains(viewType)) {
        throw answer("ValidationException", "Invalid StreamViewType: " + viewType);
      }
      table.streamViewType = viewType;
      return state(table);
    });
  }

  @Override
  public TagPage listTags(String region, String tableArn, String nextToken) {
    return call("ListTagsOfResource", tableArn, () -> new TagPage(Map.copyOf(tagged(region, tableArn).tags), null));
  }

  @Override
  public void tag(String region, String tableArn, Map<String, String> tags) {
    call("TagResource", tableArn, () -> {
      Table table = tagged(region, tableArn);
      var after = new TreeMap<>(table.tags);
      tags.forEach((key, value) -> {
        if (key.isEmpty() || key.length() > 128 || key.startsWith("aws:") || value.length() > 256) {
          throw answer("ValidationException", "Invalid tag: " + key);
        }
        after.put(key, value);
      });
      if (after.size() > 50) {
        throw answer("ValidationException", "Too many tags on " + table.name + ": at most 50");
      }
      table.tags.putAll(after);
      return null;
    });
  }

  // ---- the calls ----

  private <T> T call(String operation, String subject, Supplier<T> action) {
    calls.add(new Call(operation, subject));
    Runnable check = poll(checks, operation);
    Fault fault = poll(faults, operation); // before the check runs: a call the check makes is not this one
    if (check != null) {
      check.run();
    }
    if (fault != null && !fault.afterActing()) {
      throw fault.failure();
    }
    T result = action.get();
    if (fault != null) {
      throw fault.failure();
    }
    return result;
  }

  private static <T> T poll(Map<String, Deque<T>> queues, String operation) {
    Deque<T> queue = queues.get(operation);
    return queue == null ? null : queue.poll();
  }

  /** An AWS answer classified as the SDK adapter classifies it: by code, or by HTTP status for a code-less one. */
  static AwsFailure answer(String code, String message) {
    if (AwsFailure.NO_ANSWER.equals(code)) {
      return new AwsFailure(AwsFailure.kindOf(null, 0), code, message);
    }
    if (code.matches("HTTP\\d{3}")) {
      return new AwsFailure(AwsFailure.kindOf(null, Integer.parseInt(code.substring(4))), code, message);
    }
    int status = switch (code) {
      case "InternalServerError" -> 500;
      case "ServiceUnavailable" -> 503;
      default -> 400;
    };
    return new AwsFailure(AwsFailure.kindOf(code, status), code, message);
  }

  // ---- state ----

  private Region region(String name) {
    String region = name != null ? name : defaultRegion;
    return regions.computeIfAbsent(region, Region::new);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private String tableArn(String region, String tableName) {
    return "arn:aws:dynamodb:" + region + ":" + ACCOUNT + ":table/" + tableName;
  }

  private Backup backup(String region, String backupArn) {
    if (BackupArn.parse(backupArn).isEmpty()) {
      throw answer("ValidationException", "Invalid BackupArn: " + backupArn);
    }
    Backup backup = region(region).backups.get(backupArn);
    if (backup == null) {
      throw answer("BackupNotFoundException", "Backup not found: " + backupArn);
    }
    return backup;
  }

  private Table table(String region, String tableName) {
    Table table = region(region).tables.get(tableName);
    if (table == null) {
      throw answer("ResourceNotFoundException", "Requested resource not found: Table: " + tableName + " not found");
    }
    return table;
  }

  /** The continuous-backups calls answer TableNotFoundException for a missing table. */
  private Table recoverable(String region, String tableName) {
    Table table = region(region).tables.get(tableName);
    if (table == null) {
      throw answer("TableNotFoundException", "Table not found: " + tableName);
    }
    return table;
  }

  private Table updatable(String region, String tableName) {
    Table table = table(region, tableName);
    if (table.restoring(now())) {
      throw answer("ResourceInUseException", "Table is being restored: " + tableName);
    }
    return table;
  }

  private Table tagged(String region, String tableArn) {
    var arn = TableArn.parse(tableArn);
    if (arn.isEmpty()) {
      throw answer("ValidationException", "Invalid table ARN: " + tableArn);
    }
    Table table = region(region).tables.get(arn.get().table());
    if (table == null || !table.arn.equals(tableArn)) {
      throw answer("ResourceNotFoundException", "Requested resource not found: " + tableArn);
    }
    return table;
  }

  private void requireTargetName(String target) {
    if (target == null || !NAME.matcher(target).matches()) {
      throw answer("ValidationException", "Invalid TargetTableName: " + target);
    }
  }

  private TableState restored(Region state, String target, Restore restore) {
    var table = new Table(target, tableArn(state.name, target), now(), restore);
    state.tables.put(target, table);
    return state(table);
  }

  private TableState state(Table table) {
    boolean restoring = table.restoring(now());
    RestoreSummary summary = null;
    if (table.restore != null) {
      summary = new RestoreSummary();
      summary.sourceBackupArn = table.restore.sourceBackupArn;
      summary.sourceTableArn = table.restore.sourceTableArn;
      summary.restoreDateTime = table.restore.restoreDateTime.toString();
      summary.restoreInProgress = restoring;
    }
    return new TableState(table.name, table.arn, table.id, restoring ? "CREATING" : "ACTIVE", summary, table.created,
        table.deletionProtection, table.streamViewType);
  }

  private ContinuousBackups continuousBackups(Table table) {
    return table.recoverySince == null ? new ContinuousBackups("DISABLED", null, null)
        : new ContinuousBackups("ENABLED", table.recoverySince, now());
  }

  private String status(Backup backup) {
    return now().isBefore(backup.created().plus(creating)) ? "CREATING" : "AVAILABLE";
  }

  private BackupDescription.BackupDetails details(Backup backup) {
    var details = new BackupDescription.BackupDetails();
    details.backupArn = backup.arn();
    details.backupName = backup.name();
    details.backupSizeBytes = 0L;
    details.backupStatus = status(backup);
    details.backupType = "USER";
    details.backupCreationDateTime = backup.created().toString();
    return details;
  }

  private BackupDescription description(Backup backup) {
    var description = new BackupDescription();
    description.backupDetails = details(backup);
    var source = new BackupDescription.SourceTableDetails();
    source.tableName = backup.table().name();
    source.tableId = backup.table().id();
    source.tableArn = backup.table().arn();
    source.tableSizeBytes = 0L;
    source.keySchema = List.of(key("pk", "HASH"), key("sk", "RANGE"));
    source.tableCreationDateTime = backup.table().created().toString();
    source.itemCount = 0L;
    source.billingMode = "PAY_PER_REQUEST";
    description.sourceTableDetails = source;
    return description;
  }

  private static BackupDescription.KeySchemaElement key(String attribute, String type) {
    var key = new BackupDescription.KeySchemaElement();
    key.attributeName = attribute;
    key.keyType = type;
    return key;
  }

  private record Call(String operation, String subject) {}

  private record Fault(AwsFailure failure, boolean afterActing) {}

  private record Backup(String arn, String name, SourceTable table, Instant created) {}

  /** What a backup keeps of its source table, as it was. */
  private record SourceTable(String name, String arn, String id, Instant created) {}

  /** What a restored table came from, the RestoreDateTime it reports, and when its restore ends. */
  private record Restore(String sourceBackupArn, String sourceTableArn, Instant restoreDateTime, Instant endsAt) {}

  private static final class Region {
    final String name;
    final Map<String, Table> tables = new LinkedHashMap<>();
    final Map<String, Backup> backups = new LinkedHashMap<>();

    Region(String name) {
      this.name = name;
    }
  }

  private static final class Table {
    final String name;
    final String arn;
    final String id = UUID.randomUUID().toString();
    final Instant created;
    final Restore restore;
    final Map<String, String> tags = new TreeMap<>();
    boolean deletionProtection;
    String streamViewType;
    String timeToLiveAttribute;
    Instant recoverySince;

    Table(String name, String arn, Instant created, Restore restore) {
      this.name = name;
      this.arn = arn;
      this.created = created;
      this.restore = restore;
    }

    boolean restoring(Instant now) {
      return restore != null && now.isBefore(restore.endsAt());
    }
  }
}
