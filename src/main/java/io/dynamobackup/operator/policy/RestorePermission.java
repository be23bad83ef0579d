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
   * Whether the namespace may restore from this source, and if so, through which role its account is reached: a
   * backup, one of its own DynamoBackups ({@code byReference}) or one named by ARN, which is as much as adopting
   * it; or the table of a point-in-time restore, by its ARN, which is a use of that table.
   */
  default SourceAccess source(String namespace, String sourceArn, boolean byReference) {
    return SourceAccess.through(null);
  }

  /** As {@link #source} for a point-in-time restore's table named without an ARN (its account not known yet). */
  default SourceAccess sourceTable(String namespace, String table, String region) {
    return SourceAccess.through(null);
  }

  /**
   * A decision on a restore's source. The restore runs in the source's account (DynamoDB makes the table where
   * the backup or source table is), so every call about it goes through {@code roleArn}.
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
