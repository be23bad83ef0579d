package io.dynamobackup.operator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dynamobackup.operator.support.UnitTest;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The limiter on a simulated clock: sleeping advances it, so the figures are exact. */
@UnitTest
class QuotaLimiterTest {

  static final String REGION = "eu-west-1";
  static final Duration MAX_BLOCK = Duration.ofMillis(250);
  /** One slot at DeleteBackup's quota of 10/s, less the headroom. */
  static final long SLOT_MILLIS = Math.round(1000 / (10 * QuotaLimiter.HEADROOM));

  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final TimeMeter time = new TimeMeter() {
    @Override
    public long currentTimeNanos() {
      return nanos.get();
    }

    @Override
    public boolean isWallClockBased() {
      return false;
    }
  };
  final QuotaLimiter limiter = new QuotaLimiter(Map.of("DeleteBackup", 10.0), MAX_BLOCK, time,
      d -> nanos.addAndGet(d.toNanos()));

  @Test
  void callsThatWaitInPlaceGoAtTheQuotaLessItsHeadroom() {
    long start = nanos.get();
    for (int i = 0; i < 101; i++) {
      assertThat(limiter.admit(REGION, "DeleteBackup", "arn-" + i, Duration.ofMinutes(1)).comeBackIn()).isZero();
    }
    double seconds = (nanos.get() - start) / 1e9;
    assertThat(100 / seconds).isCloseTo(10 * QuotaLimiter.HEADROOM, within(0.01));
  }

  @Test
  void callersBeyondTheBlockLimitGetSlotsInOrderAndKeepThem() {
    // twenty threads ask at the same instant: their sleeps run side by side, so they do not move the clock
    List<Duration> slept = new ArrayList<>();
    var concurrent = new QuotaLimiter(Map.of("DeleteBackup", 10.0), MAX_BLOCK, time, slept::add);
    List<Duration> comeBack = new ArrayList<>();
    int admittedInPlace = 0;
    for (int i = 0; i < 20; i++) {
      Duration later = concurrent.admit(REGION, "DeleteBackup", "arn-" + i, Duration.ZERO).comeBackIn();
      if (later.isZero()) {
        admittedInPlace++;
      } else {
        comeBack.add(later.plusNanos(nanos.get()));
      }
    }
    assertThat(slept).allMatch(d -> d.compareTo(MAX_BLOCK) <= 0);
    // the first few fit into 250 ms at one call per slot (~100 ms); the rest form a queue, one slot apart
    assertThat(admittedInPlace).isEqualTo(3);
    assertThat(comeBack).hasSize(17).isSorted().doesNotHaveDuplicates();
    assertThat(comeBack.get(16).minus(comeBack.get(0)).toMillis()).isCloseTo(16 * SLOT_MILLIS, within(2L));

    // arn-10 comes back when told, most of a block before its slot: admitted without taking another one
    nanos.set(comeBack.get(7).toNanos());
    slept.clear();
    assertThat(concurrent.admit(REGION, "DeleteBackup", "arn-10", Duration.ZERO).comeBackIn()).isZero();
    assertThat(slept).singleElement().isEqualTo(Duration.ofNanos(concurrent.comeBackLead()));
    // a newcomer queues behind the last reservation, not behind arn-10's second ask
    Duration newcomer = concurrent.admit(REGION, "DeleteBackup", "arn-new", Duration.ZERO).comeBackIn();
    assertThat(newcomer.plusNanos(nanos.get()).minus(comeBack.get(16)).toMillis()).isCloseTo(SLOT_MILLIS, within(2L));
  }

