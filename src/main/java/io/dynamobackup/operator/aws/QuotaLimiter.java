package io.dynamobackup.operator.aws;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client-side rate limits at DynamoDB's per-account, per-region quotas: one Bucket4j token bucket per (region,
 * operation), shared by every reconciler thread. A caller either gets a slot within {@code maxBlock} (and waits for
 * it in place, never longer), or a slot is reserved for it further ahead and it is told when to come back, so that a
 * thread never sits behind a long queue (creates are not stuck behind a thousand queued deletes, nor one account's
 * calls behind another's). Reservations are kept per subject (a backup ARN, a table), so callers that come back are
 * served in the order they first asked, at the quota, without a thundering herd. A call leaves only once AWS no
 * longer counts the call a quota's worth before it: a second after that call's answer when its caller reports it
 * ({@link Departure#answered()}), else a second and {@link #ARRIVAL_JITTER} after it left; a caller that would wait
 * for that past {@code maxBlock} has its departure held and comes back for it.
 *
 * <p>Adaptive: when AWS keeps answering throttled (another client shares the quota: {@link #sustainedCount}
 * throttled answers within {@link #SUSTAINED}), the rate drops by {@link #DECREASE}, at most once per that window
 * (the answers that follow come from calls already under way); it climbs back by a tenth of the quota every
 * {@link #RECOVERY_STEP}. A lone throttled answer is network jitter putting one call into the wrong second: that call
 * goes again at its next slot, the pace is kept.
 */
public final class QuotaLimiter {

  /** The documented quotas, calls per second per account and region. */
  public static final Map<String, Double> DOCUMENTED_QUOTAS = Map.of(
      "CreateBackup", 50.0, "DescribeBackup", 10.0, "DeleteBackup", 10.0, "ListBackups", 5.0);
  /**
   * The share of a quota the limiter aims at. AWS counts calls as they arrive, not as they leave: a little headroom
   * absorbs network jitter, which would otherwise put an 11th call into some one-second window.
   */
  public static final double HEADROOM = 0.98;
  static final Duration SUSTAINED = Duration.ofSeconds(5);
  /**
   * The share of a quota's calls within {@link #SUSTAINED} that, answered throttled, means another client shares the
   * quota. Jitter alone throttles a few calls in a row when a busy machine delays some (a mass delete's first
   * seconds); slowing down then would lock the slower pace into every slot reserved meanwhile, for a minute of a
   * thousand deletes.
   */
  static final double SUSTAINED_SHARE = 0.2;
  static final double DECREASE = 0.8;
  static final Duration RECOVERY_STEP = Duration.ofSeconds(2);
  static final double MIN_SHARE = 0.1;
  /** The share of {@code maxBlock} by which a deferred caller comes back before its slot. */
  static final double COME_BACK_LEAD = 0.8;
  /**
   * How much closer together calls may arrive at AWS than they left: no more than the quota's calls leave in any one
   * second plus this, so that an 11th call never lands in a one-second window.
   */
  static final Duration ARRIVAL_JITTER = Duration.ofMillis(10);
  /**
   * How long after a call's answer came back the call a quota's worth later may go: AWS counted the first call
   * before it answered, so a second after the answer is always outside its window; this covers clock granularity.
   */
  static final Duration ANSWER_MARGIN = Duration.ofMillis(1);
  /** The soonest a caller whose departure is held for it is told to come back (it then waits the rest in place). */
  static final Duration MIN_COME_BACK = Duration.ofMillis(10);
  /** A call costs many tokens so that rescaling the queue on a rate change rounds to a thousandth of a call. */
  static final long TOKENS_PER_CALL = 1000;

  private final Map<String, Double> quotas;
  private final Duration maxBlock;
  private final TimeMeter time;
  private final Sleeper sleeper;
  private final Map<String, Limit> limits = new ConcurrentHashMap<>();
  /** subject → its reservation; a caller that comes back uses it. */
  private final Map<String, Reservation> reservations = new ConcurrentHashMap<>();
  private volatile long lastSweep;

  /** Sleeps in the calling thread; a seam for tests. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /**
   * @param quotas calls per second by operation; operations without a quota are not limited
   * @param maxBlock the longest a caller waits in place for its slot
   */
  public QuotaLimiter(Map<String, Double> quotas, Duration maxBlock) {
    this(quotas, maxBlock, TimeMeter.SYSTEM_NANOTIME, d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000));
  }

  QuotaLimiter(Map<String, Double> quotas, Duration maxBlock, TimeMeter time, Sleeper sleeper) {
    this.quotas = Map.copyOf(quotas);
    this.maxBlock = maxBlock;
    this.time = time;
    this.sleeper = sleeper;
  }

  /** No limits at all: every call goes at once (the naive baseline of the benchmark). */
  public static QuotaLimiter unlimited() {
    return new QuotaLimiter(Map.of(), Duration.ZERO);
  }

  /**
   * A caller's place in line: its slot under the bucket and, once a full second turned it away, the departure held
   * for it.
   */
  private record Reservation(long slot, Departure departure) {
  }

  /**
   * The limiter's answer to a caller: go now, and say when AWS answered ({@link Departure#answered()}); or come back
   * after {@code comeBackIn} for the slot reserved for this subject.
   */
  public record Admission(Duration comeBackIn, Departure departure) {
    static final Admission UNLIMITED = new Admission(Duration.ZERO, Departure.UNTRACKED);

    public boolean mayGo() {
      return comeBackIn.isZero();
    }
  }

  /**
   * A call on its way. Until its answer is back, only when it left is known, and {@link #ARRIVAL_JITTER} is a guess
   * at how late it may arrive; once answered, AWS has certainly counted it, and the call a quota's worth later may
   * go a second after the answer, however late this one arrived.
   */
  public static final class Departure {
    static final Departure UNTRACKED = new Departure(null, 0);
    private final TimeMeter time;
    final long at;
    private volatile long answeredAt = Long.MIN_VALUE;

    Departure(TimeMeter time, long at) {
      this.time = time;
      this.at = at;
    }

    /** AWS answered this call (with a result or an error): it was counted by now. */
    public void answered() {
      if (time != null && answeredAt == Long.MIN_VALUE) {
        answeredAt = time.currentTimeNanos();
      }
    }

    /** From when AWS no longer counts this call in any one-second window. */
    long uncountedFrom() {
      long answered = answeredAt;
      return answered != Long.MIN_VALUE ? answered + 1_000_000_000L + ANSWER_MARGIN.toNanos()
          : at + 1_000_000_000L + ARRIVAL_JITTER.toNanos();
    }
  }

  /**
   * Admits one call of {@code operation} about {@code subject}: it may go once this returns with
   * {@link Admission#mayGo()} (having waited at most {@code maxBlock}, or {@code blockUpTo} when larger); otherwise
   * the caller comes back when told, for the slot reserved for this subject.
   */
  public Admission admit(String region, String operation, String subject, Duration blockUpTo) {
    Double quota = quotas.get(operation);
    if (quota == null) {
      return Admission.UNLIMITED;
    }
    long now = time.currentTimeNanos();
    String key = region + "/" + operation + "/" + subject;
    Limit limit = limit(region, operation, quota);
    limit.recover(now);
    long block = Math.max(maxBlock.toNanos(), blockUpTo.toNanos());
    try {
      Reservation reserved = reservations.remove(key);
      if (reserved != null && reserved.departure() != null) {
        return comeBackForDeparture(key, reserved, limit, now, block);
      }
      long slot = reserved != null ? reserved.slot() : now + limit.reserve(now);
      long wait = slot - now;
      if (wait > block) {
        reservations.put(key, new Reservation(slot, null));
        sweep(now);
        // Back early: a rescheduled reconcile may start late, and reads the API before it gets here; a slot it
        // misses is lost to the quota. Early, it waits the rest in place and goes on time.
        return new Admission(Duration.ofNanos(wait - comeBackLead()), Departure.UNTRACKED);
      }
      if (wait > 0) {
        sleeper.sleep(Duration.ofNanos(wait));
      }
      return depart(key, slot, limit, now + block);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CallAbandoned(operation + " (waiting for its slot under the quota)", e);
    }
  }

  /**
   * Takes the caller's departure. A caller that comes late (a stalled thread, a rescheduled reconcile that started
   * late) keeps its place in line, but does not go out in a burst that AWS would count into one second: it may have
   * to wait for the second to have room. If that is after {@code latest}, the departure is held for it and it comes
   * back: threads waiting in line in place past the block limit starve every other account's calls (measured: all
   * twenty reconcile threads asleep in one account's line, the other four accounts at a standstill).
   */
  private Admission depart(String key, long slot, Limit limit, long latest) throws InterruptedException {
    long departing = time.currentTimeNanos();
    Departure departure = limit.depart(departing);
    if (departure.at > latest) {
      reservations.put(key, new Reservation(slot, departure));
      return new Admission(Duration.ofNanos(Math.max(MIN_COME_BACK.toNanos(),
          departure.at - departing - comeBackLead())), Departure.UNTRACKED);
    }
    if (departure.at > departing) {
      sleeper.sleep(Duration.ofNanos(departure.at - departing));
    }
    return new Admission(Duration.ZERO, departure);
  }

  /**
   * A caller back for the departure held for it: it goes then. Came back late, that departure went by without it
   * (lost to the quota, as a missed slot is) and it takes the next one.
   */
  private Admission comeBackForDeparture(String key, Reservation reserved, Limit limit, long now, long block)
      throws InterruptedException {
    long wait = reserved.departure().at - now;
    if (wait > block) {
      reservations.put(key, reserved);
      return new Admission(Duration.ofNanos(wait - comeBackLead()), Departure.UNTRACKED);
    }
    if (wait < 0) {
      return depart(key, reserved.slot(), limit, now + block);
    }
    sleeper.sleep(Duration.ofNanos(wait));
    return new Admission(Duration.ZERO, reserved.departure());
  }

  /**
   * Reserves the next slot for a call that must go again (AWS answered it throttled): when to come back for it,
   * or empty for an operation without a quota (the caller then backs off on its own).
   */
  public java.util.Optional<Duration> reserveAgain(String region, String operation, String subject) {
    Double quota = quotas.get(operation);
    if (quota == null) {
      return java.util.Optional.empty();
    }
    long now = time.currentTimeNanos();
    long slot = now + limit(region, operation, quota).reserve(now);
    reservations.put(region + "/" + operation + "/" + subject, new Reservation(slot, null));
    return java.util.Optional.of(Duration.ofNanos(Math.max(0, slot - now - comeBackLead())));
  }

  /** AWS answered throttled after all: someone else uses the quota too. */
  public void throttled(String region, String operation) {
    Double quota = quotas.get(operation);
    if (quota != null) {
      limit(region, operation, quota).throttled(time.currentTimeNanos());
    }
  }

  /** Throttled answers within {@link #SUSTAINED} that slow the limiter down: a fifth of the quota's calls. */
  static int sustainedCount(double quota) {
    return Math.max(3, (int) Math.ceil(quota * SUSTAINED.toSeconds() * SUSTAINED_SHARE));
  }

  /** How long before its slot a deferred caller is told to come back: most of the time it may wait in place. */
  long comeBackLead() {
    return Math.round(maxBlock.toNanos() * COME_BACK_LEAD);
  }

  /** The rate the limiter currently aims at, calls per second (for tests and metrics). */
  public double currentRate(String region, String operation) {
    Double quota = quotas.get(operation);
    return quota == null ? Double.POSITIVE_INFINITY : limit(region, operation, quota).rate;
  }

  private Limit limit(String region, String operation, double quota) {
    return limits.computeIfAbsent(region + "/" + operation, k -> new Limit(quota));
  }

  /** Reservations nobody came back for (the object went away) are dropped after a minute; at most once a second. */
  private void sweep(long now) {
    if (now - lastSweep < 1_000_000_000L) {
      return;
    }
    lastSweep = now;
    long stale = now - Duration.ofMinutes(1).toNanos();
    reservations.values().removeIf(reserved -> reserved.slot() < stale
        && (reserved.departure() == null || reserved.departure().at < stale));
  }

  private final class Limit {
    final double quota;
    final double target;
    double rate;
    long lastChange;
    final java.util.ArrayDeque<Long> recentThrottles = new java.util.ArrayDeque<>();
    /** Calls AWS allows in any one second. */
    final int perSecond;
    /** The latest departures, newest last: at most {@link #perSecond}. */
    final java.util.ArrayDeque<Departure> recentDepartures = new java.util.ArrayDeque<>();
    long lastDeparture = Long.MIN_VALUE / 2;
    final Bucket bucket;

    Limit(double quota) {
      this.quota = quota;
      this.perSecond = Math.max(1, (int) Math.floor(quota + 1e-9));
      this.target = quota * HEADROOM;
      this.rate = target;
      this.lastChange = time.currentTimeNanos() - SUSTAINED.toNanos();
      this.bucket = Bucket.builder().withCustomTimePrecision(time).addLimit(bandwidth(target)).build();
    }

    /** Nanos until the slot just reserved; the bucket may go negative, which is the queue. */
    synchronized long reserve(long now) {
      recover(now);
      return bucket.consumeIgnoringRateLimits(TOKENS_PER_CALL);
    }

    synchronized void throttled(long now) {
      recentThrottles.addLast(now);
      while (now - recentThrottles.peekFirst() > SUSTAINED.toNanos()) {
        recentThrottles.removeFirst();
      }
      if (recentThrottles.size() >= sustainedCount(quota) && now - lastChange >= SUSTAINED.toNanos()) {
        change(Math.max(target * MIN_SHARE, rate * DECREASE), now);
        recentThrottles.clear();
      }
    }

    /**
     * Takes the next departure. The bucket paces the slots (and slows down newcomers after throttling); this keeps
     * only what AWS counts, calls per any one second, within the quota. Unlike a fixed spacing, it lets callers that
     * were held up catch up with the slots they missed, so a late caller does not push every later call back for
     * good. It is not scaled down with the rate: reserved slots keep their times, and callers held back to a slower
     * pace would fall behind them for good.
     */
    synchronized Departure depart(long now) {
      long departure = Math.max(now, lastDeparture + Math.round(500_000_000L / rate)); // never closer than half a slot
      if (recentDepartures.size() == perSecond) {
        // the call a whole second's worth of calls ago: the next one goes once AWS no longer counts that one
        departure = Math.max(departure, recentDepartures.removeFirst().uncountedFrom());
      }
      Departure taken = new Departure(time, departure);
      recentDepartures.addLast(taken);
      lastDeparture = departure;
      return taken;
    }

    /** Climbs back towards the target, a step per {@link #RECOVERY_STEP} since the last change. */
    synchronized void recover(long now) {
      if (rate < target && now - lastChange >= RECOVERY_STEP.toNanos()) {
        change(Math.min(target, rate + target * MIN_SHARE), now);
      }
    }

    private void change(double newRate, long now) {
      // Reserved slots are a token deficit, which refills at the bucket's rate. Rescale it so the queue keeps its
      // length in time: reservations already handed out keep their slots, newcomers follow at the new pace.
      long queued = -bucket.getAvailableTokens();
      long rescaled = Math.round(queued * newRate / rate);
      bucket.replaceConfiguration(BucketConfiguration.builder().addLimit(bandwidth(newRate)).build(),
          TokensInheritanceStrategy.AS_IS);
      if (queued > 0 && rescaled < queued) {
        bucket.addTokens(queued - rescaled);
      } else if (queued > 0 && rescaled > queued) {
        bucket.consumeIgnoringRateLimits(rescaled - queued);
      }
      rate = newRate;
      lastChange = now;
    }

    /** One call every 1/rate seconds, no burst: AWS counts any one-second window. */
    private static Bandwidth bandwidth(double callsPerSecond) {
      long interval = Math.max(1, Math.round(1_000_000_000L / callsPerSecond));
      return Bandwidth.builder().capacity(TOKENS_PER_CALL).refillGreedy(TOKENS_PER_CALL, Duration.ofNanos(interval))
          .build();
    }
  }
}
