package io.dynamobackup.operator.reconcile.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static io.dynamobackup.operator.support.StatusConditions.condition;

import io.dynamobackup.operator.api.BackupIdentity;
import io.dynamobackup.operator.api.BackupIdentity.Origin;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.Failures;
import io.dynamobackup.operator.reconcile.Reasons;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import io.dynamobackup.operator.reconcile.StatusConflict;
import io.dynamobackup.operator.support.Backups;
import io.dynamobackup.operator.support.InMemoryAccount;
import io.dynamobackup.operator.support.MutableClock;
import io.dynamobackup.operator.support.RecordingEffects;
import io.dynamobackup.operator.support.UnitTest;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CreateBackup exactly once, against an in-memory account: the intent goes first, an answer that may hide a made
 * backup keeps it, and the lookup after a lost answer takes this object's backup and never another object's.
 */
@UnitTest
class BackupCreatorTest {

  static final String REGION = "eu-west-1";
  static final String TABLE = "orders";
  static final String NAME = "nightly";
  static final Instant START = Instant.parse("2027-01-01T10:00:00Z");
  static final ReconcileSettings SETTINGS = ReconcileSettings.defaults();

  final MutableClock clock = new MutableClock(START);
  final InMemoryAccount account = new InMemoryAccount(REGION, clock);
  final Connection.Connected aws = new Connection.Connected(account, null, InMemoryAccount.ACCOUNT, REGION);
  /** The ARNs other DynamoBackups record. */
  final Set<String> otherObjects = new HashSet<>();
  final Failures failures = new Failures(SETTINGS);
  final BackupCreator creator = new BackupCreator(SETTINGS, failures, new BackupObserver(SETTINGS, failures,
      () -> null, new BackupDeleter(SETTINGS, failures, REGION, b -> aws, (b, arn) -> List.of(), () -> null)),
      (b, arn) -> otherObjects.contains(arn), REGION);

  DynamoBackup backup;
  RecordingEffects<DynamoBackup> effects;

  @BeforeEach
  void tableAndObject() {
    account.createTable(REGION, TABLE);
    var spec = new DynamoBackupSpec(TABLE);
    spec.backupName = NAME; // shared with another object in some tests: names are not identities
    backup = Backups.stored("nightly", spec, START.minusSeconds(30));
  }

  @Test
  void theIntentAndTheIdentityAreWrittenBeforeCreateBackupIsCalled() {
    List<DynamoBackup> writtenBeforeTheCall = new ArrayList<>();
    account.beforeNext("CreateBackup", () -> writtenBeforeTheCall.addAll(effects.writes()));

    reconcile();

    assertThat(writtenBeforeTheCall).singleElement().satisfies(intent -> {
      assertThat(intent.getStatus().backupArn).isNull();
      assertThat(condition(intent, Conditions.CREATING)).satisfies(c -> {
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo(Reasons.CREATE_REQUESTED);
      });
      assertThat(intent.getStatus().identity).usingRecursiveComparison().isEqualTo(identity());
    });
    assertThat(account.calls("CreateBackup")).containsExactly(TABLE);
    assertThat(backup.getStatus().backupArn).isEqualTo(account.backupArns(REGION).get(0));
    assertThat(condition(backup, Conditions.CREATING).getReason()).isEqualTo(Reasons.CREATED);
  }

