package io.dynamobackup.operator.reconcile;

import java.util.Optional;

/**
 * Whether a namespace may restore into a table of a given name. This is where DynamoBackupPolicy (issue #10)
 * plugs in: the restore reconciler asks before RestoreTableFromBackup and answers a refusal with Ready=False,
 * reason NotPermitted. Until that policy exists, every table name is permitted.
 */
@FunctionalInterface
public interface RestorePermission {

  String NOT_PERMITTED = "NotPermitted";

  RestorePermission ALLOW_ALL = (namespace, targetTableName) -> Optional.empty();

  /** Empty when permitted; otherwise why not, for the condition message (e.g. the patterns that did not match). */
  Optional<String> denied(String namespace, String targetTableName);
}
