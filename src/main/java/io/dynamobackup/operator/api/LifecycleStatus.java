package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * What the status of every kind the lifecycle kernel reconciles holds besides its own observation: the generation
 * observed, the failed attempts that drive the backoff, and the conditions.
 */
public abstract class LifecycleStatus extends LenientlyRead implements ReconciledStatus {

  @JsonPropertyDescription("metadata.generation of the spec this status was computed from.")
  public Long observedGeneration;

  @JsonPropertyDescription("Consecutive failed AWS calls of the current step; drives the retry backoff.")
  public Integer failedAttempts;

  @JsonPropertyDescription("Ready, and the conditions of the object's lifecycle (Creating or Restoring, Deleting,"
      + " Expired, DeletionBlocked), in the metav1.Condition shape.")
  public List<Condition> conditions = new ArrayList<>();

  protected LifecycleStatus() {
    super("status");
  }

  @Override
  public List<Condition> conditionList() {
    if (conditions == null) {
      conditions = new ArrayList<>();
    }
    return conditions;
  }

  @Override
  public void observeGeneration(Long generation) {
    observedGeneration = generation;
  }

  @Override
  public Integer attempts() {
    return failedAttempts;
  }

  @Override
  public void attempts(Integer failedAttempts) {
    this.failedAttempts = failedAttempts;
  }
}
