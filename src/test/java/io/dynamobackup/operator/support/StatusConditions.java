package io.dynamobackup.operator.support;

import io.dynamobackup.operator.api.ReconciledStatus;
import io.dynamobackup.operator.reconcile.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;

/** Reading an object's conditions in assertions. */
public final class StatusConditions {

  private StatusConditions() {}

  /** The condition of this type; an AssertionError (which an Awaitility wait retries) while there is none. */
  public static Condition condition(CustomResource<?, ? extends ReconciledStatus> object, String type) {
    if (object == null || object.getStatus() == null) {
      throw new AssertionError("no status yet" + (object == null ? "" : " on " + object.getMetadata().getName()));
    }
    var conditions = object.getStatus().conditionList();
    return Conditions.find(conditions, type).orElseThrow(() -> new AssertionError("no condition " + type + " in "
        + conditions + " of " + object.getMetadata().getName()));
  }
}
