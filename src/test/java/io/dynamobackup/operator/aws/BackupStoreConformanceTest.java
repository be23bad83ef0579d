package io.dynamobackup.operator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamobackup.operator.sandbox.DynamoDbEmulator;
import io.dynamobackup.operator.support.InMemoryAccount;
import io.dynamobackup.operator.support.MotoServer;
import io.dynamobackup.operator.support.UnitTest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The same port cases (backups, and the table calls of restores) against our emulator, against moto_server, and
 * against the in-memory account of the unit tier, so that each answers as a real implementation does.
 */
class BackupStoreConformanceTest {

  static final String REGION = "eu-west-1";
  static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class AgainstEmulator extends OverHttp {
    DynamoDbEmulator emulator;

    @BeforeAll
    void start() {
      emulator = DynamoDbEmulator.start(0);
      connect(emulator.endpoint());
    }

    @AfterAll
    void stop() {
      disconnect();
      emulator.close();
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class AgainstMoto extends OverHttp {
    MotoServer moto;

    @BeforeAll
    void start() {
      moto = MotoServer.start();
      connect(moto.endpoint());
    }

    @AfterAll
    void stop() throws InterruptedException {
      disconnect();
      moto.close();
    }
  }

  @Nested
  @UnitTest
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class AgainstInMemory extends Cases {
    final InMemoryAccount account = new InMemoryAccount(REGION, Clock.systemUTC());

    AgainstInMemory() {
      store = account;
    }

    @Override
    void createTable(String name) {
      account.createTable(REGION, name);
    }
  }

  /** The SDK adapter against a DynamoDB endpoint on loopback. */
  abstract static class OverHttp extends Cases {
    SdkBackupStore sdk;
    DynamoDbClient tables;

    void connect(URI endpoint) {
      sdk = new SdkBackupStore(REGION, Optional.of(endpoint), CREDENTIALS, Duration.ofSeconds(10));
      store = sdk;
      tables = DynamoDbClient.builder().region(Region.of(REGION)).endpointOverride(endpoint)
          .credentialsProvider(CREDENTIALS).build();
    }

    void disconnect() {
      sdk.close();
      tables.close();
    }

    @Override
    void createTable(String name) {
      tables.createTable(r -> r.tableName(name)
          .billingMode(BillingMode.PAY_PER_REQUEST)
          .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH), k -> k.attributeName("sk")
              .keyType(KeyType.RANGE))
          .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
              a -> a.attributeName("sk").attributeType(ScalarAttributeType.N)));
    }
  }

  abstract static class Cases {
    AccountClient store;

    /** An ACTIVE table of this name, hash key pk and range key sk, where {@code store}'s calls go. */
    abstract void createTable(String name);

    String newTable() {
      String name = "orders-" + UUID.randomUUID().toString().substring(0, 8);
      createTable(name);
      return name;
    }

    @Test
    void createReturnsDetailsAndDescribeMirrorsTheSourceTable() {
      String table = newTable();
      var created = store.create(null, table, "nightly-1");

      assertThat(created.backupDetails.backupName).isEqualTo("nightly-1");
      assertThat(created.backupDetails.backupArn)
          .matches("arn:aws:dynamodb:" + REGION + ":\\d{12}:table/" + table + "/backup/\\d{14}-[0-9a-f]{8}");
      assertThat(created.backupDetails.backupStatus).isIn("CREATING", "AVAILABLE");
      assertThat(created.backupDetails.backupCreationDateTime).isNotNull();

      var described = store.describe(null, created.backupDetails.backupArn);
      assertThat(described.backupDetails.backupArn).isEqualTo(created.backupDetails.backupArn);
      assertThat(described.backupDetails.backupType).isEqualTo("USER");
      assertThat(described.backupDetails.backupSizeBytes).isNotNull();
      assertThat(described.sourceTableDetails.tableName).isEqualTo(table);
      assertThat(described.sourceTableDetails.tableArn).endsWith(":table/" + table);
      // moto leaves BillingMode out of SourceTableDetails; the emulator's own tests cover it.
      assertThat(described.sourceTableDetails.keySchema)
          .extracting(k -> k.attributeName + ":" + k.keyType)
          .containsExactly("pk:HASH", "sk:RANGE");
    }

    @Test
    void deleteAnswersDeletedThenTheBackupIsGone() {
      String table = newTable();
      String arn = store.create(null, table, "to-delete").backupDetails.backupArn;

      var deleted = store.delete(null, arn);

      assertThat(deleted.backupDetails.backupArn).isEqualTo(arn);
      assertThat(deleted.backupDetails.backupStatus).isEqualTo("DELETED");
      assertThat(deleted.sourceTableDetails.tableName).isEqualTo(table);
      assertFailure(() -> store.describe(null, arn), AwsFailure.Kind.GONE, "BackupNotFoundException");
      assertFailure(() -> store.delete(null, arn), AwsFailure.Kind.GONE, "BackupNotFoundException");
    }

    @Test
    void createOnAMissingTableIsTerminal() {
      assertFailure(() -> store.create(null, "no-such-table", "orphan"), AwsFailure.Kind.TERMINAL,
          "TableNotFoundException");
    }

    @Test
    void listFiltersByTableAndFindsEveryBackupPageByPage() {
      String first = newTable();
      String second = newTable();
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        expected.add(store.create(null, first, "b-" + i).backupDetails.backupArn);
      }
      store.create(null, second, "other");

      List<String> listed = new ArrayList<>();
      BackupQuery query = BackupQuery.ofTable(first).limit(2); // moto ignores Limit: one page there
      for (int page = 0; page < 10; page++) {
        var result = store.list(null, query);
        result.backups().forEach(b -> {
          assertThat(b.tableName()).isEqualTo(first);
          listed.add(b.backupArn());
        });
        if (!result.hasMore()) {
          break;
        }
        query = query.startingAfter(result.lastEvaluatedBackupArn());
      }
      assertThat(listed).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void restoreCreatesTheTargetTableWithItsRestoreSummary() {
      String source = newTable();
      String arn = store.create(null, source, "to-restore").backupDetails.backupArn;
      String target = source + "-restored";

      TableState restored = store.restore(null, new RestoreRequest(arn, target, null, null, null, null, null));

      assertThat(restored.tableName()).isEqualTo(target);
      assertThat(restored.tableArn()).matches("arn:aws:dynamodb:" + REGION + ":\\d{12}:table/" + target);
      assertThat(restored.tableStatus()).isIn("CREATING", "ACTIVE");
      assertThat(restored.restoreSummary().sourceBackupArn).isEqualTo(arn);
      assertThat(restored.restoreSummary().sourceTableArn).endsWith(":table/" + source);
      assertThat(restored.restoreSummary().restoreDateTime).isNotNull();
      TableState described = store.describeTable(null, target);
      assertThat(described.tableArn()).isEqualTo(restored.tableArn());
      assertThat(described.restoreSummary().sourceBackupArn).isEqualTo(arn);
      assertThat(described.restoring()).isFalse();
    }

    @Test
    void restoreIntoATableThatExistsIsTableAlreadyExists() {
      String source = newTable();
      String arn = store.create(null, source, "to-restore").backupDetails.backupArn;
      String existing = newTable();

      assertFailure(() -> store.restore(null, new RestoreRequest(arn, existing, null, null, null, null, null)),
          AwsFailure.Kind.TERMINAL, "TableAlreadyExistsException");
      assertThat(store.describeTable(null, existing).restoreSummary()).isNull();
    }

    @Test
    void restoreOfAMissingBackupIsGone() {
      String source = newTable();
      String arn = store.create(null, source, "deleted-first").backupDetails.backupArn;
      store.delete(null, arn);

      assertFailure(() -> store.restore(null, new RestoreRequest(arn, source + "-restored", null, null, null, null,
          null)), AwsFailure.Kind.GONE, "BackupNotFoundException");
      assertFailure(() -> store.describeTable(null, source + "-restored"), AwsFailure.Kind.GONE,
          "ResourceNotFoundException");
    }

    @Test
    void deleteTableThenTheTableIsGone() {
      String source = newTable();
      String arn = store.create(null, source, "to-restore").backupDetails.backupArn;
      String target = source + "-restored";
      store.restore(null, new RestoreRequest(arn, target, null, null, null, null, null));

      TableState deleted = store.deleteTable(null, target);

      assertThat(deleted.tableName()).isEqualTo(target);
      // DynamoDB answers DELETING; moto answers the table as it was, and removes it at once
      assertThat(deleted.tableStatus()).isIn("DELETING", "ACTIVE");
      assertFailure(() -> store.describeTable(null, target), AwsFailure.Kind.GONE, "ResourceNotFoundException");
      assertFailure(() -> store.deleteTable(null, target), AwsFailure.Kind.GONE, "ResourceNotFoundException");
    }

    @Test
    void pointInTimeRecoveryIsOffUntilEnabledThenHasAWindow() {
      String table = newTable();
      assertThat(store.describeContinuousBackups(null, table).enabled()).isFalse();

      ContinuousBackups enabled = store.updatePointInTimeRecovery(null, table, true);

      assertThat(enabled.enabled()).isTrue();
      var described = store.describeContinuousBackups(null, table);
      assertThat(described.pointInTimeRecoveryStatus()).isEqualTo("ENABLED");
      assertThat(described.earliestRestorableDateTime()).isNotNull();
      assertThat(described.latestRestorableDateTime()).isAfterOrEqualTo(described.earliestRestorableDateTime());
      assertThat(store.updatePointInTimeRecovery(null, table, false).enabled()).isFalse();
      assertFailure(() -> store.describeContinuousBackups(null, "no-such-table"), AwsFailure.Kind.TERMINAL,
          "TableNotFoundException");
    }

    @Test
    void pointInTimeRestoreOfTheLatestTimeNamesTheSourceTableAndNoBackup() {
      String source = newTable();
      store.updatePointInTimeRecovery(null, source, true);
      String target = source + "-pitr";

      TableState restored = store.restoreToPointInTime(null, request(source, target));

      assertThat(restored.tableName()).isEqualTo(target);
      assertThat(restored.tableArn()).matches("arn:aws:dynamodb:" + REGION + ":\\d{12}:table/" + target);
      assertThat(restored.tableStatus()).isIn("CREATING", "ACTIVE");
      assertThat(restored.creationDateTime()).isNotNull();
      assertThat(restored.restoreSummary().sourceTableArn).endsWith(":table/" + source);
      assertThat(restored.restoreSummary().sourceBackupArn).isNull();
      assertThat(restored.restoreSummary().restoreDateTime).isNotNull();
      TableState described = store.describeTable(null, target);
      assertThat(described.restoreSummary().sourceTableArn).isEqualTo(restored.restoreSummary().sourceTableArn);
      assertThat(described.restoring()).isFalse();
      assertFailure(() -> store.restoreToPointInTime(null, request(source, target)), AwsFailure.Kind.TERMINAL,
          "TableAlreadyExistsException");
      assertFailure(() -> store.restoreToPointInTime(null, request("no-such-table", source + "-other")),
          AwsFailure.Kind.TERMINAL, "SourceTableNotFoundException");
    }

    @Test
    void timeToLiveIsDisabledUntilEnabledOnAnAttribute() {
      String table = newTable();
      assertThat(store.describeTimeToLive(null, table).status()).isEqualTo("DISABLED");

      store.enableTimeToLive(null, table, "expiresAt");

      assertThat(store.describeTimeToLive(null, table)).isEqualTo(new TimeToLive("ENABLED", "expiresAt"));
    }

    @Test
    void deletionProtectionKeepsTheTableUntilTurnedOff() {
      String table = newTable();
      assertThat(store.describeTable(null, table).deletionProtectionEnabled()).isFalse();

      assertThat(store.updateDeletionProtection(null, table, true).deletionProtectionEnabled()).isTrue();

      assertThat(store.describeTable(null, table).deletionProtectionEnabled()).isTrue();
      assertFailure(() -> store.deleteTable(null, table), AwsFailure.Kind.TERMINAL, "ValidationException");
      store.updateDeletionProtection(null, table, false);
      store.deleteTable(null, table);
      assertFailure(() -> store.describeTable(null, table), AwsFailure.Kind.GONE, "ResourceNotFoundException");
    }

    @Test
    void aStreamIsEnabledWithItsViewType() {
      String table = newTable();
      assertThat(store.describeTable(null, table).streamViewType()).isNull();

      assertThat(store.enableStream(null, table, "NEW_AND_OLD_IMAGES").streamViewType())
          .isEqualTo("NEW_AND_OLD_IMAGES");

      assertThat(store.describeTable(null, table).streamViewType()).isEqualTo("NEW_AND_OLD_IMAGES");
    }

    @Test
    void tagsAreAddedToTheOnesATableHas() {
      String table = newTable();
      String arn = store.describeTable(null, table).tableArn();
      assertThat(store.listTags(null, arn, null).tags()).isEmpty();

      store.tag(null, arn, Map.of("team", "payments", "env", "prod"));
      store.tag(null, arn, Map.of("env", "staging"));

      TagPage page = store.listTags(null, arn, null);
      assertThat(page.tags()).containsExactlyInAnyOrderEntriesOf(Map.of("team", "payments", "env", "staging"));
      assertThat(page.nextToken()).isNull();
      assertFailure(() -> store.listTags(null, arn + "-gone", null), AwsFailure.Kind.GONE,
          "ResourceNotFoundException");
    }

    static PointInTimeRequest request(String source, String target) {
      return new PointInTimeRequest(source, null, target, null, null, null, null, null);
    }

    static void assertFailure(Runnable call, AwsFailure.Kind kind, String code) {
      assertThatThrownBy(call::run)
          .isInstanceOfSatisfying(AwsFailure.class, failure -> {
            assertThat(failure.kind()).isEqualTo(kind);
            assertThat(failure.code()).isEqualTo(code);
          });
    }
  }
}
