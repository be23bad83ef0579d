package io.dynamobackup.operator.reconcile.backup;

import io.dynamobackup.operator.api.BackupIdentity;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.aws.BackupPage;
import io.dynamobackup.operator.aws.BackupPage.BackupSummary;
import io.dynamobackup.operator.aws.BackupQuery;
import io.dynamobackup.operator.aws.BackupStore;
import io.dynamobackup.operator.reconcile.CreateIntent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Finds the backup an earlier CreateBackup of this object made when its answer was lost: ListBackups of the
 * recorded table, from the intent less the clock skew, for the recorded name. A backup that another object records
 * is never taken (two objects may share a backupName), and one made at or after this object's own request is
 * preferred to one made before it.
 */
final class BackupLookup {

  static final int MAX_PAGES = 50;

  private BackupLookup() {}

  /**
   * @param claimedByOthers whether another object records this ARN
   * @return the ARN found; empty when there is none
   */
  static Optional<String> find(BackupStore store, String region, BackupIdentity identity, Instant intent,
      Predicate<String> claimedByOthers) {
    BackupQuery query = BackupQuery.ofTable(identity.tableName).createdAfter(intent.minus(CreateIntent.CLOCK_SKEW));
    List<BackupSummary> named = new ArrayList<>();
    for (int page = 0; page < MAX_PAGES; page++) {
      BackupPage result = store.list(region, query);
      result.backups().stream().filter(b -> identity.backupName.equals(b.backupName())).forEach(named::add);
      if (!result.hasMore()) {
        return choose(named.stream().filter(b -> !claimedByOthers.test(b.backupArn())).toList(), intent)
            .map(BackupSummary::backupArn);
      }
      query = query.startingAfter(result.lastEvaluatedBackupArn());
    }
    throw new AwsFailure(AwsFailure.Kind.RETRYABLE, AwsFailure.LOOKUP_INCOMPLETE, "more than " + MAX_PAGES
        + " pages of backups of table " + identity.tableName + "; the lookup is retried");
  }

  /** Of the unclaimed candidates: the first made at or after the intent, else the last made before it. */
  static Optional<BackupSummary> choose(List<BackupSummary> candidates, Instant intent) {
    Optional<BackupSummary> after = candidates.stream().filter(b -> !b.createdAt().isBefore(intent))
        .min(Comparator.comparing(BackupSummary::createdAt));
    return after.or(() -> candidates.stream().max(Comparator.comparing(BackupSummary::createdAt)));
  }
}
