package io.dynamobackup.operator.reconcile;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with "equal jitter": attempt n waits between half and all of min(max, base * 2^(n-1)), so
 * retries of many objects spread out instead of arriving together.
 */
public record Backoff(Duration base, Duration max, DoubleSupplier random) {

  public static Backoff of(Duration base, Duration max) {
    return new Backoff(base, max, Math::random);
  }

  /** The delay before retry number {@code attempt} (1 for the first retry). */
  public Duration delay(int attempt) {
    Duration ceiling = ceiling(attempt);
    long half = ceiling.toMillis() / 2;
    return Duration.ofMillis(half + (long) (random.getAsDouble() * (ceiling.toMillis() - half)));
  }

  /** The longest delay {@link #delay} can answer for this attempt. */
  public Duration ceiling(int attempt) {
    int doublings = Math.max(0, Math.min(attempt - 1, 30));
    long millis = base.toMillis() << doublings;
    return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
  }
}
