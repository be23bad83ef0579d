package io.dynamobackup.operator.aws;

import java.time.Instant;

/**
 * What DescribeContinuousBackups (and UpdateContinuousBackups) tell of a table's point-in-time recovery: its status
 * (ENABLED, ENABLING, DISABLED) and, while enabled, the window of restorable times (null otherwise).
 */
public record ContinuousBackups(String pointInTimeRecoveryStatus, Instant earliestRestorableDateTime,
    Instant latestRestorableDateTime) {

  public boolean enabled() {
    return "ENABLED".equals(pointInTimeRecoveryStatus);
  }
}
