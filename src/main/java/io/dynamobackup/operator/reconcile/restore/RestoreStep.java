package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.api.DynamoRestoreStatus;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.CreateIntent;
import io.dynamobackup.operator.reconcile.Reasons;
import io.dynamobackup.operator.reconcile.ReconcileStep;
import io.dynamobackup.operator.reconcile.StepEffects;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** One reconcile of a DynamoRestore: the kernel's step with the restore's own types and questions. */
final class RestoreStep extends ReconcileStep<DynamoRestore, DynamoRestoreStatus> {

  RestoreStep(DynamoRestore restore, StepEffects<DynamoRestore> effects, Clock clock) {
    super(restore, effects, DynamoRestoreStatus::new, clock);
  }

  DynamoRestoreSpec spec() {
    return resource().getSpec();
  }

  String target() {
    return spec().targetTableName;
  }

  /** The recorded source's region (a restore stays in its source's region), else spec.region. */
  String region() {
    return RestoreRules.region(spec(), RestoreRules.recordedSource(status()));
  }

  /** When the restore call was last requested without its answer recorded, if it was. */
  Optional<Instant> intent() {
    return CreateIntent.of(status().conditionList(), Conditions.RESTORING, Reasons.RESTORE_REQUESTED);
  }

  /**
   * When the restore started: DynamoDB's RestoreDateTime, else our request. A point-in-time restore's
   * RestoreDateTime is the point restored, which may be weeks old: there, our request.
   */
  Optional<Instant> restoreStarted() {
    var status = status();
    if (status.sourceTableArn == null && status.restoreSummary != null
        && status.restoreSummary.restoreDateTime != null) {
      return Optional.of(Instant.parse(status.restoreSummary.restoreDateTime));
    }
    return condition(Conditions.RESTORING).map(c -> Instant.parse(c.getLastTransitionTime()));
  }

  /**
   * DescribeTable is eventually consistent: right after the restore call it may not find the new table. While the
   * restore is young (Restoring=True, within the in-flight bound), not found means "look again" after this long.
   */
  Optional<Duration> newTableMayNotBeListedYet(Duration inFlightBound, Duration poll) {
    return condition(Conditions.RESTORING).filter(c -> "True".equals(c.getStatus()))
        .flatMap(c -> CreateIntent.stillInFlight(Instant.parse(c.getLastTransitionTime()), now(), inFlightBound))
        .map(remaining -> poll);
  }
}
