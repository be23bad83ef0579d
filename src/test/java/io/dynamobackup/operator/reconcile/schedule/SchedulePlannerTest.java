package io.dynamobackup.operator.reconcile.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.api.DynamoBackupScheduleSpec;
import io.dynamobackup.operator.support.UnitTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The schedule's decisions over simulated time: no clock, no cluster, no sleeping. */
@UnitTest
class SchedulePlannerTest {

  static final Instant CREATED = Instant.parse("2026-11-25T00:00:30Z");

  @Test
  void everyMinuteOverADayWithKeepLastSevenEndsWithExactlySeven() {
    var spec = spec("* * * * *");
    spec.retention = new DynamoBackupScheduleSpec.ScheduleRetention();
    spec.retention.keepLast = 7;
    var world = new World(spec);

    for (int minute = 1; minute <= 24 * 60; minute++) {
      world.runAt(CREATED.plus(Duration.ofMinutes(minute)).plusSeconds(5));
    }
    world.runAt(CREATED.plus(Duration.ofDays(1)).plusSeconds(20)); // the pruning after the last creation

    assertThat(world.created).isEqualTo(24 * 60);
    assertThat(world.children).hasSize(7);
    assertThat(world.children).extracting(SchedulePlanner.Child::name)
        .containsExactly("nightly-20261125-2354", "nightly-20261125-2355", "nightly-20261125-2356",
            "nightly-20261125-2357", "nightly-20261125-2358", "nightly-20261125-2359", "nightly-20261126-0000");
  }

  @Test
  void maxAgePrunesWhatIsOlderThanIt() {
    var spec = spec("0 * * * *");
    spec.retention = new DynamoBackupScheduleSpec.ScheduleRetention();
    spec.retention.maxAge = "24h";
    var world = new World(spec);

    for (int hour = 1; hour <= 72; hour++) {
      world.runAt(CREATED.plus(Duration.ofHours(hour)));
    }

    Instant end = CREATED.plus(Duration.ofHours(72));
    assertThat(world.children).hasSize(24)
        .allSatisfy(c -> assertThat(c.scheduledAt()).isAfterOrEqualTo(end.minus(Duration.ofHours(24))));
  }

  @Test
  void afterDowntimeOnlyTheLatestMissedRunIsMadeNeverABurst() {
    var spec = spec("* * * * *");
    var world = new World(spec);
    world.runAt(CREATED.plus(Duration.ofMinutes(1)));

    world.runAt(CREATED.plus(Duration.ofHours(5))); // five hours down

    assertThat(world.created).isEqualTo(2);
    assertThat(world.children).extracting(SchedulePlanner.Child::name)
        .containsExactly("nightly-20261125-0001", "nightly-20261125-0500");
  }

  @Test
  void aRunLaterThanTheStartingDeadlineIsSkippedAndReported() {
    var spec = spec("0 3 * * *");
    spec.startingDeadlineSeconds = 60L;

    var plan = SchedulePlanner.plan(spec, CREATED, null, List.of(), Instant.parse("2026-11-25T03:02:00Z"));

    assertThat(plan.create()).isEmpty();
    assertThat(plan.missed()).contains(Instant.parse("2026-11-25T03:00:00Z"));
    assertThat(plan.next()).contains(Instant.parse("2026-11-26T03:00:00Z"));
  }

  @Test
  void suspendStopsCreatingButNotPruning() {
    var spec = spec("* * * * *");
    spec.suspend = true;
    spec.retention = new DynamoBackupScheduleSpec.ScheduleRetention();
    spec.retention.keepLast = 1;
    var children = List.of(child("old", "2026-11-25T00:01:00Z", false), child("new", "2026-11-25T00:02:00Z", false));

    var plan = SchedulePlanner.plan(spec, CREATED, null, children, Instant.parse("2026-11-25T01:00:10Z"));

    assertThat(plan.create()).isEmpty();
    assertThat(plan.next()).isEmpty();
    assertThat(plan.prune()).containsExactly("old");
  }

  @Test
  void protectedChildrenAreNeverPrunedAndAreReported() {
    var spec = spec("* * * * *");
    spec.retention = new DynamoBackupScheduleSpec.ScheduleRetention();
    spec.retention.keepLast = 1;
    var children = List.of(child("a", "2026-11-25T00:01:00Z", true), child("b", "2026-11-25T00:02:00Z", false),
        child("c", "2026-11-25T00:03:00Z", false));

    var plan = SchedulePlanner.plan(spec, CREATED, Instant.parse("2026-11-25T00:03:00Z"), children,
        Instant.parse("2026-11-25T00:03:30Z"));

    assertThat(plan.prune()).containsExactly("b");
    assertThat(plan.protectedKept()).containsExactly("a");
  }

  @Test
  void scheduleRunsInItsTimeZone() {
    var spec = spec("0 3 * * *");
    spec.timeZone = "Europe/Berlin";

    var plan = SchedulePlanner.plan(spec, CREATED, null, List.of(), Instant.parse("2026-11-25T02:00:10Z"));

    assertThat(plan.create()).contains(Instant.parse("2026-11-25T02:00:00Z")); // 03:00 CET
  }

  @Test
  void badSpecsAreNamedPrecisely() {
    var badCron = spec("every night");
    var badZone = spec("0 3 * * *");
    badZone.timeZone = "Mars/Olympus";

    assertThat(SchedulePlanner.problem(badCron)).hasValueSatisfying(p -> assertThat(p)
        .contains("spec.schedule 'every night' is not a cron expression"));
    assertThat(SchedulePlanner.problem(badZone)).hasValueSatisfying(p -> assertThat(p)
        .contains("spec.timeZone 'Mars/Olympus'"));
  }