  @Test
  void sustainedThrottlingSlowsDownOncePerWindowThenClimbsBackStepByStep() {
    double target = 10 * QuotaLimiter.HEADROOM;
    limiter.admit(REGION, "DeleteBackup", "first", Duration.ZERO).comeBackIn();
    limiter.throttled(REGION, "DeleteBackup");
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    limiter.throttled(REGION, "DeleteBackup");
    assertThat(limiter.currentRate(REGION, "DeleteBackup")).as("two throttled answers: jitter")
        .isCloseTo(target, within(1e-9));
    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    limiter.throttled(REGION, "DeleteBackup");
    assertThat(limiter.currentRate(REGION, "DeleteBackup")).as("a third, but 10 s later")
        .isCloseTo(target, within(1e-9));
    for (int i = 1; i < QuotaLimiter.sustainedCount(10) - 1; i++) {
      limiter.throttled(REGION, "DeleteBackup");
    }
    assertThat(limiter.currentRate(REGION, "DeleteBackup")).as("one short of sustained")
        .isCloseTo(target, within(1e-9));
    limiter.throttled(REGION, "DeleteBackup");
    assertThat(limiter.currentRate(REGION, "DeleteBackup")).as("a fifth of the quota's calls within 5 s")
        .isCloseTo(target * 0.8, within(1e-9));
    for (int i = 0; i < 5; i++) {
      limiter.throttled(REGION, "DeleteBackup");
    }
    assertThat(limiter.currentRate(REGION, "DeleteBackup")).as("the answers that follow, in the same window")
        .isCloseTo(target * 0.8, within(1e-9));
    nanos.addAndGet(QuotaLimiter.SUSTAINED.toNanos());
    for (int i = 0; i < QuotaLimiter.sustainedCount(10); i++) {
      limiter.throttled(REGION, "DeleteBackup");
    }
    assertThat(limiter.currentRate(REGION, "DeleteBackup")).isCloseTo(target * 0.64, within(1e-9));

    List<Double> rates = new ArrayList<>();
    for (int step = 0; step < 5; step++) {
      nanos.addAndGet(QuotaLimiter.RECOVERY_STEP.toNanos());
      limiter.admit(REGION, "DeleteBackup", "step-" + step, Duration.ofMinutes(1)).comeBackIn();
      rates.add(limiter.currentRate(REGION, "DeleteBackup"));
    }
    assertThat(rates).isSorted();
    assertThat(rates.get(0)).isCloseTo(target * 0.64 + target / 10, within(1e-9));
    assertThat(rates.get(4)).isCloseTo(target, within(1e-9));
  }

  @Test
  void slowingDownKeepsTheQueueLengthInTimeAndSpacesNewcomersAtTheNewPace() {
    List<Duration> slept = new ArrayList<>();
    var concurrent = new QuotaLimiter(Map.of("DeleteBackup", 10.0), MAX_BLOCK, time, slept::add);
    Duration tail = Duration.ZERO;
    for (int i = 0; i < 100; i++) {
      tail = concurrent.admit(REGION, "DeleteBackup", "arn-" + i, Duration.ZERO).comeBackIn();
    }
    for (int i = 0; i < QuotaLimiter.sustainedCount(10); i++) {
      concurrent.throttled(REGION, "DeleteBackup");
    }
    double slower = concurrent.currentRate(REGION, "DeleteBackup");
    assertThat(slower).isCloseTo(10 * QuotaLimiter.HEADROOM * QuotaLimiter.DECREASE, within(1e-9));
    Duration newcomer = concurrent.admit(REGION, "DeleteBackup", "newcomer", Duration.ZERO).comeBackIn();
    assertThat(newcomer.minus(tail).toMillis()).as("one new interval after the last reserved slot")
        .isCloseTo(Math.round(1000 / slower), within(3L));
  }

  /** Sleeps move the simulated clock only once switched on: before, callers ask side by side, at one instant. */
  private QuotaLimiter limiterWhoseSleeps(java.util.concurrent.atomic.AtomicBoolean moveTheClock) {
    return new QuotaLimiter(Map.of("DeleteBackup", 10.0), MAX_BLOCK, time, d -> {
      if (moveTheClock.get()) {
        nanos.addAndGet(d.toNanos());
      }
    });
  }

