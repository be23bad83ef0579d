package io.dynamobackup.operator.reconcile.backup;

import static io.dynamobackup.operator.support.StatusConditions.condition;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.api.BackupIdentity;
import io.dynamobackup.operator.api.BackupIdentity.Origin;
import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.aws.BackupPage;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.Failures;
import io.dynamobackup.operator.reconcile.Reasons;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import io.dynamobackup.operator.support.Backups;
import io.dynamobackup.operator.support.InMemoryAccount;
import io.dynamobackup.operator.support.MutableClock;
import io.dynamobackup.operator.support.RecordingEffects;
import io.dynamobackup.operator.support.UnitTest;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DeleteBackup on the finalizer and on expiry, against an in-memory account: each guard's verdict becomes its
 * condition and control, DeleteBackup comes only once AWS's word shows the backup is this object's, and a backup
 * already gone releases the object.
 */
@UnitTest
class BackupDeleterTest {

  static final String REGION = "eu-west-1";
  static final String TABLE = "orders";
  static final String NAME = "nightly";
  static final Instant START = Instant.parse("2027-01-01T10:00:00Z");
  static final ReconcileSettings SETTINGS = ReconcileSettings.defaults();

  final MutableClock clock = new MutableClock(START);
  final InMemoryAccount account = new InMemoryAccount(REGION, clock);
  final Connection.Connected aws = new Connection.Connected(account, null, InMemoryAccount.ACCOUNT, REGION);
  /** What the policies answer for deleting. */
  Connection connection = aws;
  /** The other objects that record an ARN. */
  final Map<String, List<String>> otherClaims = new HashMap<>();
  final BackupDeleter deleter = new BackupDeleter(SETTINGS, new Failures(SETTINGS), REGION, b -> connection,
      (b, arn) -> otherClaims.getOrDefault(arn, List.of()), () -> null);

  DynamoBackup backup;
  /** The backup this object made, AVAILABLE and recorded. */
  String arn;
  RecordingEffects<DynamoBackup> effects;

  @BeforeEach
  void anObjectWithTheBackupItMade() {
    account.createTable(REGION, TABLE);
    var spec = new DynamoBackupSpec(TABLE);
    spec.backupName = NAME;
    backup = Backups.stored("nightly", spec, START);
    clock.advance(Duration.ofSeconds(1));
    arn = account.create(REGION, TABLE, NAME).backupDetails.backupArn;
    var status = new DynamoBackupStatus();
    status.backupArn = arn;
    status.backupStatus = "AVAILABLE";
    status.identity = new BackupIdentity(Origin.Created, NAME, TABLE, REGION, InMemoryAccount.ACCOUNT);
    Conditions.set(status.conditions, Conditions.READY, true, Reasons.AVAILABLE, "available", 1L, clock.instant());
    backup.setStatus(status);
    account.clearCalls();
    clock.advance(Duration.ofHours(1));
  }

  record Row(String scenario, Consumer<BackupDeleterTest> given, String condition, String conditionStatus,
      String reason, boolean released, Duration retry, boolean deleted, String event) {
    @Override
    public String toString() {
      return scenario;
    }
  }

