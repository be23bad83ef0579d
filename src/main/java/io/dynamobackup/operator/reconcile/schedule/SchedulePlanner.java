package io.dynamobackup.operator.reconcile.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.dynamobackup.operator.api.DynamoBackupScheduleSpec;
import io.dynamobackup.operator.api.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What a schedule should do now: a pure function of its spec, its last run, its children and the time. At most the
 * latest due run is made (never a burst after downtime). Retention counts backups, not runs: keepLast keeps the
 * newest N AVAILABLE backups, maxAge never takes the newest minAvailable of them, a child still being made is never
 * pruned, and a child that holds no backup (its run failed) goes once a newer run has a child. Protected children
 * are never pruned.
 */
public final class SchedulePlanner {

  private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final DateTimeFormatter CHILD_SUFFIX =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmm").withZone(ZoneOffset.UTC);

  /** What a child holds in AWS, as far as its status tells. */
  public enum Holding {
    /** An AVAILABLE backup: a good one, counted by retention. */
    AVAILABLE,
    /** A backup being made, or one that may exist (an intent whose answer was lost): never pruned. */
    PENDING,
    /** No backup: its run failed (missing table, refused, invalid), or its backup is gone. */
    NOTHING
  }

  /** One existing child, as the planner needs to see it. */
  public record Child(String name, Instant scheduledAt, boolean deleting, boolean deletionProtected,
      Holding holding) {}

  /**
   * @param create the scheduled time of the child to create now, if one is due
   * @param missed a due run skipped because it is later than startingDeadlineSeconds
   * @param prune children to delete
   * @param protectedKept children retention would prune but their deletionProtection keeps
   * @param next the next scheduled time (empty while suspended)
   */
  public record Plan(Optional<Instant> create, Optional<Instant> missed, List<String> prune,
      List<String> protectedKept, Optional<Instant> next) {}

  private SchedulePlanner() {}

  /** The problem with a spec, if any, in words a user can act on. */
  public static Optional<String> problem(DynamoBackupScheduleSpec spec) {
    if (spec != null && !spec.typeErrors().isEmpty()) {
      return Optional.of(String.join("; ", spec.typeErrors()));
    }
    if (spec == null || spec.tableName == null || spec.tableName.isBlank()) {
      return Optional.of("spec.tableName is required");
    }
    if (spec.schedule == null || spec.schedule.isBlank()) {
      return Optional.of("spec.schedule is required (a cron expression such as '0 3 * * *')");
    }
    try {
      CRON.parse(spec.schedule).validate();
    } catch (IllegalArgumentException e) {
      return Optional.of("spec.schedule '" + spec.schedule + "' is not a cron expression of five fields: "
          + e.getMessage());
    }
    if (spec.timeZone != null) {
      try {
        ZoneId.of(spec.timeZone);
      } catch (RuntimeException e) {
        return Optional.of("spec.timeZone '" + spec.timeZone + "' is not an IANA time zone (like Europe/Berlin)");
      }
    }
    if (spec.retention != null && spec.retention.maxAge != null
        && Durations.parsePositive(spec.retention.maxAge).isEmpty()) {
      return Optional.of("spec.retention.maxAge '" + spec.retention.maxAge + "' is not a positive duration (like"
          + " 14d); a zero or negative age would prune every backup at once");
    }
    if (spec.retention != null && spec.retention.keepLast != null && spec.retention.keepLast < 1) {
      return Optional.of("spec.retention.keepLast must be at least 1");
    }
    if (spec.retention != null && spec.retention.minAvailable != null && spec.retention.minAvailable < 0) {
      return Optional.of("spec.retention.minAvailable must be 0 or more");
    }
    if (spec.startingDeadlineSeconds != null && spec.startingDeadlineSeconds < 1) {
      return Optional.of("spec.startingDeadlineSeconds must be at least 1; " + spec.startingDeadlineSeconds
          + " would skip every run");
    }
    return Optional.empty();
  }

  /** The default floor of spec.retention.minAvailable: maxAge never takes the last good backup. */
  public static final int DEFAULT_MIN_AVAILABLE = 1;

  /** The children to prune, and those retention would prune but their deletionProtection keeps. */
  public record Retained(List<String> prune, List<String> protectedKept) {}

