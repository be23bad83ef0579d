package io.dynamobackup.operator.reconcile;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.util.Objects;

/**
 * Writes one observation's whole status. A full update of the status subresource with optimistic locking
 * replaces lists (conditions) instead of merging them, and the written object goes into JOSDK's cache, so the next
 * reconcile reads what was just written even before the watch event arrives.
 */
final class StatusRecorder {

  private StatusRecorder() {}

  /** Writes {@code status} unless it equals {@code before}; returns the object as stored. */
  static DynamoBackup record(DynamoBackup backup, Context<DynamoBackup> context, DynamoBackupStatus status,
      String before) {
    status.observedGeneration = backup.getMetadata().getGeneration();
    if (Objects.equals(before, snapshot(status))) {
      return backup;
    }
    backup.setStatus(status);
    return PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(backup, context, fresh -> {
      fresh.setStatus(status);
      return fresh;
    });
  }

  /** A comparable copy of a status, taken before it is changed. */
  static String snapshot(DynamoBackupStatus status) {
    return status == null ? null : Serialization.asJson(status);
  }
}