  @ParameterizedTest(name = "told to come back again, every {0}th caller is {1} ms late: at least {2} calls/s")
  @CsvSource(delimiter = '|', value = {
      "1 | 0   | 9.0", // all on time: they catch up at the quota, no second lost to coming back
      "3 | 300 | 7.0", // a third late again: the departures held for them go by unused, lost as missed slots are
      "1 | 150 | 9.0", // all late again by the same 150 ms: the line shifts, little is lost
  })
  void callersThatComeBackLateDoNotGoOutInABurstNorWaitInPlaceLongerThanTheBlockLimit(int every, long lateMillis,
      double minimumRate) {
    // Thirty threads ask at once and most get slots for later; then every reconcile stalls, and they all come back
    // late at the same instant. Each is its own thread: its sleep does not move the clock, it leaves when it ends.
    List<Duration> sleeps = new ArrayList<>();
    var concurrent = new QuotaLimiter(Map.of("DeleteBackup", 10.0), MAX_BLOCK, time, sleeps::add);
    var comeBack = new java.util.TreeMap<Long, List<String>>();
    for (int i = 0; i < 30; i++) {
      if (!concurrent.admit(REGION, "DeleteBackup", "arn-" + i, Duration.ZERO).comeBackIn().isZero()) {
        comeBack.computeIfAbsent(nanos.get() + Duration.ofSeconds(10).toNanos(), t -> new ArrayList<>())
            .add("arn-" + i);
      }
    }
    assertThat(comeBack.values().iterator().next()).hasSizeGreaterThan(20);
    List<Long> departures = new ArrayList<>();
    int turnedAway = 0;
    for (int round = 0; round < 1000 && !comeBack.isEmpty(); round++) {
      var next = comeBack.pollFirstEntry();
      for (String subject : next.getValue()) {
        nanos.set(next.getKey());
        sleeps.clear();
        Duration later = concurrent.admit(REGION, "DeleteBackup", subject, Duration.ZERO).comeBackIn();
        long inPlace = sleeps.stream().mapToLong(Duration::toNanos).sum();
        assertThat(inPlace).as("waited in place").isLessThanOrEqualTo(MAX_BLOCK.toNanos());
        if (later.isZero()) {
          departures.add(next.getKey() + inPlace);
        } else {
          long late = ++turnedAway % every == 0 ? Duration.ofMillis(lateMillis).toNanos() : 0;
          comeBack.computeIfAbsent(next.getKey() + later.toNanos() + late, t -> new ArrayList<>()).add(subject);
        }
      }
    }
    assertThat(comeBack).as("callers still waiting").isEmpty();
    assertThat(turnedAway).as("late callers told to come back rather than queue in place").isPositive();
    departures.sort(null);
    for (int i = 10; i < departures.size(); i++) {
      assertThat(departures.get(i) - departures.get(i - 10)).as("11 departures span more than a second")
          .isGreaterThan(1_000_000_000L);
    }
    double seconds = (departures.get(departures.size() - 1) - departures.get(0)) / 1e9;
    assertThat((departures.size() - 1) / seconds).isGreaterThan(minimumRate);
  }

