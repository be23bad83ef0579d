package io.dynamobackup.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.support.Backups;
import io.dynamobackup.operator.support.RecordingEffects;
import io.dynamobackup.operator.support.UnitTest;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The one place a failed AWS call becomes status, an Event and a requeue, for reconcile and cleanup alike. */
@UnitTest
class FailuresTest {

  static final Instant NOW = Instant.parse("2027-01-01T10:00:00Z");
  static final ReconcileSettings SETTINGS = ReconcileSettings.defaults();

  final DynamoBackup backup = Backups.stored("nightly", new DynamoBackupSpec("orders"), NOW);
  final RecordingEffects<DynamoBackup> effects = new RecordingEffects<>(backup);
  final ReconcileStep<DynamoBackup, DynamoBackupStatus> step = new ReconcileStep<>(backup, effects,
      DynamoBackupStatus::new, Clock.fixed(NOW, ZoneOffset.UTC));
  final Failures failures = new Failures(SETTINGS);

  record Row(Failures.Path path, String call, String code, String condition, String conditionStatus,
      String eventReason, boolean terminal) {
    @Override
    public String toString() {
      return path + " " + call + " " + code;
    }
  }

  static Stream<Row> failures() {
    return Stream.of(
        new Row(Failures.Path.RECONCILE, "CreateBackup", "InternalServerError", Conditions.READY, "False",
            "CreateFailed", false),
        new Row(Failures.Path.RECONCILE, "RestoreTableFromBackup", "ValidationException", Conditions.READY, "False",
            "RestoreTableFailed", true),
        new Row(Failures.Path.RECONCILE, "DescribeTable", "LimitExceededException", Conditions.READY, "False",
            "DescribeTableFailed", false),
        new Row(Failures.Path.CLEANUP, "DeleteBackup of arn", "BackupInUseException", Conditions.DELETING, "True",
            "DeleteFailed", false),
        new Row(Failures.Path.CLEANUP, "DeleteTable of arn", "AccessDeniedException", Conditions.DELETING, "True",
            "DeleteFailed", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void aFailedCallIsCountedShownAndRetriedAfterItsBackoff(Row row) {
    step.status().attempts(2);
    var failure = new AwsFailure(AwsFailure.kindOf(row.code(), 400), row.code(), "refused");

    Duration delay = failures.handle(step, row.path(), row.call(), failure);

    var written = effects.lastWrite().getStatus();
    assertThat(written.failedAttempts).isEqualTo(3);
    Condition shown = Conditions.find(written.conditions, row.condition()).orElseThrow();
    assertThat(shown.getStatus()).isEqualTo(row.conditionStatus());
    assertThat(shown.getReason()).isEqualTo(failure.reason());
    assertThat(shown.getMessage()).startsWith(row.call() + " failed: " + row.code()).contains("retry 3 at");
    assertThat(effects.warnings()).extracting(RecordingEffects.Event::reason).containsExactly(row.eventReason());
    if (row.terminal()) {
      assertThat(delay).isEqualTo(SETTINGS.terminalRetry());
    } else {
      assertThat(delay).isBetween(SETTINGS.retryBackoff().ceiling(3).dividedBy(2), SETTINGS.retryBackoff().ceiling(3));
    }
  }

  @ParameterizedTest
  @EnumSource(Failures.Path.class)
  void aCallTheRateLimitHeldBackIsNoFailure(Failures.Path path) {
    step.status().attempts(2);
    step.set(Conditions.READY, false, Reasons.BACKUP_CREATING, "creating");

    Duration delay = failures.handle(step, path, "DescribeBackup", AwsFailure.quotaWait("DescribeBackup",
        Duration.ofMillis(1500)));

    assertThat(delay).isEqualTo(Duration.ofMillis(1500));
    var written = effects.lastWrite().getStatus(); // what the step changed before the held-back call
    assertThat(written.failedAttempts).isEqualTo(2);
    assertThat(Conditions.find(written.conditions, Conditions.READY).orElseThrow().getReason())
        .isEqualTo(Reasons.BACKUP_CREATING);
    assertThat(Conditions.find(written.conditions, Conditions.DELETING)).isEmpty();
    assertThat(effects.events()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
      "CreateBackup, CreateFailed",
      "DescribeBackup, DescribeFailed",
      "ListBackups (looking for an unrecorded backup), ListFailed",
      "DeleteBackup of arn:aws:dynamodb:eu-west-1:123456789012:table/orders/backup/1, DeleteFailed",
      "RestoreTableFromBackup, RestoreTableFailed",
      "RestoreTableToPointInTime, RestoreTableToPointInTimeFailed",
      "DescribeTable, DescribeTableFailed",
      "DescribeContinuousBackups, DescribeContinuousFailed",
  })
  void theEventReasonNamesTheCall(String call, String reason) {
    assertThat(Failures.eventReason(call)).isEqualTo(reason);
  }
}
