package io.dynamobackup.operator.reconcile.backup;

import io.dynamobackup.operator.api.BackupIdentity;
import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.aws.BackupArn;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.CreateIntent;
import io.dynamobackup.operator.reconcile.Reasons;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * May this object delete this backup now, and through which account? One pure answer for the finalizer and for
 * expiry (a schedule prunes by deleting child objects, so pruning comes here through the finalizer). The guards run
 * in one order, and the first that holds decides:
 * <ol>
 *   <li>deletionProtection (also when it, or anything else in the spec, cannot be read): keep everything;
 *   <li>already expired: the backup was deleted then;
 *   <li>deletionPolicy Retain (the default for adopted backups, by the recorded origin): let go, call nothing;
 *   <li>nothing was ever asked of AWS: nothing to delete;
 *   <li>the spec no longer names the recorded backup: keep it until the spec is reverted or Retain is set;
 *   <li>the policies: refused means let go and keep the backup; no route to its account means wait;
 *   <li>an intent without an ARN: look for the backup first;
 *   <li>what AWS says of the backup must prove it is this object's: its name and table are the ones the object
 *       created it with (and it is younger than the object), or it is the ARN spec.backupArn adopts; and no other
 *       live object records it. Status alone proves nothing: anyone who may write the status could have put an ARN
 *       there.
 * </ol>
 */
public final class DeletionGuard {

  /** Deletion by the finalizer (the object goes) or by expiry (the object stays as a record). */
  public enum Purpose { FINALIZER, EXPIRY }

  /**
   * What AWS says of the backup to delete: its name, its source table and when it was made (from ListBackups or
   * DescribeBackup, never from status), and the other live objects that record its ARN.
   */
  public record Ownership(String backupName, String tableName, Instant createdAt, List<String> claimedByOthers) {}

  /**
   * Everything the decision rests on.
   *
   * @param typeErrors fields of the spec that could not be read (deletionProtection or deletionPolicy among them)
   * @param policy the effective deletionPolicy: the spec's, else Retain for an adopted backup, else Delete
   * @param arn the backup to delete: the recorded ARN, else the one spec.backupArn adopts; null when unknown
   * @param adoptedArn spec.backupArn as it is now
   * @param intentPending a CreateBackup whose answer was never recorded
   * @param expected the identity the spec describes now
   * @param recorded the identity recorded when the backup was created or adopted; null for objects from before
   * @param identityChange why the spec no longer names the recorded backup, if it does not
   * @param connection the policies' answer to "may this namespace delete it, through which role"
   * @param ownership what AWS says of {@code arn}; empty while not asked yet
   * @param objectCreated the object's creationTimestamp: nothing it created is older
   */
  public record Facts(Purpose purpose, boolean deletionProtection, List<String> typeErrors, boolean expired,
      DeletionPolicy policy, String arn, String adoptedArn, boolean intentPending, BackupIdentity expected, BackupIdentity recorded,
      Optional<String> identityChange, Connection connection, Optional<Ownership> ownership,
      Instant objectCreated) {}

  /** The answer. */
  public sealed interface Verdict {
    /** Keep the backup (and, for the finalizer, the object): a condition says why and what would let it go on. */
    record Keep(String reason, String message) implements Verdict {}

    /** Let go without an AWS call: the backup, if any, stays (or is gone already). */
    record Release(String reason, String message) implements Verdict {}

    /** An intent without an ARN: ListBackups for what that call made, then decide again. */
    record LookUp(Connection.Connected aws) implements Verdict {}

    /** Ask AWS about the backup (ListBackups summary or DescribeBackup), then decide again. */
    record Describe(Connection.Connected aws) implements Verdict {}

    /** DeleteBackup of {@code arn} through {@code aws}. */
    record Delete(String arn, Connection.Connected aws) implements Verdict {}
  }

  private DeletionGuard() {}

