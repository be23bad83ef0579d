package io.dynamobackup.operator.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The system clock, shifted by what the test sets: to make something now that looks made earlier. */
public final class ShiftedClock extends Clock {

  private volatile Duration shift = Duration.ZERO;

  public void shift(Duration by) {
    shift = by;
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(shift);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
