package io.dynamobackup.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/** Condition types and reasons, and the one way to set a condition (metav1.Condition semantics). */
public final class Conditions {

  public static final String READY = "Ready";
  public static final String CREATING = "Creating";
  public static final String DELETING = "Deleting";
  public static final String EXPIRED = "Expired";
  public static final String DELETION_BLOCKED = "DeletionBlocked";
  /** A DynamoRestore's: RestoreTableFromBackup requested or its restore running. */
  public static final String RESTORING = "Restoring";

  private Conditions() {}

  /**
   * Sets one condition in place. lastTransitionTime moves only when the status flips, as Kubernetes expects;
   * reason, message and observedGeneration always take the new values.
   */
  public static void set(List<Condition> conditions, String type, boolean status, String reason, String message,
      Long generation, Instant now) {
    String statusText = status ? "True" : "False";
    Optional<Condition> existing = find(conditions, type);
    String transition = existing.filter(c -> statusText.equals(c.getStatus()))
        .map(Condition::getLastTransitionTime)
        .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
    Condition condition = new ConditionBuilder()
        .withType(type)
        .withStatus(statusText)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(transition)
        .build();
    existing.ifPresentOrElse(c -> conditions.set(conditions.indexOf(c), condition), () -> conditions.add(condition));
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
