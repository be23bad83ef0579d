package io.dynamobackup.operator.reconcile.backup;

import static io.dynamobackup.operator.support.StatusConditions.condition;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.api.BackupIdentity;
import io.dynamobackup.operator.api.BackupIdentity.Origin;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoBackupStatus;
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
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What DescribeBackup says becomes status and the time of the next look; a backup gone is reported, not re-made. */
@UnitTest
class BackupObserverTest {

  static final String REGION = "eu-west-1";
  static final String TABLE = "orders";
  static final Instant START = Instant.parse("2027-01-01T10:00:00Z");
  static final ReconcileSettings SETTINGS = ReconcileSettings.defaults();

  final MutableClock clock = new MutableClock(START);
  final InMemoryAccount account = new InMemoryAccount(REGION, clock);
  final Connection.Connected aws = new Connection.Connected(account, null, InMemoryAccount.ACCOUNT, REGION);
  final Failures failures = new Failures(SETTINGS);
  final BackupObserver observer = new BackupObserver(SETTINGS, failures, () -> null,
      new BackupDeleter(SETTINGS, failures, REGION, b -> aws, (b, arn) -> List.of(), () -> null));

  DynamoBackup backup;
  RecordingEffects<DynamoBackup> effects;

  @BeforeEach
  void table() {
    account.createTable(REGION, TABLE);
    backup = Backups.stored("nightly", new DynamoBackupSpec(TABLE), START);
  }

  @Test
  void aCreatingBackupIsPolledByItsAgeUntilItIsAvailable() {
    account.creatingFor(Duration.ofSeconds(30));
    String arn = recorded("nightly");

    var creating = observe(arn);

    assertThat(backup.getStatus().backupStatus).isEqualTo("CREATING");
    assertThat(condition(backup, Conditions.READY).getReason()).isEqualTo(Reasons.BACKUP_CREATING);
    assertThat(creating.getScheduleDelay()).contains(SETTINGS.creatingPollMin().toMillis());

    clock.advance(Duration.ofSeconds(20));
    var older = observe(arn);

    assertThat(older.getScheduleDelay()).contains(Duration.ofSeconds(10).toMillis()); // half its age

    clock.advance(Duration.ofSeconds(10));
    var available = observe(arn);

    assertThat(condition(backup, Conditions.READY).getStatus()).isEqualTo("True");
    assertThat(effects.eventReasons()).containsExactly(Reasons.AVAILABLE);
    assertThat(available.getScheduleDelay()).contains(SETTINGS.resyncPeriod().toMillis());
  }

  @Test
  void aBackupDeletedOutsideKubernetesIsReportedMissingAndNotMadeAgain() {
    String arn = recorded("nightly");
    account.delete(REGION, arn);
    account.clearCalls();

    var control = observe(arn);

    assertThat(control.getScheduleDelay()).isEmpty();
    assertThat(backup.getStatus().backupStatus).isEqualTo("DELETED");
    assertThat(condition(backup, Conditions.READY).getReason()).isEqualTo(Reasons.BACKUP_MISSING);
    assertThat(effects.warnings()).extracting(RecordingEffects.Event::reason).containsExactly(Reasons.BACKUP_MISSING);
    assertThat(account.calls()).containsExactly("DescribeBackup " + arn);
  }

  @Test
  void anArnToAdoptThatNamesNoBackupIsBackupNotFound() {
    String arn = "arn:aws:dynamodb:" + REGION + ":" + InMemoryAccount.ACCOUNT + ":table/" + TABLE
        + "/backup/01700000000000-0000beef";
    backup.getSpec().backupArn = arn;

    var control = observe(arn);

    assertThat(condition(backup, Conditions.READY).getReason()).isEqualTo(Reasons.BACKUP_NOT_FOUND);
    assertThat(control.getScheduleDelay()).contains(SETTINGS.terminalRetry().toMillis());
    assertThat(backup.getStatus().backupArn).isNull();
  }

  /** A backup made for the object, recorded in its status as created. */
  String recorded(String name) {
    String arn = account.create(REGION, TABLE, name).backupDetails.backupArn;
    var status = new DynamoBackupStatus();
    status.backupArn = arn;
    status.identity = new BackupIdentity(Origin.Created, name, TABLE, REGION, InMemoryAccount.ACCOUNT);
    backup.setStatus(status);
    account.clearCalls();
    return arn;
  }

  UpdateControl<DynamoBackup> observe(String arn) {
    effects = new RecordingEffects<>(backup);
    var control = observer.observe(new BackupStep(backup, effects, clock), aws, arn);
    if (!effects.writes().isEmpty()) {
      backup = effects.lastWrite();
    }
    return control;
  }
}