  @Test
  void aCallerHeldUpOnceDoesNotPushEveryLaterCallBack() {
    // two hundred callers ask at once and get slots; the first to come back is 150 ms late, the rest on time
    var sleepsMoveTheClock = new java.util.concurrent.atomic.AtomicBoolean(false);
    var switchable = limiterWhoseSleeps(sleepsMoveTheClock);
    List<String> deferred = new ArrayList<>();
    List<Long> comeBackAt = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Duration later = switchable.admit(REGION, "DeleteBackup", "arn-" + i, Duration.ZERO).comeBackIn();
      if (!later.isZero()) {
        deferred.add("arn-" + i);
        comeBackAt.add(nanos.get() + later.toNanos());
      }
    }
    sleepsMoveTheClock.set(true);
    List<Long> lateness = new ArrayList<>();
    List<Long> departures = new ArrayList<>();
    for (int i = 0; i < deferred.size(); i++) {
      long slot = comeBackAt.get(i) + switchable.comeBackLead();
      nanos.set(Math.max(nanos.get(), i == 0 ? slot + Duration.ofMillis(150).toNanos() : comeBackAt.get(i)));
      assertThat(switchable.admit(REGION, "DeleteBackup", deferred.get(i), Duration.ZERO).comeBackIn()).isZero();
      departures.add(nanos.get());
      lateness.add(nanos.get() - slot);
    }
    // fixed spacing would leave every later call 150 ms behind its slot; the loss is made up, within the quota
    assertThat(lateness.get(0)).isGreaterThanOrEqualTo(Duration.ofMillis(150).toNanos());
    assertThat(lateness.subList(lateness.size() - 10, lateness.size()))
        .allMatch(late -> late < Duration.ofMillis(5).toNanos());
    for (int i = 10; i < departures.size(); i++) {
      assertThat(departures.get(i) - departures.get(i - 10)).as("11 departures span more than a second")
          .isGreaterThan(1_000_000_000L);
    }
  }

  @Test
  void aCallThrottledByAwsGetsTheNextSlotNotABackoff() {
    List<Duration> slept = new ArrayList<>();
    var concurrent = new QuotaLimiter(Map.of("DeleteBackup", 10.0), MAX_BLOCK, time, slept::add);
    for (int i = 0; i < 5; i++) {
      concurrent.admit(REGION, "DeleteBackup", "arn-" + i, Duration.ZERO);
    }
    // arn-0 was answered throttled: it queues behind the five slots handed out, about 0.5 s from now
    Duration comeBack = concurrent.reserveAgain(REGION, "DeleteBackup", "arn-0").orElseThrow();
    assertThat(comeBack.toMillis()).isCloseTo(5 * SLOT_MILLIS - concurrent.comeBackLead() / 1_000_000, within(3L));
    nanos.addAndGet(comeBack.toNanos());
    slept.clear();
    assertThat(concurrent.admit(REGION, "DeleteBackup", "arn-0", Duration.ZERO).comeBackIn()).isZero();
    assertThat(slept).singleElement().satisfies(d -> assertThat(d.toMillis())
        .isCloseTo(concurrent.comeBackLead() / 1_000_000, within(3L)));
    assertThat(concurrent.reserveAgain(REGION, "CreateBackup", "table/x")).as("no quota, no slot").isEmpty();
  }

  @Test
  void operationsWithoutAQuotaAndTheUnlimitedLimiterNeverWait() {
    long before = nanos.get();
    for (int i = 0; i < 100; i++) {
      assertThat(limiter.admit(REGION, "CreateBackup", "table/" + i, Duration.ZERO).comeBackIn()).isZero();
      assertThat(QuotaLimiter.unlimited().admit(REGION, "DeleteBackup", "arn-" + i, Duration.ZERO).comeBackIn())
          .isZero();
    }
    assertThat(nanos.get()).isEqualTo(before);
  }

  @Test
  void regionsHaveTheirOwnBuckets() {
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.admit("eu-west-1", "DeleteBackup", "a-" + i, Duration.ZERO).comeBackIn()).isZero();
    }
    long before = nanos.get();
    assertThat(limiter.admit("us-east-1", "DeleteBackup", "b", Duration.ZERO).comeBackIn()).isZero();
    assertThat(nanos.get()).isEqualTo(before);
  }

  /**
   * One caller after another at ListBackups' 5/s, as a listing pass pages: the first call is answered after
   * {@code answerMillis}; the sixth may leave only once AWS no longer counts the first in its one-second window.
   * A late answer means the first call may have arrived that late (a stalled thread, a slow network): the sixth then
   * waits a second after the answer, so no delay on the way turns it into a sixth call within one second.
   */
  @ParameterizedTest(name = "answered after {0} ms: the sixth call leaves {1} ms after the first")
  @CsvSource(delimiter = '|', value = {
      // answer | first to sixth departure
      "0        | 1020", // the slots' own pace, 5 at 0.98 of the quota: the answer does not slow it down
      "15       | 1020", // a quick answer, within the slots' headroom
      "50       | 1051", // a late answer: a second after it, and the margin
      "400      | 1401", // a very late one
  })
  void theCallAQuotaLaterLeavesOnceAwsNoLongerCountsTheFirst(long answerMillis, long gapMillis) {
    var pages = new QuotaLimiter(Map.of("ListBackups", 5.0), MAX_BLOCK, time, d -> nanos.addAndGet(d.toNanos()));
    List<Long> departures = new ArrayList<>();
    for (int page = 0; page < 6; page++) {
      var admission = pages.admit(REGION, "ListBackups", "pages", Duration.ofMinutes(1));
      assertThat(admission.mayGo()).isTrue();
      departures.add(nanos.get());
      nanos.addAndGet(Duration.ofMillis(page == 0 ? answerMillis : 2).toNanos());
      admission.departure().answered();
    }
    assertThat((departures.get(5) - departures.get(0)) / 1_000_000).isEqualTo(gapMillis);
  }
}
