package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.api.DynamoRestoreSpec.TableSettings;
import io.dynamobackup.operator.aws.ContinuousBackups;
import io.dynamobackup.operator.aws.TimeToLive;
import io.dynamobackup.operator.reconcile.SpecRules;
import io.dynamobackup.operator.reconcile.SpecRules.Problem;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a restored table's spec.tableSettings still need, decided from what AWS reports: pure functions, no calls.
 * A setting is changed only from "off" or from the opposite flag; one that AWS changes only by turning it off first
 * (TTL on another attribute, a stream of another view type) is a conflict to report, since turning off what someone
 * else turned on is not ours to do.
 */
public final class TableSettingsPlan {

  /** The settings, in the order they are applied; each with its spec field and the call that changes it. */
  public enum Setting {
    POINT_IN_TIME_RECOVERY("pointInTimeRecovery", "PointInTimeRecovery", "UpdateContinuousBackups"),
    TIME_TO_LIVE("timeToLive", "TimeToLive", "UpdateTimeToLive"),
    TAGS("tags", "Tags", "TagResource"),
    DELETION_PROTECTION("deletionProtection", "DeletionProtection", "UpdateTable"),
    STREAM("stream", "Stream", "UpdateTable");

    public final String field;
    /** The Ready reason while this setting fails: PointInTimeRecoveryFailed, TimeToLiveFailed, ... */
    public final String failedReason;
    public final String call;

    Setting(String field, String name, String call) {
      this.field = field;
      this.failedReason = name + "Failed";
      this.call = call;
    }

    /** UpdateTable puts the table into UPDATING, during which DynamoDB refuses the next UpdateTable. */
    public boolean updatesTable() {
      return call.equals("UpdateTable");
    }
  }

  public static final String SETTING_CONFLICT = "SettingConflict";
  static final int MAX_TAGS = 50;

  /** What to do about one setting, with the setting as AWS reports it. */
  public sealed interface Verdict {
    String observed();

    /** As requested. */
    record InPlace(String observed) implements Verdict {}

    /** AWS is changing it (ENABLING, DISABLING): nothing to call, look again. */
    record Pending(String observed) implements Verdict {}

    /** The call of the setting is needed. */
    record Change(String observed) implements Verdict {}

    /** Set otherwise, in a way the operator does not undo. */
    record Conflict(String observed, String message) implements Verdict {}
  }

  /**
   * What AWS reports of a table. Point-in-time recovery, TTL and tags are null when they were not read (not
   * requested, or the read failed); a null stream view type means no enabled stream.
   */
  public record Observed(ContinuousBackups pointInTimeRecovery, TimeToLive timeToLive, Boolean deletionProtection,
      Map<String, String> tags, String streamViewType) {}

  private TableSettingsPlan() {}

  /** The spec's own check, as the CRD's schema and CEL rules say it; empty when valid. */
  public static Optional<Problem> check(TableSettings settings) {
    if (settings == null) {
      return Optional.empty();
    }
    if (settings.timeToLive != null && (settings.timeToLive.attributeName == null
        || settings.timeToLive.attributeName.isBlank() || settings.timeToLive.attributeName.length() > 255)) {
      return invalid("spec.tableSettings.timeToLive.attributeName must be 1-255 characters");
    }
    if (settings.stream != null && settings.stream.viewType == null) {
      return invalid("spec.tableSettings.stream.viewType is required: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or"
          + " NEW_AND_OLD_IMAGES");
    }
    if (settings.tags != null) {
      if (settings.tags.size() > MAX_TAGS) {
        return invalid("spec.tableSettings.tags has " + settings.tags.size() + " tags; DynamoDB allows at most "
            + MAX_TAGS);
      }
      for (var tag : new TreeMap<>(settings.tags).entrySet()) {
        String key = tag.getKey();
        if (key == null || key.isEmpty() || key.length() > 128 || key.startsWith("aws:")) {
          return invalid("spec.tableSettings.tags key '" + key + "' must be 1-128 characters and not start with"
              + " aws:");
        }
        if (tag.getValue() != null && tag.getValue().length() > 256) {
          return invalid("spec.tableSettings.tags value of '" + key + "' is longer than 256 characters");
        }
      }
    }
    return Optional.empty();
  }

