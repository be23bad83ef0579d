package io.dynamobackup.operator.reconcile.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.api.BackupIdentity;
import io.dynamobackup.operator.api.BackupIdentity.Origin;
import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.reconcile.backup.DeletionGuard.Facts;
import io.dynamobackup.operator.reconcile.backup.DeletionGuard.Ownership;
import io.dynamobackup.operator.reconcile.backup.DeletionGuard.Purpose;
import io.dynamobackup.operator.reconcile.backup.DeletionGuard.Verdict;
import io.dynamobackup.operator.support.UnitTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, "Design": every guard of a deletion, and their order. Each row starts from a created backup that this
 * object provably owns (which would be deleted), changes some facts, and names the verdict and its reason. Rows
 * with two guards that hold show which one comes first.
 */
@UnitTest
class DeletionGuardTest {

  static final String ACCOUNT = "123456789012";
  static final String ARN = "arn:aws:dynamodb:eu-west-1:" + ACCOUNT + ":table/orders/backup/01800000000000-abcdef12";
  static final String FOREIGN = "arn:aws:dynamodb:eu-west-1:" + ACCOUNT + ":table/orders/backup/01800000000000-99999999";
  static final Instant CREATED = Instant.parse("2027-01-01T00:00:00Z");
  static final BackupIdentity IDENTITY = new BackupIdentity(Origin.Created, "team-a_nightly_0000abcd", "orders",
      "eu-west-1", ACCOUNT);
  static final Connection.Connected CONNECTED = new Connection.Connected(null, null, ACCOUNT, "eu-west-1");
  static final Ownership OWNED = new Ownership("team-a_nightly_0000abcd", "orders", CREATED.plusSeconds(5),
      List.of());

  static Facts owned() {
    return new Facts(Purpose.FINALIZER, false, List.of(), false, DeletionPolicy.Delete, ARN, null, false, IDENTITY,
        IDENTITY, Optional.empty(), CONNECTED, Optional.of(OWNED), CREATED);
  }

  record Row(String scenario, List<UnaryOperator<Facts>> changes, Class<? extends Verdict> verdict, String reason) {
    @Override
    public String toString() {
      return scenario;
    }
  }

  static Row row(String scenario, Class<? extends Verdict> verdict, String reason, UnaryOperator<Facts>... changes) {
    return new Row(scenario, Arrays.asList(changes), verdict, reason);
  }

