package io.dynamobackup.operator.aws;

import java.time.Duration;

/** Told of every AWS call the store makes: metrics hang here, so the port stays free of them. */
@FunctionalInterface
public interface AwsCallObserver {

  AwsCallObserver NONE = (operation, region, outcome, took) -> { };

  /** The outcome of a call given up because the operator is stopping ({@link CallAbandoned}). */
  String ABANDONED = "abandoned";

  /** What a call ended with: {@code ok}, or the failure's kind in lower case (throttled, retryable, gone, terminal). */
  static String outcomeOf(AwsFailure failure) {
    return failure == null ? "ok" : failure.kind().name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * @param operation the DynamoDB operation, e.g. DeleteBackup
   * @param region the region the call went to
   * @param outcome see {@link #outcomeOf}
   * @param took time from request to answer (or to giving up)
   */
  void called(String operation, String region, String outcome, Duration took);

  /**
   * The rate limit let a call go after {@code waited}, or held it back for {@code waited} (its reserved slot). The
   * sum shows how much of the time work waits for the quota rather than for AWS.
   */
  default void waited(String operation, String region, Duration waited) {
  }
}