  /** The settings requested and read, each with its verdict, in the order they are applied. */
  public static Map<Setting, Verdict> decide(TableSettings desired, Observed observed) {
    Map<Setting, Verdict> verdicts = new LinkedHashMap<>();
    if (desired == null) {
      return verdicts;
    }
    if (desired.pointInTimeRecovery != null && observed.pointInTimeRecovery() != null) {
      verdicts.put(Setting.POINT_IN_TIME_RECOVERY, pointInTimeRecovery(desired.pointInTimeRecovery,
          observed.pointInTimeRecovery()));
    }
    if (desired.timeToLive != null && observed.timeToLive() != null) {
      verdicts.put(Setting.TIME_TO_LIVE, timeToLive(desired.timeToLive.attributeName, observed.timeToLive()));
    }
    if (desired.tags != null && observed.tags() != null) {
      verdicts.put(Setting.TAGS, tags(desired.tags, observed.tags()));
    }
    if (desired.deletionProtection != null) {
      String now = String.valueOf(Boolean.TRUE.equals(observed.deletionProtection()));
      verdicts.put(Setting.DELETION_PROTECTION, desired.deletionProtection.equals(observed.deletionProtection())
          ? new Verdict.InPlace(now) : new Verdict.Change(now));
    }
    if (desired.stream != null) {
      verdicts.put(Setting.STREAM, stream(desired.stream.viewType.name(), observed.streamViewType()));
    }
    return verdicts;
  }

  /** The tags to set: those requested that the table lacks or has with another value. */
  public static Map<String, String> missingTags(Map<String, String> desired, Map<String, String> observed) {
    Map<String, String> missing = new TreeMap<>();
    desired.forEach((key, value) -> {
      String wanted = value == null ? "" : value;
      if (!wanted.equals(observed.get(key))) {
        missing.put(key, wanted);
      }
    });
    return missing;
  }

  private static Verdict pointInTimeRecovery(boolean enabled, ContinuousBackups observed) {
    String status = observed.pointInTimeRecoveryStatus();
    if (status.equals(enabled ? "ENABLED" : "DISABLED")) {
      return new Verdict.InPlace(status);
    }
    return status.equals("ENABLING") && enabled ? new Verdict.Pending(status) : new Verdict.Change(status);
  }

  private static Verdict timeToLive(String attribute, TimeToLive observed) {
    String status = observed.status();
    String shown = observed.attributeName() == null ? status : status + " on " + observed.attributeName();
    return switch (status) {
      case "ENABLED", "ENABLING" -> attribute.equals(observed.attributeName())
          ? (status.equals("ENABLED") ? new Verdict.InPlace(shown) : new Verdict.Pending(shown))
          : new Verdict.Conflict(shown, "Time to Live is " + shown + ", not on " + attribute + "; AWS moves it only"
              + " by disabling it first (and then not for up to an hour), which the operator leaves to you: disable"
              + " it, or set spec.tableSettings.timeToLive.attributeName to " + observed.attributeName());
      case "DISABLING" -> new Verdict.Pending(shown);
      default -> new Verdict.Change(shown);
    };
  }

  private static Verdict tags(Map<String, String> desired, Map<String, String> observed) {
    Map<String, String> requested = new TreeMap<>();
    desired.keySet().forEach(key -> {
      if (observed.containsKey(key)) {
        requested.put(key, observed.get(key));
      }
    });
    String shown = requested.toString();
    return missingTags(desired, observed).isEmpty() ? new Verdict.InPlace(shown) : new Verdict.Change(shown);
  }

  private static Verdict stream(String viewType, String observed) {
    if (observed == null) {
      return new Verdict.Change("NONE");
    }
    return observed.equals(viewType) ? new Verdict.InPlace(observed) : new Verdict.Conflict(observed, "the table"
        + " has a stream of view type " + observed + ", not " + viewType + "; AWS changes it only by disabling the"
        + " stream first, which ends it for its readers, so the operator leaves it to you: disable it, or set"
        + " spec.tableSettings.stream.viewType to " + observed);
  }

  private static Optional<Problem> invalid(String message) {
    return Optional.of(new Problem(SpecRules.INVALID_SPEC, message));
  }
}