  static Stream<Row> verdicts() {
    return Stream.of(
        new Row("the backup this object made is deleted", t -> { }, Conditions.DELETING, "False", Reasons.DELETED,
            true, null, true, Reasons.DELETED),
        new Row("deletionProtection keeps the object and the backup", t -> t.backup.getSpec().deletionProtection = true,
            Conditions.DELETION_BLOCKED, "True", Reasons.DELETION_PROTECTION, false, null, false,
            Reasons.DELETION_BLOCKED),
        new Row("an unreadable spec keeps both", t -> t.backup.getSpec().typeErrors()
            .add("spec.deletionPolicy: expected Delete or Retain, got 7"), Conditions.DELETING, "True",
            Reasons.INVALID_SPEC, false, null, false, Reasons.INVALID_SPEC),
        new Row("Retain lets the object go and the backup stay", t -> t.backup.getSpec().deletionPolicy =
            DeletionPolicy.Retain, null, null, null, true, null, false, Reasons.RETAINED),
        new Row("nothing was asked of AWS", t -> t.backup.setStatus(null), null, null, null, true, null, false,
            Reasons.NOTHING_TO_DELETE),
        new Row("a spec that names another table keeps the backup", t -> t.backup.getSpec().tableName = "payments",
            Conditions.DELETING, "True", Reasons.IMMUTABLE_FIELD_CHANGED, false, null, false,
            Reasons.IMMUTABLE_FIELD_CHANGED),
        new Row("refused by the policies: the object goes, the backup stays", t -> t.connection =
            new Connection.Refused("NotPermitted", "no policy allows it"), Conditions.DELETING, "False",
            "NotPermitted", true, null, false, "NotPermitted"),
        new Row("no route to the backup's account: wait", t -> t.connection =
            new Connection.Waiting("AccountUnreachable", "AssumeRole failed"), Conditions.DELETING, "True",
            "AccountUnreachable", false, SETTINGS.terminalRetry(), false, "AccountUnreachable"),
        new Row("AWS names the backup otherwise: not this object's", t -> t.recordBackupNamed("someone-elses"),
            Conditions.DELETING, "True", Reasons.NOT_OWNED, false, null, false, Reasons.NOT_OWNED),
        new Row("another object records the backup too", t -> t.otherClaims.put(t.arn, List.of("default/twin")),
            Conditions.DELETING, "True", Reasons.NOT_OWNED, false, null, false, Reasons.NOT_OWNED),
        new Row("the backup is older than the object", t -> t.backup.getMetadata().setCreationTimestamp(
            START.plus(Duration.ofMinutes(10)).toString()), Conditions.DELETING, "True", Reasons.NOT_OWNED, false,
            null, false, Reasons.NOT_OWNED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("verdicts")
  void eachVerdictBecomesItsConditionAndControl(Row row) {
    row.given().accept(this);
    String recorded = backup.getStatus() == null ? null : backup.getStatus().backupArn;

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).as("finalizer removed").isEqualTo(row.released());
    assertThat(control.getScheduleDelay()).isEqualTo(Optional.ofNullable(row.retry()).map(Duration::toMillis));
    if (row.condition() != null) {
      assertThat(condition(backup, row.condition())).satisfies(c -> {
        assertThat(c.getStatus()).isEqualTo(row.conditionStatus());
        assertThat(c.getReason()).isEqualTo(row.reason());
      });
    }
    assertThat(effects.eventReasons()).contains(row.event());
    assertThat(account.calls("DeleteBackup")).hasSize(row.deleted() ? 1 : 0);
    assertThat(account.backupArns(REGION).contains(recorded)).as("backup still in AWS").isEqualTo(!row.deleted()
        && recorded != null);
  }

  @Test
  void deleteBackupIsCalledOnlyOnceAwsShowsTheBackupIsThisObjects() {
    cleanup();

    assertThat(account.calls()).containsExactly("DescribeBackup " + arn, "DeleteBackup " + arn);
    assertThat(backup.getStatus().backupStatus).isEqualTo("DELETED");
  }

  @Test
  void theListingsSummaryIsAwsWordEnoughWithoutADescribe() {
    cleanup(new RecordingEffects<>(backup).withSecondary(BackupPage.BackupSummary.class,
        new BackupPage.BackupSummary(arn, NAME, TABLE, "AVAILABLE", START.plusSeconds(1), 0L)));

    assertThat(account.calls()).containsExactly("DeleteBackup " + arn);
  }

  @Test
  void aBackupGoneBeforeTheDescribeReleasesTheObject() {
    account.delete(REGION, arn); // outside Kubernetes
    account.clearCalls();

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isTrue();
    assertThat(condition(backup, Conditions.DELETING).getReason()).isEqualTo(Reasons.ALREADY_DELETED);
    assertThat(account.calls("DeleteBackup")).isEmpty();
  }

  @Test
  void aBackupGoneAtDeleteBackupReleasesTheObject() {
    account.failNext("DeleteBackup", "BackupNotFoundException");

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isTrue();
    assertThat(condition(backup, Conditions.DELETING).getReason()).isEqualTo(Reasons.ALREADY_DELETED);
  }

  @Test
  void aFailedDeleteBackupKeepsTheFinalizerAndCountsTheAttempt() {
    account.failNext("DeleteBackup", "BackupInUseException");

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isFalse();
    assertThat(control.getScheduleDelay()).isPresent();
    assertThat(condition(backup, Conditions.DELETING).getReason()).isEqualTo("BackupInUse");
    assertThat(backup.getStatus().failedAttempts).isEqualTo(1);
    assertThat(effects.warnings()).extracting(RecordingEffects.Event::reason).containsExactly("DeleteFailed");
    assertThat(account.backupArns(REGION)).containsExactly(arn);
  }

  @Test
  void aDeleteBackupHeldBackByTheQuotaIsNoFailure() {
    account.failNext("DeleteBackup", AwsFailure.quotaWait("DeleteBackup", Duration.ofMillis(250)));

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isFalse();
    assertThat(control.getScheduleDelay()).contains(250L);
    assertThat(effects.warnings()).isEmpty();
    assertThat(backup.getStatus().failedAttempts).isNull();
  }

  @Test
  void anIntentWithoutAnArnIsLookedUpAndItsBackupDeletedToo() {
    intentRecordedAt(START.plusSeconds(1));

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isTrue();
    assertThat(account.calls()).containsExactly("ListBackups " + TABLE, "DescribeBackup " + arn,
        "DeleteBackup " + arn);
    assertThat(account.backupArns(REGION)).isEmpty();
  }

  @Test
  void anIntentWithoutAnArnWaitsWhileItsCallMayBeInFlightThenLetsGo() {
    account.delete(REGION, arn);
    account.clearCalls();
    intentRecordedAt(clock.instant().minusSeconds(10));

    DeleteControl waiting = cleanup();

    assertThat(waiting.isRemoveFinalizer()).isFalse();
    assertThat(waiting.getScheduleDelay()).contains(SETTINGS.inFlightBound().minusSeconds(10).toMillis());
    assertThat(condition(backup, Conditions.DELETING).getReason()).isEqualTo(Reasons.WAITING_FOR_CREATE);

    clock.advance(SETTINGS.inFlightBound());
    DeleteControl released = cleanup();

    assertThat(released.isRemoveFinalizer()).isTrue();
    assertThat(effects.eventReasons()).containsExactly(Reasons.NOTHING_TO_DELETE);
    assertThat(account.calls("DeleteBackup")).isEmpty();
  }

  @Test
  void theLookupAtDeletionLeavesAnotherObjectsBackupOfTheSameName() {
    otherClaims.put(arn, List.of("default/twin"));
    intentRecordedAt(START.plusSeconds(1));

    DeleteControl control = cleanup();

    assertThat(control.isRemoveFinalizer()).isTrue();
    assertThat(effects.eventReasons()).containsExactly(Reasons.NOTHING_TO_DELETE);
    assertThat(account.calls("DeleteBackup")).isEmpty();
    assertThat(account.backupArns(REGION)).containsExactly(arn);
  }

  @Test
  void expiryDeletesTheBackupAndKeepsTheObjectAsItsRecord() {
    var control = expire();

    assertThat(control.isNoUpdate()).isTrue();
    assertThat(backup.getStatus().backupStatus).isEqualTo("DELETED");
    assertThat(condition(backup, Conditions.EXPIRED).getStatus()).isEqualTo("True");
    assertThat(account.calls()).containsExactly("DescribeBackup " + arn, "DeleteBackup " + arn);
  }

  @Test
  void expiryUnderRetainKeepsTheBackup() {
    backup.getSpec().deletionPolicy = DeletionPolicy.Retain;

    var control = expire();

    assertThat(control.getScheduleDelay()).contains(SETTINGS.resyncPeriod().toMillis());
    assertThat(condition(backup, Conditions.EXPIRED)).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getReason()).isEqualTo(Reasons.RETAINED_BY_POLICY);
    });
    assertThat(account.calls()).isEmpty();
  }

  DeleteControl cleanup() {
    return cleanup(new RecordingEffects<>(backup));
  }

  /** Runs the finalizer once on the object as last stored, and keeps what it wrote. */
  DeleteControl cleanup(RecordingEffects<DynamoBackup> with) {
    effects = with;
    var control = deleter.cleanup(new BackupStep(backup, effects, clock));
    if (!effects.writes().isEmpty()) {
      backup = effects.lastWrite();
    }
    return control;
  }

  UpdateControl<DynamoBackup> expire() {
    effects = new RecordingEffects<>(backup);
    var control = deleter.expire(new BackupStep(backup, effects, clock), clock.instant().minusSeconds(1));
    if (!effects.writes().isEmpty()) {
      backup = effects.lastWrite();
    }
    return control;
  }

  /** The status records another backup of the table, whose name is not the one this object creates with. */
  void recordBackupNamed(String name) {
    arn = account.create(REGION, TABLE, name).backupDetails.backupArn;
    account.clearCalls();
    backup.getStatus().backupArn = arn;
  }

  /** The status a reconcile left when its CreateBackup got no recorded answer: the intent, no ARN. */
  void intentRecordedAt(Instant at) {
    var status = new DynamoBackupStatus();
    status.identity = new BackupIdentity(Origin.Created, NAME, TABLE, REGION, InMemoryAccount.ACCOUNT);
    Conditions.set(status.conditions, Conditions.CREATING, true, Reasons.CREATE_REQUESTED, "requested", 1L, at);
    backup.setStatus(status);
  }
}
