package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.api.DynamoRestoreSpec.TableSettings;
import io.dynamobackup.operator.api.TableSettingsStatus;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import io.dynamobackup.operator.aws.TableState;
import io.dynamobackup.operator.aws.TableStore;
import io.dynamobackup.operator.aws.TagPage;
import io.dynamobackup.operator.reconcile.restore.TableSettingsPlan.Observed;
import io.dynamobackup.operator.reconcile.restore.TableSettingsPlan.Setting;
import io.dynamobackup.operator.reconcile.restore.TableSettingsPlan.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Brings a restored, ACTIVE table to its spec.tableSettings: reads back each requested setting, decides with
 * {@link TableSettingsPlan}, and calls only what differs, each setting through its own call. Failures are kept per
 * setting, with their own backoff by the usual classification; the whole outcome is written into
 * status.tableSettings. At most one UpdateTable per pass: DynamoDB refuses another while the table is UPDATING.
 */
final class TableSettingsApplier {

  static final String APPLYING = "ApplyingTableSettings";
  static final String IN_PLACE = "InPlace";
  static final String STATE_APPLYING = "Applying";
  static final String FAILED = "Failed";
  /** ListTagsOfResource pages read at most: DynamoDB allows 50 tags, which come in far fewer pages. */
  static final int MAX_TAG_PAGES = 10;

  /**
   * What one pass came to.
   *
   * @param status what to write as status.tableSettings (null: no settings requested)
   * @param reason null when every setting is in place; else the Ready reason: a setting's failedReason, or APPLYING
   * @param applied the changes made in this pass, for an event
   */
  record Outcome(TableSettingsStatus status, String reason, String message, Duration retryAfter,
      List<String> applied) {
    boolean inPlace() {
      return reason == null;
    }
  }

  private final ReconcileSettings settings;
  private final Clock clock;

