package io.dynamobackup.operator.api;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * What the status of each kind the lifecycle kernel reconciles holds: conditions, the generation observed, and the
 * count of failed attempts that drives the backoff. Method names are not bean names, so they add no JSON fields.
 */
public interface ReconciledStatus {

  /** The conditions, never null. */
  List<Condition> conditionList();

  void observeGeneration(Long generation);

  Integer attempts();

  void attempts(Integer failedAttempts);
}
