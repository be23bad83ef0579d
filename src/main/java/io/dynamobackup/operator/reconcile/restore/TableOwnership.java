package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.aws.TableState;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which restored table is this object's, decided purely: for adopting a table an earlier attempt made (its answer
 * lost), and before deleting one. Another DynamoRestore may target the same name from the same source; its recorded
 * table, or a request of its own that the table's creation follows more closely, makes the table not ours.
 */
final class TableOwnership {

  /**
   * Another DynamoRestore aiming at the same table name: what it recorded (table ARN and TableId, if it has) and, if
   * its own call's answer is not recorded yet, when it asked and from which source.
   */
  record OtherRestore(String name, String tableArn, String tableId, Instant intent, String source) {}

  private TableOwnership() {}

  /**
   * Whether {@code table}, found under the target name, is the one this object's own earlier call made: the source
   * says so ({@link RestoreSource#madeBy}, which also wants it made since the request, less the clock skew), no
   * other restore records it, and no other restore from the same source asked later, but before the table was made.
   */
  static boolean madeByUs(TableState table, RestoreSource source, Instant intent, Instant notBefore,
      List<OtherRestore> others) {
    if (!source.madeBy(table, notBefore)) {
      return false;
    }
    if (recordedByAnother(table, others).isPresent()) {
      return false;
    }
    Instant created = table.creationDateTime();
    return others.stream().noneMatch(other -> other.intent() != null && other.tableArn() == null
        && Objects.equals(other.source(), source.arn()) && other.intent().isAfter(intent)
        && (created == null || !other.intent().isAfter(created)));
  }

  /** Another restore that records this very table (by TableId where both know one, else by ARN), if any. */
  static Optional<String> recordedByAnother(TableState table, List<OtherRestore> others) {
    return others.stream().filter(other -> other.tableId() != null && table.tableId() != null
            ? other.tableId().equals(table.tableId()) : other.tableArn() != null
            && other.tableArn().equals(table.tableArn()))
        .map(OtherRestore::name).sorted().findFirst();
  }
}