  TableSettingsApplier(ReconcileSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * One pass over the requested settings of {@code table}, an ACTIVE (or UPDATING) table this object restored.
   * {@code before} is the last status.tableSettings, whose failure counts carry on.
   */
  Outcome apply(TableStore tables, String region, TableState table, TableSettings desired,
      TableSettingsStatus before) {
    if (desired == null) {
      return new Outcome(null, null, "", settings.resyncPeriod(), List.of());
    }
    Map<Setting, TableSettingsStatus.Setting> result = new EnumMap<>(Setting.class);
    Map<Setting, Duration> retries = new EnumMap<>(Setting.class);
    Map<Setting, AwsFailure> failures = new EnumMap<>(Setting.class);
    Observed observed = observe(tables, region, table, desired, failures);
    Map<Setting, Verdict> verdicts = TableSettingsPlan.decide(desired, observed);
    List<String> applied = new ArrayList<>();
    boolean active = "ACTIVE".equals(table.tableStatus());
    boolean tableUpdated = false;
    for (Setting setting : requested(desired)) {
      var previous = of(before, setting);
      if (failures.containsKey(setting)) {
        result.put(setting, failed(previous, null, readCall(setting), failures.get(setting), retries, setting));
        continue;
      }
      Verdict verdict = verdicts.get(setting);
      if (verdict instanceof Verdict.InPlace) {
        result.put(setting, state(IN_PLACE, verdict.observed()));
      } else if (verdict instanceof Verdict.Conflict conflict) {
        result.put(setting, conflict(previous, conflict));
        retries.put(setting, settings.terminalRetry());
      } else if (verdict instanceof Verdict.Pending || !active || setting.updatesTable() && tableUpdated) {
        result.put(setting, state(STATE_APPLYING, verdict.observed()));
      } else if (waiting(previous).isPresent()) {
        // failed before and its backoff has not passed: a reconcile that comes early does not call again
        result.put(setting, previous);
        retries.put(setting, waiting(previous).get());
      } else {
        try {
          applied.add(change(tables, region, table, desired, observed, setting));
          tableUpdated |= setting.updatesTable();
          result.put(setting, state(STATE_APPLYING, verdict.observed()));
        } catch (AwsFailure failure) {
          result.put(setting, failed(previous, verdict.observed(), setting.call, failure, retries, setting));
        }
      }
    }
    return outcome(result, retries, applied, active, table.tableStatus());
  }

  private Observed observe(TableStore tables, String region, TableState table, TableSettings desired,
      Map<Setting, AwsFailure> failures) {
    var continuous = desired.pointInTimeRecovery == null ? null
        : read(Setting.POINT_IN_TIME_RECOVERY, failures, () -> tables.describeContinuousBackups(region,
            table.tableName()));
    var timeToLive = desired.timeToLive == null ? null
        : read(Setting.TIME_TO_LIVE, failures, () -> tables.describeTimeToLive(region, table.tableName()));
    var tags = desired.tags == null ? null : read(Setting.TAGS, failures, () -> allTags(tables, region, table));
    return new Observed(continuous, timeToLive, table.deletionProtectionEnabled(), tags, table.streamViewType());
  }

  private static <T> T read(Setting setting, Map<Setting, AwsFailure> failures,
      Supplier<T> call) {
    try {
      return call.get();
    } catch (AwsFailure failure) {
      failures.put(setting, failure);
      return null;
    }
  }

  private static Map<String, String> allTags(TableStore tables, String region, TableState table) {
    Map<String, String> tags = new HashMap<>();
    String next = null;
    for (int page = 0; page < MAX_TAG_PAGES; page++) {
      TagPage tagPage = tables.listTags(region, table.tableArn(), next);
      tags.putAll(tagPage.tags());
      next = tagPage.nextToken();
      if (next == null) {
        break;
      }
    }
    return tags;
  }

  /** Makes the one call of a setting; returns what it did, for the event. */
  private static String change(TableStore tables, String region, TableState table, TableSettings desired,
      Observed observed, Setting setting) {
    String name = table.tableName();
    return switch (setting) {
      case POINT_IN_TIME_RECOVERY -> {
        tables.updatePointInTimeRecovery(region, name, desired.pointInTimeRecovery);
        yield "UpdateContinuousBackups: point-in-time recovery " + (desired.pointInTimeRecovery ? "enabled"
            : "disabled");
      }
      case TIME_TO_LIVE -> {
        tables.enableTimeToLive(region, name, desired.timeToLive.attributeName);
        yield "UpdateTimeToLive: Time to Live enabled on " + desired.timeToLive.attributeName;
      }
      case TAGS -> {
        var missing = TableSettingsPlan.missingTags(desired.tags, observed.tags());
        tables.tag(region, table.tableArn(), missing);
        yield "TagResource: " + missing;
      }
      case DELETION_PROTECTION -> {
        tables.updateDeletionProtection(region, name, desired.deletionProtection);
        yield "UpdateTable: deletion protection " + (desired.deletionProtection ? "enabled" : "disabled");
      }
      case STREAM -> {
        tables.enableStream(region, name, desired.stream.viewType.name());
        yield "UpdateTable: stream of view type " + desired.stream.viewType + " enabled";
      }
    };
  }

  private Outcome outcome(Map<Setting, TableSettingsStatus.Setting> result, Map<Setting, Duration> retries,
      List<String> applied, boolean active, String tableStatus) {
    var status = toStatus(result);
    if (!retries.isEmpty()) {
      Setting first = retries.keySet().iterator().next();
      String failing = retries.keySet().stream().map(s -> s.field + ": " + result.get(s).message)
          .collect(Collectors.joining("; "));
      return new Outcome(status, first.failedReason, failing, retries.values().stream().min(Duration::compareTo)
          .orElseThrow(), applied);
    }
    List<String> applying = result.entrySet().stream().filter(e -> STATE_APPLYING.equals(e.getValue().state))
        .map(e -> e.getKey().field).toList();
    if (!applying.isEmpty()) {
      String why = active ? "applied or being applied by AWS, to be read back" : "waiting for the table to be"
          + " ACTIVE (it is " + tableStatus + ")";
      // soon after a change of ours or while the table is UPDATING; a change AWS makes alone (TTL ENABLING) is slow
      return new Outcome(status, APPLYING, "table settings " + applying + ": " + why, active && applied.isEmpty()
          ? settings.creatingPollMax() : settings.creatingPollMin(), applied);
    }
    return new Outcome(status, null, "table settings in place: " + result.keySet().stream().map(s -> s.field)
        .collect(Collectors.joining(", ")), settings.resyncPeriod(), applied);
  }

  private TableSettingsStatus.Setting failed(TableSettingsStatus.Setting previous, String observed, String call,
      AwsFailure failure, Map<Setting, Duration> retries, Setting setting) {
    int attempts = previous != null && previous.failedAttempts != null ? previous.failedAttempts + 1 : 1;
    var status = state(FAILED, observed != null ? observed : previous != null ? previous.observed : null);
    status.reason = failure.reason();
    status.failedAttempts = attempts;
    Duration delay = failure.kind() == AwsFailure.Kind.TERMINAL ? settings.terminalRetry()
        : settings.retryBackoff().delay(attempts);
    retries.put(setting, delay);
    status.nextAttemptAt = clock.instant().plus(delay).toString();
    status.message = call + " failed: " + failure + "; retry " + attempts + " at "
        + clock.instant().plus(delay).truncatedTo(ChronoUnit.SECONDS);
    return status;
  }

  /** How long a setting that failed must still wait for its next call; empty when it may be called now. */
  private java.util.Optional<Duration> waiting(TableSettingsStatus.Setting previous) {
    if (previous == null || !FAILED.equals(previous.state) || previous.nextAttemptAt == null) {
      return java.util.Optional.empty();
    }
    Duration left = Duration.between(clock.instant(), java.time.Instant.parse(previous.nextAttemptAt));
    return left.isNegative() || left.isZero() ? java.util.Optional.empty() : java.util.Optional.of(left);
  }

  private TableSettingsStatus.Setting conflict(TableSettingsStatus.Setting previous, Verdict.Conflict conflict) {
    var status = state(FAILED, conflict.observed());
    status.reason = TableSettingsPlan.SETTING_CONFLICT;
    status.message = conflict.message();
    status.failedAttempts = previous != null && previous.failedAttempts != null ? previous.failedAttempts + 1 : 1;
    return status;
  }

  private static TableSettingsStatus.Setting state(String state, String observed) {
    var status = new TableSettingsStatus.Setting();
    status.state = state;
    status.observed = observed;
    return status;
  }

  private static String readCall(Setting setting) {
    return switch (setting) {
      case POINT_IN_TIME_RECOVERY -> "DescribeContinuousBackups";
      case TIME_TO_LIVE -> "DescribeTimeToLive";
      case TAGS -> "ListTagsOfResource";
      default -> "DescribeTable";
    };
  }

  private static List<Setting> requested(TableSettings desired) {
    List<Setting> requested = new ArrayList<>();
    if (desired.pointInTimeRecovery != null) {
      requested.add(Setting.POINT_IN_TIME_RECOVERY);
    }
    if (desired.timeToLive != null) {
      requested.add(Setting.TIME_TO_LIVE);
    }
    if (desired.tags != null) {
      requested.add(Setting.TAGS);
    }
    if (desired.deletionProtection != null) {
      requested.add(Setting.DELETION_PROTECTION);
    }
    if (desired.stream != null) {
      requested.add(Setting.STREAM);
    }
    return requested;
  }

  private static TableSettingsStatus.Setting of(TableSettingsStatus status, Setting setting) {
    if (status == null) {
      return null;
    }
    return switch (setting) {
      case POINT_IN_TIME_RECOVERY -> status.pointInTimeRecovery;
      case TIME_TO_LIVE -> status.timeToLive;
      case TAGS -> status.tags;
      case DELETION_PROTECTION -> status.deletionProtection;
      case STREAM -> status.stream;
    };
  }

  private static TableSettingsStatus toStatus(Map<Setting, TableSettingsStatus.Setting> result) {
    var status = new TableSettingsStatus();
    status.pointInTimeRecovery = result.get(Setting.POINT_IN_TIME_RECOVERY);
    status.timeToLive = result.get(Setting.TIME_TO_LIVE);
    status.tags = result.get(Setting.TAGS);
    status.deletionProtection = result.get(Setting.DELETION_PROTECTION);
    status.stream = result.get(Setting.STREAM);
    return status;
  }
}
