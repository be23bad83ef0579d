package io.dynamobackup.operator.reconcile;

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
 * latest due run is made (never a burst after downtime); retention prunes by keepLast and maxAge, never a protected
 * child.
 */
public final class SchedulePlanner {

  private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final DateTimeFormatter CHILD_SUFFIX =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmm").withZone(ZoneOffset.UTC);

  /** One existing child, as the planner needs to see it. */
  public record Child(String name, Instant scheduledAt, boolean deleting, boolean deletionProtected) {}

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
        && Durations.parse(spec.retention.maxAge).isEmpty()) {
      return Optional.of("spec.retention.maxAge '" + spec.retention.maxAge + "' is not a duration (like 14d)");
    }
    if (spec.retention != null && spec.retention.keepLast != null && spec.retention.keepLast < 1) {
      return Optional.of("spec.retention.keepLast must be at least 1");
    }
    return Optional.empty();
  }

  /** The child's name: the schedule's name and the scheduled minute in UTC, so names sort by time. */
  public static String childName(String scheduleName, Instant scheduledAt) {
    String suffix = "-" + CHILD_SUFFIX.format(scheduledAt);
    return scheduleName.substring(0, Math.min(scheduleName.length(), 253 - suffix.length())) + suffix;
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

    List<String> prune = new ArrayList<>();
    List<String> protectedKept = new ArrayList<>();
    List<Child> live = children.stream().filter(c -> !c.deleting())
        .sorted(Comparator.comparing(Child::scheduledAt).reversed()).toList();
    Integer keepLast = spec.retention == null ? null : spec.retention.keepLast;
    Optional<Duration> maxAge = spec.retention == null ? Optional.empty() : Durations.parse(spec.retention.maxAge);
    for (int i = 0; i < live.size(); i++) {
      Child child = live.get(i);
      boolean beyondKeepLast = keepLast != null && i >= keepLast;
      boolean tooOld = maxAge.map(age -> child.scheduledAt().isBefore(now.minus(age))).orElse(false);
      if (beyondKeepLast || tooOld) {
        (child.deletionProtected() ? protectedKept : prune).add(child.name());
      }
    }
    return new Plan(create, missed, prune, protectedKept, next);
  }
}
