package io.dynamobackup.operator.reconcile;

import java.time.Duration;

/**
 * How often the reconciler looks again.
 *
 * @param resyncPeriod re-observation of AVAILABLE backups (size updates, out-of-band deletion)
 * @param creatingPollMin first poll of a CREATING backup; polls then back off with the backup's age
 * @param creatingPollMax longest wait between two polls of a CREATING backup
 * @param retryBackoff waits between retries of retryable and throttled AWS failures
 * @param terminalRetry wait after a terminal failure (validation, access denied, missing table): at most one
 *     retry per this period, in case someone fixes the cause outside Kubernetes
 * @param inFlightBound how long a CreateBackup without a recorded answer may still be in flight: before creating
 *     again (or releasing a deleted object), the operator waits this long after the request for its backup to
 *     show up in ListBackups. Longer than the AWS call timeout.
 * @param scheduleRecheck longest wait between two looks at a schedule (its children's states change meanwhile)
 */
public record ReconcileSettings(
    Duration resyncPeriod, Duration creatingPollMin, Duration creatingPollMax, Backoff retryBackoff,
    Duration terminalRetry, Duration inFlightBound, Duration scheduleRecheck) {

  public static ReconcileSettings defaults() {
    return new ReconcileSettings(Duration.ofMinutes(10), Duration.ofSeconds(2), Duration.ofSeconds(30),
        Backoff.of(Duration.ofSeconds(1), Duration.ofMinutes(5)), Duration.ofMinutes(1), Duration.ofSeconds(60),
        Duration.ofMinutes(1));
  }

  public ReconcileSettings withInFlightBound(Duration bound) {
    return new ReconcileSettings(resyncPeriod, creatingPollMin, creatingPollMax, retryBackoff, terminalRetry, bound,
        scheduleRecheck);
  }

  public ReconcileSettings withTerminalRetry(Duration retry) {
    return new ReconcileSettings(resyncPeriod, creatingPollMin, creatingPollMax, retryBackoff, retry, inFlightBound,
        scheduleRecheck);
  }

  public ReconcileSettings withResyncPeriod(Duration period) {
    return new ReconcileSettings(period, creatingPollMin, creatingPollMax, retryBackoff, terminalRetry,
        inFlightBound, scheduleRecheck);
  }

  /** Polls a CREATING backup every half of its age, bounded: quick for small tables, gentle for large ones. */
  public Duration creatingPoll(Duration age) {
    Duration half = age.isNegative() ? Duration.ZERO : age.dividedBy(2);
    if (half.compareTo(creatingPollMin) < 0) {
      return creatingPollMin;
    }
    return half.compareTo(creatingPollMax) > 0 ? creatingPollMax : half;
  }
}
