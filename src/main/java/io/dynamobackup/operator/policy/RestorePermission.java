package io.dynamobackup.operator.policy;

import io.dynamobackup.operator.api.DynamoRestore;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.util.List;
import java.util.Optional;

/**
 * Whether a namespace may restore into a table of a given name. The restore reconciler asks before
 * RestoreTableFromBackup and answers a refusal with Ready=False, reason NotPermitted. DynamoBackupPolicy implements
 * it ({@code Tenancy#restorePermission}); without any policy, every table name is permitted.
 */
@FunctionalInterface
public interface RestorePermission {

  String NOT_PERMITTED = "NotPermitted";

  RestorePermission ALLOW_ALL = (namespace, targetTableName) -> Optional.empty();

  /** Empty when permitted; otherwise why not, for the condition message (e.g. the patterns that did not match). */
  Optional<String> denied(String namespace, String targetTableName);

  /**
   * Whether the namespace may restore from this backup: one of its own DynamoBackups ({@code byReference}), or a
   * backup named by ARN, which is as much as adopting it; and if so, through which role its account is reached.
   */
  default SourceAccess source(String namespace, String sourceBackupArn, boolean byReference) {
    return SourceAccess.through(null);
  }

  /**
   * A decision on a restore's source backup. The restore runs in the backup's account (RestoreTableFromBackup makes
   * the table where the backup is), so every call about it goes through {@code roleArn}.
   *
   * @param denied why not, for the condition message; empty when permitted
   * @param roleArn the role to assume; null for the operator's own account
   */
  record SourceAccess(Optional<String> denied, String roleArn) {
    public static SourceAccess through(String roleArn) {
      return new SourceAccess(Optional.empty(), roleArn);
    }

    public static SourceAccess refused(String why) {
      return new SourceAccess(Optional.of(why), null);
    }
  }

  /** What the permission watches in the restore controller, so that a change of it reconciles restores again. */
  default List<EventSource<?, DynamoRestore>> eventSources(EventSourceContext<DynamoRestore> context) {
    return List.of();
  }
}
