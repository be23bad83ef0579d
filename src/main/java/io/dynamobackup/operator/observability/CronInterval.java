package io.dynamobackup.operator.observability;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A schedule's expected interval between backups, from its cron: the gap between its latest run and the run before
 * it. For an irregular cron (weekdays only) that is the gap the newest backup was made for, so a Monday run is
 * judged against the weekend's three days and a Tuesday run against one.
 */
final class CronInterval {

  private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  /** Parsed crons, so that a scrape does not parse every schedule again; a few distinct crons in practice. */
  private static final int MAX_CACHED = 1_000;
  private static final Map<String, Optional<ExecutionTime>> parsed = new ConcurrentHashMap<>();

  private CronInterval() {}

  /** Empty when the cron or the time zone is invalid (the schedule says so in its status). */
  static Optional<Duration> of(String cron, String timeZone, Instant now) {
    Optional<ZoneId> zone = zone(timeZone);
    Optional<ExecutionTime> times = cron == null ? Optional.empty() : executionTime(cron);
    if (zone.isEmpty() || times.isEmpty()) {
      return Optional.empty();
    }
    ExecutionTime execution = times.get();
    ZonedDateTime at = now.atZone(zone.get());
    ZonedDateTime minute = at.truncatedTo(ChronoUnit.MINUTES);
    Optional<ZonedDateTime> latest = execution.isMatch(minute) ? Optional.of(minute) : execution.lastExecution(at);
    Optional<ZonedDateTime> before = latest.flatMap(execution::lastExecution);
    if (latest.isPresent() && before.isPresent()) {
      return Optional.of(Duration.between(before.get(), latest.get()));
    }
    Optional<ZonedDateTime> next = execution.nextExecution(at);
    return next.flatMap(execution::nextExecution).map(after -> Duration.between(next.get(), after));
  }

  private static Optional<ExecutionTime> executionTime(String cron) {
    if (parsed.size() > MAX_CACHED) {
      parsed.clear();
    }
    return parsed.computeIfAbsent(cron, c -> {
      try {
        return Optional.of(ExecutionTime.forCron(CRON.parse(c).validate()));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    });
  }

  private static Optional<ZoneId> zone(String timeZone) {
    try {
      return Optional.of(timeZone == null ? ZoneOffset.UTC : ZoneId.of(timeZone));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