  /**
   * Issue 15, items 7 and 9: retention counts backups, not runs. Children one minute apart, newest first, each holding
   * an AVAILABLE backup (A), one being made (P), or nothing (N: the run failed); the expected survivors, newest first.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "keepLast counts only AVAILABLE backups           | NNNAAA | 3 | -   | -  | NAAA",
      "table dropped: failed runs never push out the good | NNNNAA | 2 | -   | -  | NAA",
      "a run being made is not counted, nor pruned        | PAAA   | 2 | -   | -  | PAA",
      "an intent whose answer was lost is kept            | AAPA   | 1 | -   | -  | AP",
      "maxAge keeps the newest AVAILABLE backup           | NNNNA  | - | 2m  | -  | N A",
      "maxAge keeps minAvailable AVAILABLE backups         | NNAAA  | - | 1m  | 2  | NAA",
      "minAvailable 0 lets maxAge take them all           | NNAAA  | - | 1m  | 0  | N",
      "maxAge prunes old backups above the floor          | AAAAA  | - | 2m  | -  | AA",
      "a failed run is pruned once a newer run has a child | ANAN   | - | -   | -  | A A",
  })
  void retentionCountsBackupsNotRuns(String scenario, String holdings, String keepLast, String maxAge,
      String minAvailable, String expected) {
    Instant now = Instant.parse("2026-11-25T12:00:30Z");
    List<SchedulePlanner.Child> children = new ArrayList<>();
    for (int i = 0; i < holdings.length(); i++) {
      var holding = switch (holdings.charAt(i)) {
        case 'A' -> SchedulePlanner.Holding.AVAILABLE;
        case 'P' -> SchedulePlanner.Holding.PENDING;
        default -> SchedulePlanner.Holding.NOTHING;
      };
      children.add(new SchedulePlanner.Child("c" + i, now.minus(Duration.ofMinutes(i)).minusSeconds(30), false,
          false, holding));
    }
    var retention = new DynamoBackupScheduleSpec.ScheduleRetention();
    retention.keepLast = keepLast.equals("-") ? null : Integer.valueOf(keepLast);
    retention.maxAge = maxAge.equals("-") ? null : maxAge;
    retention.minAvailable = minAvailable.equals("-") ? null : Integer.valueOf(minAvailable);

    var retained = SchedulePlanner.retain(retention, children, now);
    String survivors = children.stream().filter(c -> !retained.prune().contains(c.name()))
        .map(c -> holdings.substring(Integer.parseInt(c.name().substring(1)), Integer.parseInt(c.name()
            .substring(1)) + 1)).reduce("", String::concat);
    assertThat(survivors).as(scenario).isEqualTo(expected.replace(" ", ""));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "maxAge zero         | maxAge      | 0s   | not a positive duration",
      "maxAge negative     | maxAge      | PT-1H | not a positive duration",
      "startingDeadline 0  | deadline    | 0    | spec.startingDeadlineSeconds must be at least 1",
      "minAvailable -1     | minAvailable | -1  | spec.retention.minAvailable must be 0 or more",
  })
  void zeroAndNegativeDurationsAreRefused(String scenario, String field, String value, String message) {
    var spec = spec("0 3 * * *");
    spec.retention = new DynamoBackupScheduleSpec.ScheduleRetention();
    switch (field) {
      case "maxAge" -> spec.retention.maxAge = value;
      case "deadline" -> spec.startingDeadlineSeconds = Long.valueOf(value);
      default -> spec.retention.minAvailable = Integer.valueOf(value);
    }
    assertThat(SchedulePlanner.problem(spec)).as(scenario).hasValueSatisfying(p -> assertThat(p).contains(message));
  }

  /** Issue 15, item 10: a label value has at most 63 characters; a longer schedule name is cut and hashed. */
  @Test
  void longScheduleNamesGiveValidDistinctLabelsAndChildNames() {
    String a = "a".repeat(70) + "-orders";
    String b = "a".repeat(70) + "-payments";
    assertThat(SchedulePlanner.labelValue("nightly")).isEqualTo("nightly");
    assertThat(SchedulePlanner.labelValue(a)).hasSize(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")
        .isNotEqualTo(SchedulePlanner.labelValue(b));
    Instant at = Instant.parse("2026-11-25T03:00:00Z");
    String longest = "n".repeat(253);
    assertThat(SchedulePlanner.childName(longest, at)).hasSize(253).endsWith("-20261125-0300")
        .isNotEqualTo(SchedulePlanner.childName("n".repeat(252) + "m", at));
  }

  static DynamoBackupScheduleSpec spec(String cron) {
    var spec = new DynamoBackupScheduleSpec();
    spec.tableName = "orders";
    spec.schedule = cron;
    return spec;
  }

  static SchedulePlanner.Child child(String name, String at, boolean deletionProtected) {
    return new SchedulePlanner.Child(name, Instant.parse(at), false, deletionProtected,
        SchedulePlanner.Holding.AVAILABLE);
  }

  /** The schedule's children as the reconciler would leave them after each run. */
  static final class World {
    final DynamoBackupScheduleSpec spec;
    final List<SchedulePlanner.Child> children = new ArrayList<>();
    Instant last;
    int created;

    World(DynamoBackupScheduleSpec spec) {
      this.spec = spec;
    }

    void runAt(Instant now) {
      var plan = SchedulePlanner.plan(spec, CREATED, last, List.copyOf(children), now);
      children.removeIf(c -> plan.prune().contains(c.name()));
      plan.create().ifPresent(at -> {
        children.add(new SchedulePlanner.Child(SchedulePlanner.childName("nightly", at), at, false, false,
            SchedulePlanner.Holding.AVAILABLE));
        last = at;
        created++;
      });
    }
  }
}
