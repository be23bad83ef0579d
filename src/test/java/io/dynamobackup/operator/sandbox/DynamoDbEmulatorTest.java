package io.dynamobackup.operator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BackupInUseException;
import software.amazon.awssdk.services.dynamodb.model.BackupStatus;
import software.amazon.awssdk.services.dynamodb.model.BackupSummary;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.LimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.ListBackupsRequest;
import software.amazon.awssdk.services.dynamodb.model.ListBackupsResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * What the emulator adds to moto: phases (of backups and restores), pagination, faults, quotas, regions, accounts
 * (through STS AssumeRole), restore overrides. Through the real SDK client.
 */
class DynamoDbEmulatorTest {

  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  DynamoDbEmulator emulator;
  DynamoDbClient client;

  @BeforeEach
  void start() {
    Clock clock = new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now.get();
      }
    };
    emulator = DynamoDbEmulator.start(0, clock);
    client = client("eu-west-1");
    emulator.createTable("eu-west-1", "orders");
  }

  @AfterEach
  void stop() {
    client.close();
    emulator.close();
  }

  DynamoDbClient client(String region) {
    return DynamoDbClient.builder().region(Region.of(region)).endpointOverride(emulator.endpoint())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  @Test
  void backupIsCreatingUntilTheConfiguredDurationHasPassed() {
    emulator.creatingDuration(Duration.ofMinutes(2));
    String arn = client.createBackup(r -> r.tableName("orders").backupName("bk1")).backupDetails().backupArn();

    assertThat(status(arn)).isEqualTo(BackupStatus.CREATING);
    assertThatThrownBy(() -> client.deleteBackup(r -> r.backupArn(arn))).isInstanceOf(BackupInUseException.class);

    now.set(now.get().plus(Duration.ofMinutes(2)));
    assertThat(status(arn)).isEqualTo(BackupStatus.AVAILABLE);
  }

  @Test
  void listBackupsPagesWithLimitAndFiltersByTimeAndTable() {
    emulator.createTable("eu-west-1", "payments");
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      now.set(now.get().plusSeconds(60));
      created.add(client.createBackup(r -> r.tableName("orders").backupName("b-x")).backupDetails().backupArn());
    }
    client.createBackup(r -> r.tableName("payments").backupName("other"));

    ListBackupsResponse first = client.listBackups(r -> r.tableName("orders").limit(2));
    ListBackupsResponse second = client.listBackups(r -> r.tableName("orders").limit(2)
        .exclusiveStartBackupArn(first.lastEvaluatedBackupArn()));
    ListBackupsResponse third = client.listBackups(r -> r.tableName("orders").limit(2)
        .exclusiveStartBackupArn(second.lastEvaluatedBackupArn()));

    assertThat(first.backupSummaries()).extracting(s -> s.backupArn()).containsExactlyElementsOf(created.subList(0, 2));
    assertThat(second.backupSummaries()).extracting(s -> s.backupArn()).containsExactlyElementsOf(created.subList(2, 4));
    assertThat(third.backupSummaries()).extracting(s -> s.backupArn()).containsExactly(created.get(4));
    assertThat(third.lastEvaluatedBackupArn()).isNull();

    Instant third0 = Instant.parse("2026-01-01T00:03:00Z");
    var recent = client.listBackups(ListBackupsRequest.builder().tableName("orders").timeRangeLowerBound(third0)
        .build());
    assertThat(recent.backupSummaries()).extracting(s -> s.backupArn()).containsExactlyElementsOf(created.subList(2, 5));
    assertThat(client.listBackups(r -> r.tableName("payments")).backupSummaries()).hasSize(1);
  }

  @Test
  void injectedFaultsAnswerOnceEachInOrder() {
    String arn = client.createBackup(r -> r.tableName("orders").backupName("bk1")).backupDetails().backupArn();
    emulator.failNext("DeleteBackup", "BackupInUseException", 1).failNext("DeleteBackup", "InternalServerError", 1);

    assertThatThrownBy(() -> client.deleteBackup(r -> r.backupArn(arn))).isInstanceOf(BackupInUseException.class);
    assertThatThrownBy(() -> client.deleteBackup(r -> r.backupArn(arn)))
        .isInstanceOfSatisfying(DynamoDbException.class, e -> assertThat(e.statusCode()).isEqualTo(500));
    assertThat(client.deleteBackup(r -> r.backupArn(arn)).backupDescription().backupDetails().backupStatus())
        .isEqualTo(BackupStatus.DELETED);
    assertThat(emulator.calls("DeleteBackup", arn)).hasSize(3);
  }

  @Test
  void faultForOneSubjectAnswersEveryCallNamingItAndNoOther() {
    emulator.createTable("eu-west-1", "secret");
    emulator.failFor("CreateBackup", "secret", "AccessDeniedException");

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> client.createBackup(r -> r.tableName("secret").backupName("bk1")))
          .isInstanceOfSatisfying(DynamoDbException.class,
              e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException"));
    }
    assertThat(client.createBackup(r -> r.tableName("orders").backupName("bk1")).backupDetails().backupArn())
        .contains("table/orders/");
  }

  @Test
  void randomFaultsFollowTheirProbabilitiesAndAreReproducibleFromTheSeed() {
    var faults = new DynamoDbEmulator.RandomFaults(7, 0.1, 0.1, 0.1, 0.1, Duration.ofMillis(1), 0, Duration.ZERO);
    List<String> first = outcomesOf(40, faults);
    List<String> second = outcomesOf(40, new DynamoDbEmulator.RandomFaults(7, 0.1, 0.1, 0.1, 0.1,
        Duration.ofMillis(1), 0, Duration.ZERO));

    assertThat(second).isEqualTo(first);
    assertThat(first).contains("ok", "InternalServerError", "ServiceUnavailable", "LimitExceededException");
    assertThat(emulator.randomFaultCounts()).containsKeys("InternalServerError", "ServiceUnavailable",
        "LimitExceededException", "Slow");
    emulator.randomFaults(DynamoDbEmulator.RandomFaults.NONE);
    assertThat(outcomesOf(10, DynamoDbEmulator.RandomFaults.NONE)).containsOnly("ok");
  }

  private List<String> outcomesOf(int calls, DynamoDbEmulator.RandomFaults faults) {
    emulator.randomFaults(faults);
    var outcomes = new ArrayList<String>();
    for (int i = 0; i < calls; i++) {
      try {
        client.listBackups(r -> r.tableName("orders"));
        outcomes.add("ok");
      } catch (DynamoDbException e) {
        outcomes.add(e.awsErrorDetails().errorCode());
      }
    }
    return outcomes;
  }

  @Test
  void quotaAnswersLimitExceededAboveTheRateAndRecoversTheNextSecond() {
    emulator.quota("DescribeBackup", 3);
    String arn = client.createBackup(r -> r.tableName("orders").backupName("bk1")).backupDetails().backupArn();

    for (int i = 0; i < 3; i++) {
      client.describeBackup(r -> r.backupArn(arn));
    }
    assertThatThrownBy(() -> client.describeBackup(r -> r.backupArn(arn)))
        .isInstanceOf(LimitExceededException.class);
    assertThat(emulator.throttledAnswers()).isEqualTo(1);

    now.set(now.get().plusSeconds(1));
    client.describeBackup(r -> r.backupArn(arn));
  }

  @Test
  void regionsAreSeparateAndArnsNameTheirRegion() {
    try (DynamoDbClient east = client("us-east-1")) {
      emulator.createTable("us-east-1", "orders");
      String arn = east.createBackup(r -> r.tableName("orders").backupName("east")).backupDetails().backupArn();

      assertThat(arn).startsWith("arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/");
      assertThat(emulator.backupArns("us-east-1")).containsExactly(arn);
      assertThat(emulator.backupArns("eu-west-1")).isEmpty();
    }
  }

  @Test
  void anAssumedRoleActsInItsAccountWithItsOwnQuotasAndEveryCallSaysWhoMadeIt() {
    String accountB = "111122223333";
    emulator.quota("DescribeBackup", 1); // the clock stands still: every call falls in the same second
    emulator.createTable(accountB, "eu-west-1", "orders");
    Credentials session;
    try (var sts = StsClient.builder().region(Region.EU_WEST_1).endpointOverride(emulator.endpoint())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"))).build()) {
      session = sts.assumeRole(r -> r.roleArn("arn:aws:iam::" + accountB + ":role/backups").roleSessionName("test"))
          .credentials();
    }
    try (var roleB = DynamoDbClient.builder().region(Region.EU_WEST_1).endpointOverride(emulator.endpoint())
        .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(session.accessKeyId(),
            session.secretAccessKey(), session.sessionToken())))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
      String inB = roleB.createBackup(r -> r.tableName("orders").backupName("in-b")).backupDetails().backupArn();
      String own = client.createBackup(r -> r.tableName("orders").backupName("own")).backupDetails().backupArn();

      assertThat(inB).startsWith("arn:aws:dynamodb:eu-west-1:" + accountB + ":table/orders/backup/");
      assertThat(own).startsWith("arn:aws:dynamodb:eu-west-1:" + DynamoDbEmulator.ACCOUNT + ":table/orders/");
      assertThat(roleB.listBackups(r -> { }).backupSummaries()).extracting(BackupSummary::backupArn)
          .containsExactly(inB);
      assertThat(client.listBackups(r -> { }).backupSummaries()).extracting(BackupSummary::backupArn)
          .containsExactly(own);

      roleB.describeBackup(r -> r.backupArn(inB));
      client.describeBackup(r -> r.backupArn(own)); // the own account's quota is its own
      assertThatThrownBy(() -> roleB.describeBackup(r -> r.backupArn(inB)))
          .isInstanceOf(LimitExceededException.class);
      assertThat(emulator.throttledAnswers(accountB)).isEqualTo(1);
      assertThat(emulator.throttledAnswers(DynamoDbEmulator.ACCOUNT)).isZero();
      assertThat(emulator.admitted("DescribeBackup", accountB)).hasSize(1);
      assertThat(emulator.callLog()).filteredOn(call -> call.operation().equals("CreateBackup"))
          .extracting(DynamoDbEmulator.Call::account, DynamoDbEmulator.Call::accessKeyId)
          .containsExactlyInAnyOrder(tuple(accountB, session.accessKeyId()), tuple(DynamoDbEmulator.ACCOUNT, "a"));
      assertThat(emulator.calls("AssumeRole", "role/backups")).singleElement()
          .satisfies(call -> assertThat(call.accessKeyId()).isEqualTo("a"));
    }
  }

  @Test
  void invalidBackupNameIsAValidationError() {
    assertThatThrownBy(() -> client.createBackup(r -> r.tableName("orders").backupName("a b")))
        .isInstanceOfSatisfying(DynamoDbException.class,
            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException"));
  }

  @Test
  void putBackupRegistersAnAvailableBackupUnderTheGivenArnForAdoption() {
    emulator.creatingDuration(Duration.ofMinutes(2));
    String arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/invoices/backup/01700000000000-1a2b3c4d";

    emulator.putBackup(arn);

    var description = client.describeBackup(r -> r.backupArn(arn)).backupDescription();
    assertThat(description.backupDetails().backupStatus()).isEqualTo(BackupStatus.AVAILABLE);
    assertThat(description.sourceTableDetails().tableName()).isEqualTo("invoices");
    assertThat(description.sourceTableDetails().tableArn())
        .isEqualTo("arn:aws:dynamodb:eu-west-1:123456789012:table/invoices");
    assertThat(emulator.backupArns("eu-west-1")).containsExactly(arn);
    assertThat(emulator.operations()).containsExactly("DescribeBackup");
    assertThatThrownBy(() -> emulator.putBackup("arn:aws:dynamodb:eu-west-1:123456789012:table/invoices"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void restoredTableIsCreatingAndItsBackupInUseUntilTheRestoringDurationHasPassed() {
    emulator.restoringDuration(Duration.ofMinutes(5));
    String arn = client.createBackup(r -> r.tableName("orders").backupName("bk1")).backupDetails().backupArn();

    var restored = client.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName("orders-copy"))
        .tableDescription();

    assertThat(restored.tableStatus()).isEqualTo(TableStatus.CREATING);
    assertThat(restored.restoreSummary().sourceBackupArn()).isEqualTo(arn);
    assertThat(restored.restoreSummary().sourceTableArn()).endsWith(":table/orders");
    assertThat(restored.restoreSummary().restoreInProgress()).isTrue();
    assertThat(restored.restoreSummary().restoreDateTime()).isEqualTo(now.get());
    assertThatThrownBy(() -> client.deleteBackup(r -> r.backupArn(arn))).isInstanceOf(BackupInUseException.class);
    assertThatThrownBy(() -> client.deleteTable(r -> r.tableName("orders-copy")))
        .isInstanceOf(ResourceInUseException.class);

    now.set(now.get().plus(Duration.ofMinutes(5)));
    var table = client.describeTable(r -> r.tableName("orders-copy")).table();
    assertThat(table.tableStatus()).isEqualTo(TableStatus.ACTIVE);
    assertThat(table.restoreSummary().restoreInProgress()).isFalse();
    assertThat(client.deleteBackup(r -> r.backupArn(arn)).backupDescription().backupDetails().backupStatus())
        .isEqualTo(BackupStatus.DELETED);
    assertThat(client.deleteTable(r -> r.tableName("orders-copy")).tableDescription().tableStatus())
        .isEqualTo(TableStatus.DELETING);
    assertThatThrownBy(() -> client.describeTable(r -> r.tableName("orders-copy")))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void restoreTakesTheBackupsSchemaWithTheOverridesApplied() {
    String arn = client.createBackup(r -> r.tableName("orders").backupName("bk1")).backupDetails().backupArn();

    client.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName("orders-provisioned")
        .billingModeOverride(BillingMode.PROVISIONED)
        .provisionedThroughputOverride(t -> t.readCapacityUnits(5L).writeCapacityUnits(7L))
        .sseSpecificationOverride(sse -> sse.enabled(true).kmsMasterKeyId("alias/orders")));
    client.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName("orders-plain"));

    var provisioned = client.describeTable(r -> r.tableName("orders-provisioned")).table();
    assertThat(provisioned.keySchema()).extracting(k -> k.attributeName()).containsExactly("id");
    assertThat(provisioned.billingModeSummary().billingMode()).isEqualTo(BillingMode.PROVISIONED);
    assertThat(provisioned.provisionedThroughput().readCapacityUnits()).isEqualTo(5L);
    assertThat(provisioned.provisionedThroughput().writeCapacityUnits()).isEqualTo(7L);
    assertThat(provisioned.sseDescription().kmsMasterKeyArn()).isEqualTo("alias/orders");
    var plain = client.describeTable(r -> r.tableName("orders-plain")).table();
    assertThat(plain.billingModeSummary().billingMode()).isEqualTo(BillingMode.PAY_PER_REQUEST);
    assertThat(plain.sseDescription()).isNull();
    assertThat(emulator.calls("RestoreTableFromBackup", "orders-plain")).hasSize(1);
  }

  @Test
  void restoreFromABackupStillCreatingAnswersBackupInUse() {
    emulator.creatingDuration(Duration.ofMinutes(2));
    String arn = client.createBackup(r -> r.tableName("orders").backupName("bk1")).backupDetails().backupArn();

    assertThatThrownBy(() -> client.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName("orders-copy")))
        .isInstanceOf(BackupInUseException.class);
    assertThatThrownBy(() -> client.describeTable(r -> r.tableName("orders-copy")))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  /** Where moto restores any time from any table, AWS refuses; the emulator follows AWS. */
  @Test
  void pointInTimeRestoreNeedsRecoveryEnabledAndATimeInItsWindow() {
    assertThatThrownBy(() -> client.restoreTableToPointInTime(r -> r.sourceTableName("orders")
        .targetTableName("orders-copy").useLatestRestorableTime(true)))
        .isInstanceOfSatisfying(DynamoDbException.class, e ->
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("PointInTimeRecoveryUnavailableException"));
    Instant enabledAt = now.get();
    emulator.enablePointInTimeRecovery("eu-west-1", "orders");
    now.set(enabledAt.plus(Duration.ofHours(2)));

    for (Instant outside : List.of(enabledAt.minusSeconds(1), now.get().plusSeconds(1))) {
      assertThatThrownBy(() -> client.restoreTableToPointInTime(r -> r.sourceTableName("orders")
          .targetTableName("orders-copy").restoreDateTime(outside)))
          .isInstanceOfSatisfying(DynamoDbException.class, e -> {
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidRestoreTimeException");
            assertThat(e.awsErrorDetails().errorMessage()).contains(enabledAt.toString(), now.get().toString());
          });
    }
    assertThat(emulator.calls("RestoreTableToPointInTime", "orders-copy")).hasSize(3);
    assertThatThrownBy(() -> client.describeTable(r -> r.tableName("orders-copy")))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  /** AWS's RestoreSummary of a point-in-time restore: the source table, no backup, and the point restored. */
  @Test
  void pointInTimeRestoreIsCreatingThenActiveAndReportsThePointRestored() {
    emulator.restoringDuration(Duration.ofMinutes(5));
    Instant enabledAt = now.get();
    emulator.enablePointInTimeRecovery("eu-west-1", "orders");
    now.set(enabledAt.plus(Duration.ofHours(2)));
    Instant point = enabledAt.plus(Duration.ofMinutes(30));
    String sourceArn = client.describeTable(r -> r.tableName("orders")).table().tableArn();

    var restored = client.restoreTableToPointInTime(r -> r.sourceTableArn(sourceArn).targetTableName("orders-copy")
        .restoreDateTime(point)).tableDescription();

    assertThat(restored.tableStatus()).isEqualTo(TableStatus.CREATING);
    assertThat(restored.creationDateTime()).isEqualTo(now.get());
    assertThat(restored.restoreSummary().sourceTableArn()).isEqualTo(sourceArn);
    assertThat(restored.restoreSummary().sourceBackupArn()).isNull();
    assertThat(restored.restoreSummary().restoreDateTime()).isEqualTo(point);
    assertThat(restored.restoreSummary().restoreInProgress()).isTrue();
    now.set(now.get().plus(Duration.ofMinutes(5)));
    var active = client.describeTable(r -> r.tableName("orders-copy")).table();
    assertThat(active.tableStatus()).isEqualTo(TableStatus.ACTIVE);
    assertThat(active.restoreSummary().restoreInProgress()).isFalse();
    var window = client.describeContinuousBackups(r -> r.tableName("orders")).continuousBackupsDescription()
        .pointInTimeRecoveryDescription();
    assertThat(window.earliestRestorableDateTime()).isEqualTo(enabledAt);
    assertThat(window.latestRestorableDateTime()).isEqualTo(now.get());
  }

  /** AWS changes TTL and streams only from off to on and back: a second enable is a ValidationException. */
  @Test
  void timeToLiveAndStreamsAreEnabledOnce() {
    client.updateTimeToLive(r -> r.tableName("orders").timeToLiveSpecification(t -> t.enabled(true)
        .attributeName("expiresAt")));
    client.updateTable(r -> r.tableName("orders").streamSpecification(t -> t.streamEnabled(true)
        .streamViewType("KEYS_ONLY")));

    assertThatThrownBy(() -> client.updateTimeToLive(r -> r.tableName("orders").timeToLiveSpecification(t -> t
        .enabled(true).attributeName("other")))).isInstanceOfSatisfying(DynamoDbException.class, e ->
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException"));
    assertThatThrownBy(() -> client.updateTable(r -> r.tableName("orders").streamSpecification(t -> t
        .streamEnabled(true).streamViewType("NEW_IMAGE")))).isInstanceOfSatisfying(DynamoDbException.class, e ->
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException"));
    var table = client.describeTable(r -> r.tableName("orders")).table();
    assertThat(table.streamSpecification().streamViewTypeAsString()).isEqualTo("KEYS_ONLY");
    assertThat(table.latestStreamArn()).startsWith(table.tableArn() + "/stream/");
  }

  BackupStatus status(String arn) {
    return client.describeBackup(r -> r.backupArn(arn)).backupDescription().backupDetails().backupStatus();
  }
}
