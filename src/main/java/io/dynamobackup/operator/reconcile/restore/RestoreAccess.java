package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.aws.BackupArn;
import io.dynamobackup.operator.aws.TableArn;
import io.dynamobackup.operator.policy.AccessPolicy;
import java.util.function.Function;

/**
 * What a DynamoRestore asks of its namespace's grants, decided purely: the target table must be one it may restore
 * into; the source must be one it may use (its own DynamoBackup, a point-in-time restore's source table) or adopt (a
 * backup named by ARN). The restore runs in the source's account, so the source's answer routes every call.
 */
final class RestoreAccess {

  private RestoreAccess() {}

  /** A table of this name may be made by the namespace. */
  static Function<AccessPolicy.Grants, AccessPolicy.Decision> toRestoreInto(String target) {
    return grants -> grants.restoreInto(target);
  }

  /**
   * The source, by its ARN: a backup (by reference to the namespace's own DynamoBackup, a use; by ARN, an adoption)
   * or a point-in-time restore's table (a use).
   */
  static Function<AccessPolicy.Grants, AccessPolicy.Decision> toReach(DynamoRestoreSpec spec, String sourceArn) {
    var backup = BackupArn.parse(sourceArn);
    if (backup.isPresent()) {
      var arn = backup.get();
      return spec.backupRef != null ? grants -> grants.use(arn.table(), arn.region(), arn.account())
          : grants -> grants.adopt(arn.table(), arn.region(), arn.account());
    }
    var table = TableArn.parse(sourceArn);
    if (table.isPresent()) {
      var arn = table.get();
      return grants -> grants.use(arn.table(), arn.region(), arn.account());
    }
    return grants -> grants.use(null, null, null); // refused: no table named
  }

  /** A point-in-time restore's source table named without an ARN: the policies choose its account. */
  static Function<AccessPolicy.Grants, AccessPolicy.Decision> toReachTable(String table, String region) {
    return grants -> grants.use(table, region, null);
  }
}