  public static Verdict decide(Facts facts) {
    String what = facts.arn() != null ? "backup " + facts.arn() : "the backup, if any,";
    if (facts.deletionProtection()) {
      return new Verdict.Keep(Reasons.DELETION_PROTECTION, "spec.deletionProtection is true: "
          + (facts.purpose() == Purpose.FINALIZER ? "the object and " : "") + what + " stay until it is set to false");
    }
    boolean askedAws = facts.arn() != null || facts.intentPending();
    if (!facts.typeErrors().isEmpty() && askedAws) {
      return new Verdict.Keep(Reasons.INVALID_SPEC, "the spec cannot be read (" + String.join("; ",
          facts.typeErrors()) + "), so whether " + what + " may be deleted is not known; it is kept until the spec is"
          + " fixed");
    }
    if (facts.expired()) {
      return new Verdict.Release(Reasons.ALREADY_DELETED, what + " expired and was deleted earlier");
    }
    if (facts.policy() == DeletionPolicy.Retain) {
      return new Verdict.Release(Reasons.RETAINED, "deletionPolicy is Retain: " + what + " is left in AWS");
    }
    if (!askedAws) {
      return new Verdict.Release(Reasons.NOTHING_TO_DELETE, "no backup was created for this object");
    }
    if (facts.identityChange().isPresent()) {
      return new Verdict.Keep(Reasons.IMMUTABLE_FIELD_CHANGED, facts.identityChange().get() + " " + what
          + " is not deleted while the spec names another backup: revert the spec, or set deletionPolicy: Retain"
          + " to keep it");
    }
    if (facts.connection() instanceof Connection.Refused refused) {
      return facts.purpose() == Purpose.FINALIZER
          ? new Verdict.Release(refused.reason(), what + " is kept in AWS: " + refused.message())
          : new Verdict.Keep(refused.reason(), what + " is kept: " + refused.message());
    }
    if (facts.connection() instanceof Connection.Waiting waiting) {
      return new Verdict.Keep(waiting.reason(), what + " is not deleted until its account can be reached: "
          + waiting.message());
    }
    var aws = (Connection.Connected) facts.connection();
    if (facts.arn() == null) {
      return new Verdict.LookUp(aws);
    }
    if (facts.ownership().isEmpty()) {
      return new Verdict.Describe(aws);
    }
    return notOwned(facts, facts.ownership().get())
        .<Verdict>map(why -> new Verdict.Keep(Reasons.NOT_OWNED, "backup " + facts.arn() + " is not deleted: " + why
            + ". Set deletionPolicy: Retain to let this object go without deleting anything"))
        .orElseGet(() -> new Verdict.Delete(facts.arn(), aws));
  }

  /** Why AWS's own account of the backup does not show it to be this object's; empty when it does. */
  static Optional<String> notOwned(Facts facts, Ownership ownership) {
    if (!ownership.claimedByOthers().isEmpty()) {
      return Optional.of("it is recorded by " + String.join(", ", ownership.claimedByOthers()) + " too");
    }
    Optional<BackupArn> arn = BackupArn.parse(facts.arn());
    if (arn.isEmpty()) {
      return Optional.of("it is not a DynamoDB backup ARN");
    }
    BackupIdentity recorded = facts.recorded();
    if (recorded != null && (!Objects.equals(recorded.region, arn.get().region())
        || recorded.account != null && !recorded.account.equals(arn.get().account()))) {
      return Optional.of("it is in " + arn.get().region() + ", account " + arn.get().account() + ", but this object's"
          + " backup was recorded in " + recorded.region + ", account " + recorded.account);
    }
    BackupIdentity expected = facts.expected();
    if (expected.origin == BackupIdentity.Origin.Adopted) {
      return Objects.equals(facts.arn(), facts.adoptedArn()) ? Optional.empty()
          : Optional.of("it is not the backup spec.backupArn adopts");
    }
    String table = ownership.tableName() != null ? ownership.tableName() : arn.get().table();
    if (!Objects.equals(expected.tableName, table) || !Objects.equals(expected.tableName, arn.get().table())) {
      return Optional.of("it is a backup of table '" + table + "', not of '" + expected.tableName + "'");
    }
    if (!Objects.equals(expected.backupName, ownership.backupName())) {
      return Optional.of("its name is '" + ownership.backupName() + "', not '" + expected.backupName
          + "', the name this object creates its backup with");
    }
    if (ownership.createdAt() != null && facts.objectCreated() != null
        && ownership.createdAt().isBefore(facts.objectCreated().minus(CreateIntent.CLOCK_SKEW))) {
      return Optional.of("it was made at " + ownership.createdAt() + ", before this object existed ("
          + facts.objectCreated() + ")");
    }
    return Optional.empty();
  }

  /** Deleting: Deleting=True with the guard's reason; DeletionBlocked for the user's own protection. */
  static String conditionFor(Verdict.Keep keep) {
    return Reasons.DELETION_PROTECTION.equals(keep.reason()) ? Conditions.DELETION_BLOCKED : Conditions.DELETING;
  }
}