  @Test
  void aConflictOnWritingTheIntentStopsBeforeCreateBackup() {
    assertThatThrownBy(() -> reconcile(new RecordingEffects<>(backup).conflictOnNextWrite()))
        .isInstanceOf(StatusConflict.class);

    assertThat(account.calls("CreateBackup")).isEmpty();
    assertThat(account.backupArns(REGION)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"InternalServerError", "ServiceUnavailable", "HTTP502", "HTTP504", AwsFailure.NO_ANSWER})
  void anAmbiguousAnswerKeepsTheIntentAndTheNextReconcileRecordsWhatTheCallMade(String code) {
    account.failAfterActing("CreateBackup", code);

    reconcile();

    var status = backup.getStatus();
    assertThat(status.backupArn).isNull();
    assertThat(condition(backup, Conditions.CREATING).getReason()).isEqualTo(Reasons.CREATE_REQUESTED);
    assertThat(status.identity).usingRecursiveComparison().isEqualTo(identity());
    assertThat(status.failedAttempts).isEqualTo(1);
    assertThat(effects.warnings()).extracting(RecordingEffects.Event::reason).containsExactly("CreateFailed");
    String made = account.backupArns(REGION).get(0);

    clock.advance(Duration.ofSeconds(2));
    reconcile();

    assertThat(backup.getStatus().backupArn).isEqualTo(made);
    assertThat(account.calls("CreateBackup")).hasSize(1);
    assertThat(effects.eventReasons()).contains(Reasons.ADOPTED_EARLIER_ATTEMPT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ValidationException", "TableNotFoundException", "AccessDeniedException",
      "LimitExceededException", "ThrottlingException"})
  void aRefusalClearsTheIntentSoTheNextAttemptCreatesWithoutALookup(String code) {
    account.failNext("CreateBackup", code);

    reconcile();

    assertThat(condition(backup, Conditions.CREATING)).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getReason()).isEqualTo(code.replace("Exception", ""));
    });
    assertThat(backup.getStatus().identity).isNull();
    assertThat(backup.getStatus().failedAttempts).isEqualTo(1);

    reconcile();

    assertThat(account.calls("ListBackups")).isEmpty();
    assertThat(account.calls("CreateBackup")).hasSize(2);
    assertThat(backup.getStatus().backupArn).isNotNull();
  }

  @Test
  void aCallHeldBackByTheQuotaIsNoFailure() {
    account.failNext("CreateBackup", AwsFailure.quotaWait("CreateBackup", Duration.ofMillis(400)));

    var control = reconcile();

    assertThat(control.getScheduleDelay()).contains(400L);
    assertThat(backup.getStatus().failedAttempts).isNull();
    assertThat(condition(backup, Conditions.READY).getReason()).isEqualTo(Reasons.BACKUP_CREATING);
    assertThat(effects.warnings()).isEmpty();
  }

  @Test
  void theLookupTakesThisObjectsBackupNotTheOneAnotherObjectOfTheSameNameRecords() {
    intentRecordedAt(START);
    String others = account.create(REGION, TABLE, NAME).backupDetails.backupArn; // made at the same time
    otherObjects.add(others);
    clock.advance(Duration.ofSeconds(1));
    String ours = account.create(REGION, TABLE, NAME).backupDetails.backupArn; // the call whose answer was lost
    account.clearCalls();

    reconcile();

    assertThat(backup.getStatus().backupArn).isEqualTo(ours);
    assertThat(account.calls("CreateBackup")).isEmpty();
  }

  @Test
  void theLookupPrefersABackupMadeSinceTheIntentToAnUnrecordedOlderOne() {
    String older = account.create(REGION, TABLE, NAME).backupDetails.backupArn; // an orphan, not in any object
    clock.advance(Duration.ofMinutes(2));
    intentRecordedAt(clock.instant());
    String ours = account.create(REGION, TABLE, NAME).backupDetails.backupArn;
    account.clearCalls();

    reconcile();

    assertThat(backup.getStatus().backupArn).isEqualTo(ours).isNotEqualTo(older);
  }

  @Test
  void whenOnlyAnotherObjectsBackupShowsItWaitsForTheCallInFlightThenCreatesItsOwn() {
    intentRecordedAt(START);
    String others = account.create(REGION, TABLE, NAME).backupDetails.backupArn;
    otherObjects.add(others);
    account.clearCalls();
    clock.advance(Duration.ofSeconds(10));

    var waiting = reconcile();

    assertThat(waiting.getScheduleDelay()).contains(SETTINGS.inFlightBound().minusSeconds(10).toMillis());
    assertThat(backup.getStatus().backupArn).isNull();
    assertThat(account.calls("CreateBackup")).isEmpty();

    clock.advance(SETTINGS.inFlightBound());
    reconcile();

    assertThat(account.calls("CreateBackup")).hasSize(1);
    assertThat(backup.getStatus().backupArn).isNotNull().isNotEqualTo(others);
  }

  /** Runs one reconcile of the creator on the object as last stored, and keeps what it wrote. */
  UpdateControl<DynamoBackup> reconcile() {
    return reconcile(new RecordingEffects<>(backup));
  }

  UpdateControl<DynamoBackup> reconcile(RecordingEffects<DynamoBackup> with) {
    effects = with;
    var control = creator.create(new BackupStep(backup, effects, clock), aws);
    if (!effects.writes().isEmpty()) {
      backup = effects.lastWrite();
    }
    return control;
  }

  /** The status an earlier reconcile left when its CreateBackup got no recorded answer: the intent, no ARN. */
  void intentRecordedAt(Instant at) {
    var status = new DynamoBackupStatus();
    status.identity = identity();
    Conditions.set(status.conditions, Conditions.CREATING, true, Reasons.CREATE_REQUESTED, "requested", 1L, at);
    backup.setStatus(status);
  }

  static BackupIdentity identity() {
    return new BackupIdentity(Origin.Created, NAME, TABLE, REGION, InMemoryAccount.ACCOUNT);
  }
}
