package io.dynamobackup.operator.reconcile.backup;

import io.dynamobackup.operator.api.DynamoBackup;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Objects;

/**
 * Which updates of a DynamoBackup start a reconcile: a spec change (generation), deletion, a finalizer change
 * (JOSDK's own), or a new recreate request. Not our own status writes, and not other metadata changes.
 */
public final class EventFilters {

  private EventFilters() {}

  public static OnUpdateFilter<DynamoBackup> relevantUpdates() {
    return (updated, previous) ->
        !Objects.equals(updated.getMetadata().getGeneration(), previous.getMetadata().getGeneration())
            || updated.isMarkedForDeletion() != previous.isMarkedForDeletion()
            || !Objects.equals(updated.getMetadata().getFinalizers(), previous.getMetadata().getFinalizers())
            || Recreate.requested(updated) && !Recreate.requested(previous);
  }
}