  /** Retention alone: which children go. */
  public static Retained retain(DynamoBackupScheduleSpec.ScheduleRetention retention, List<Child> children,
      Instant now) {
    List<Child> live = children.stream().filter(c -> !c.deleting())
        .sorted(Comparator.comparing(Child::scheduledAt).reversed()).toList();
    Integer keepLast = retention == null ? null : retention.keepLast;
    int floor = retention == null || retention.minAvailable == null ? DEFAULT_MIN_AVAILABLE : retention.minAvailable;
    Optional<Duration> maxAge = retention == null ? Optional.empty() : Durations.parsePositive(retention.maxAge);
    List<String> prune = new ArrayList<>();
    List<String> protectedKept = new ArrayList<>();
    int newerAvailable = 0;
    for (int i = 0; i < live.size(); i++) {
      Child child = live.get(i);
      boolean tooOld = maxAge.map(age -> child.scheduledAt().isBefore(now.minus(age))).orElse(false);
      boolean goes = switch (child.holding()) {
        case AVAILABLE -> keepLast != null && newerAvailable >= keepLast || tooOld && newerAvailable >= floor;
        case NOTHING -> i > 0 || tooOld; // a newer run has a child: this failed one is superseded
        case PENDING -> false;
      };
      if (child.holding() == Holding.AVAILABLE) {
        newerAvailable++;
      }
      if (goes) {
        (child.deletionProtected() ? protectedKept : prune).add(child.name());
      }
    }
    return new Retained(prune, protectedKept);
  }

  /**
   * The child's name: the schedule's name and the scheduled minute in UTC, so names sort by time. A name too long
   * to take the suffix is cut and given a hash of the whole, so two long names never share children.
   */
  public static String childName(String scheduleName, Instant scheduledAt) {
    return fitted(scheduleName, "-" + CHILD_SUFFIX.format(scheduledAt), 253);
  }

  /**
   * The schedule label's value on its children: its name, or (names over 63 characters, a label's limit) the name
   * cut short with a hash of the whole.
   */
  public static String labelValue(String scheduleName) {
    return fitted(scheduleName, "", 63);
  }

  /** {@code name + suffix} within {@code limit} characters; when it does not fit, a cut name and a hash of it. */
  static String fitted(String name, String suffix, int limit) {
    if (name.length() + suffix.length() <= limit) {
      return name + suffix;
    }
    String hash = "-" + hash(name).substring(0, 10);
    return name.substring(0, limit - suffix.length() - hash.length()) + hash + suffix;
  }

  /** SHA-256 of the text, in hex. */
  static String hash(String text) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /**
   * @param createdAt when the schedule object was created: runs before it are not made up
   * @param lastScheduled the scheduled time of the newest child made, if any
   */
  public static Plan plan(DynamoBackupScheduleSpec spec, Instant createdAt, Instant lastScheduled,
      List<Child> children, Instant now) {
    ExecutionTime times = ExecutionTime.forCron(CRON.parse(spec.schedule));
    ZoneId zone = spec.timeZone == null ? ZoneOffset.UTC : ZoneId.of(spec.timeZone);
    ZonedDateTime minute = now.atZone(zone).truncatedTo(ChronoUnit.MINUTES);
    Optional<Instant> latest = (times.isMatch(minute) ? Optional.of(minute) : times.lastExecution(minute))
        .map(ZonedDateTime::toInstant);
    Instant floor = lastScheduled != null && lastScheduled.isAfter(createdAt) ? lastScheduled : createdAt;
    boolean suspended = Boolean.TRUE.equals(spec.suspend);
    Optional<Instant> due = latest.filter(t -> !suspended && t.isAfter(floor));
    Optional<Instant> missed = due.filter(t -> spec.startingDeadlineSeconds != null
        && Duration.between(t, now).getSeconds() > spec.startingDeadlineSeconds);
    Optional<Instant> create = missed.isPresent() ? Optional.empty() : due;
    Optional<Instant> next = suspended ? Optional.empty()
        : times.nextExecution(now.atZone(zone)).map(ZonedDateTime::toInstant);

    Retained retained = retain(spec.retention, children, now);
    return new Plan(create, missed, retained.prune(), retained.protectedKept(), next);
  }
}
