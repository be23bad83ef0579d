package io.dynamobackup.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The exactly-once protocol's bookkeeping, shared by CreateBackup and RestoreTableFromBackup: the intent is a
 * condition set True before the call, whose transition time is the request time; a call without a recorded answer
 * may still be in flight until the in-flight bound has passed; lookups allow for clock skew between us and AWS.
 */
public final class CreateIntent {

  /** How far before the recorded intent a lookup searches, to allow for clock skew between us and AWS. */
  public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  private CreateIntent() {}

  /** When the call was last requested without its answer recorded: the condition True with this reason. */
  public static Optional<Instant> of(List<Condition> conditions, String type, String requestedReason) {
    return Conditions.find(conditions, type)
        .filter(c -> "True".equals(c.getStatus()) && requestedReason.equals(c.getReason()))
        .map(c -> Instant.parse(c.getLastTransitionTime()));
  }

  /** How much longer a call requested at {@code intent} may still be in flight; empty once it surely is over. */
  public static Optional<Duration> stillInFlight(Instant intent, Instant now, Duration bound) {
    Duration age = Duration.between(intent, now);
    return age.compareTo(bound) < 0 ? Optional.of(bound.minus(age)) : Optional.empty();
  }
}