  static Stream<Row> rows() {
    return Stream.of(
        row("a backup this object owns is deleted", Verdict.Delete.class, null),
        row("deletionProtection keeps it", Verdict.Keep.class, "DeletionProtection", protectedByUser()),
        row("an unreadable spec keeps it", Verdict.Keep.class, "InvalidSpec", typeErrors()),
        row("an unreadable spec with nothing asked of AWS lets go", Verdict.Release.class, "NothingToDelete",
            typeErrors(), arn(null)),
        row("protection before an unreadable spec", Verdict.Keep.class, "DeletionProtection", typeErrors(),
            protectedByUser()),
        row("expired earlier: nothing left to delete", Verdict.Release.class, "AlreadyDeleted", expired()),
        row("an unreadable spec before expiry", Verdict.Keep.class, "InvalidSpec", expired(), typeErrors()),
        row("Retain lets go without a call", Verdict.Release.class, "Retained", policy(DeletionPolicy.Retain)),
        row("protection before Retain", Verdict.Keep.class, "DeletionProtection", policy(DeletionPolicy.Retain),
            protectedByUser()),
        row("nothing was asked of AWS", Verdict.Release.class, "NothingToDelete", arn(null)),
        row("a spec that names another backup keeps it", Verdict.Keep.class, "ImmutableFieldChanged", changed()),
        row("Retain before a changed spec", Verdict.Release.class, "Retained", changed(),
            policy(DeletionPolicy.Retain)),
        row("refused by the policies: let go, the backup stays", Verdict.Release.class, "NotPermitted", refused()),
        row("expiry refused by the policies keeps the backup", Verdict.Keep.class, "NotPermitted", refused(),
            purpose(Purpose.EXPIRY)),
        row("no route to its account: wait", Verdict.Keep.class, "AccountUnreachable", unreachable()),
        row("a changed spec before the policies", Verdict.Keep.class, "ImmutableFieldChanged", unreachable(),
            changed()),
        row("an intent without an ARN: look it up first", Verdict.LookUp.class, null, arn(null), intent()),
        row("not asked AWS yet: describe first", Verdict.Describe.class, null, ownership(null)),
        row("recorded by another live object", Verdict.Keep.class, "NotOwned", ownership(
            new Ownership(OWNED.backupName(), "orders", OWNED.createdAt(), List.of("team-b/nightly")))),
        row("another name: a shared table's other backup", Verdict.Keep.class, "NotOwned", ownership(
            new Ownership("someone-elses", "orders", OWNED.createdAt(), List.of()))),
        row("another table", Verdict.Keep.class, "NotOwned", ownership(
            new Ownership(OWNED.backupName(), "payments", OWNED.createdAt(), List.of()))),
        row("made before the object existed", Verdict.Keep.class, "NotOwned", ownership(
            new Ownership(OWNED.backupName(), "orders", CREATED.minusSeconds(3600), List.of()))),
        row("in another account than recorded", Verdict.Keep.class, "NotOwned", recordedIn("999999999999")),
        row("an adopted ARN spec.backupArn names is deleted", Verdict.Delete.class, null, adopted(ARN)),
        row("an ARN in status that spec.backupArn does not name", Verdict.Keep.class, "NotOwned", adopted(FOREIGN)),
        row("a foreign backup of the same name in status: AWS says it is older", Verdict.Keep.class, "NotOwned",
            arn(FOREIGN), ownership(new Ownership(OWNED.backupName(), "orders", CREATED.minusSeconds(86400),
                List.of()))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void everyGuardInItsOrder(Row row) {
    Facts facts = owned();
    for (var change : row.changes()) {
      facts = change.apply(facts);
    }
    Verdict verdict = DeletionGuard.decide(facts);
    assertThat(verdict).isInstanceOf(row.verdict());
    if (verdict instanceof Verdict.Keep keep) {
      assertThat(keep.reason()).as(keep.message()).isEqualTo(row.reason());
    }
    if (verdict instanceof Verdict.Release release) {
      assertThat(release.reason()).as(release.message()).isEqualTo(row.reason());
    }
    if (verdict instanceof Verdict.Delete delete) {
      assertThat(delete.arn()).isEqualTo(facts.arn());
      assertThat(delete.aws().account()).isEqualTo(ACCOUNT);
    }
  }

  static UnaryOperator<Facts> protectedByUser() {
    return f -> new Facts(f.purpose(), true, f.typeErrors(), f.expired(), f.policy(), f.arn(), f.adoptedArn(),
        f.intentPending(), f.expected(), f.recorded(), f.identityChange(), f.connection(), f.ownership(),
        f.objectCreated());
  }

  static UnaryOperator<Facts> typeErrors() {
    return f -> new Facts(f.purpose(), f.deletionProtection(), new ArrayList<>(List.of(
        "spec.deletionPolicy must be one of Delete, Retain, not \"Keep\"")), f.expired(), f.policy(), f.arn(),
        f.adoptedArn(), f.intentPending(), f.expected(), f.recorded(), f.identityChange(), f.connection(),
        f.ownership(), f.objectCreated());
  }

  static UnaryOperator<Facts> expired() {
    return f -> new Facts(f.purpose(), f.deletionProtection(), f.typeErrors(), true, f.policy(), f.arn(),
        f.adoptedArn(), f.intentPending(), f.expected(), f.recorded(), f.identityChange(), f.connection(),
        f.ownership(), f.objectCreated());
  }

  static UnaryOperator<Facts> policy(DeletionPolicy policy) {
    return f -> new Facts(f.purpose(), f.deletionProtection(), f.typeErrors(), f.expired(), policy, f.arn(),
        f.adoptedArn(), f.intentPending(), f.expected(), f.recorded(), f.identityChange(), f.connection(),
        f.ownership(), f.objectCreated());
  }

  static UnaryOperator<Facts> arn(String arn) {
    return f -> new Facts(f.purpose(), f.deletionProtection(), f.typeErrors(), f.expired(), f.policy(), arn,
        f.adoptedArn(), f.intentPending(), f.expected(), f.recorded(), f.identityChange(), f.connection(),
        f.ownership(), f.objectCreated());
  }

  static UnaryOperator<Facts> intent() {
    return f -> new Facts(f.purpose(), f.deletionProtection(), f.typeErrors(), f.expired(), f.policy(), f.arn(),
        f.adoptedArn(), true, f.expected(), f.recorded(), f.identityChange(), f.connection(), f.ownership(),
        f.objectCreated());
  }

  static UnaryOperator<Facts> changed() {
    return f -> new Facts(f.purpose(), f.deletionProtection(), f.typeErrors(), f.expired(), f.policy(), f.arn(),
        f.adoptedArn(), f.intentPending(), f.expected(), f.recorded(),
        Optional.of("spec.tableName changed from 'orders' to 'payments' after the backup was recorded."),
        f.connection(), f.ownership(), f.objectCreated());
  }

  static UnaryOperator<Facts> refused() {
    return connection(new Connection.Refused("NotPermitted", "no DynamoBackupPolicy covers namespace team-a"));
  }

  static UnaryOperator<Facts> unreachable() {
    return connection(new Connection.Waiting("AccountUnreachable", "the backup is in account " + ACCOUNT));
  }

  static UnaryOperator<Facts> connection(Connection connection) {
    return f -> new Facts(f.purpose(), f.deletionProtection(), f.typeErrors(), f.expired(), f.policy(), f.arn(),
        f.adoptedArn(), f.intentPending(), f.expected(), f.recorded(), f.identityChange(), connection,
        f.ownership(), f.objectCreated());
  }

  static UnaryOperator<Facts> purpose(Purpose purpose) {
    return f -> new Facts(purpose, f.deletionProtection(), f.typeErrors(), f.expired(), f.policy(), f.arn(),
        f.adoptedArn(), f.intentPending(), f.expected(), f.recorded(), f.identityChange(), f.connection(),
        f.ownership(), f.objectCreated());
  }

  static UnaryOperator<Facts> ownership(Ownership ownership) {
    return f -> new Facts(f.purpose(), f.deletionProtection(), f.typeErrors(), f.expired(), f.policy(), f.arn(),
        f.adoptedArn(), f.intentPending(), f.expected(), f.recorded(), f.identityChange(), f.connection(),
        Optional.ofNullable(ownership), f.objectCreated());
  }

  static UnaryOperator<Facts> recordedIn(String account) {
    return f -> new Facts(f.purpose(), f.deletionProtection(), f.typeErrors(), f.expired(), f.policy(), f.arn(),
        f.adoptedArn(), f.intentPending(), f.expected(), new BackupIdentity(Origin.Created, IDENTITY.backupName,
        "orders", "eu-west-1", account), f.identityChange(), f.connection(), f.ownership(), f.objectCreated());
  }

  static UnaryOperator<Facts> adopted(String statusArn) {
    BackupIdentity adopted = new BackupIdentity(Origin.Adopted, null, "orders", "eu-west-1", ACCOUNT);
    return f -> new Facts(f.purpose(), f.deletionProtection(), f.typeErrors(), f.expired(), f.policy(), statusArn,
        ARN, f.intentPending(), adopted, adopted, f.identityChange(), f.connection(),
        Optional.of(new Ownership("someone-elses", "orders", CREATED.minusSeconds(86400), List.of())),
        f.objectCreated());
  }
}
