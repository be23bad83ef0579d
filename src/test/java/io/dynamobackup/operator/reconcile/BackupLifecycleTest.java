package io.dynamobackup.operator.reconcile;

import static io.dynamobackup.operator.support.Backups.awaitAvailable;
import static io.dynamobackup.operator.support.OperatorHarness.REGION;
import static io.dynamobackup.operator.support.StatusConditions.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** Create, follow to AVAILABLE, adopt, and refuse bad specs: the operator against mock Kubernetes and the emulator. */
class BackupLifecycleTest {

  static final Duration TIMEOUT = Duration.ofSeconds(20);
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create();

  @Test
  void createdBackupBecomesAvailableWithTheWholeDescriptionMirrored() {
    String table = richTable();
    String name = OperatorHarness.uniqueName("nightly");
    harness.apply(name, new DynamoBackupSpec(table));

    DynamoBackup backup = awaitAvailable(harness, name);
    var status = backup.getStatus();
    assertThat(status.backupStatus).isEqualTo("AVAILABLE");
    assertThat(status.backupArn).startsWith("arn:aws:dynamodb:" + REGION + ":123456789012:table/" + table
        + "/backup/");
    assertThat(status.observedGeneration).isEqualTo(backup.getMetadata().getGeneration());
    assertThat(status.failedAttempts).isNull();

    var details = status.backupDescription.backupDetails;
    assertThat(details.backupArn).isEqualTo(status.backupArn);
    assertThat(details.backupName).isEqualTo("default_" + name + "_"
        + backup.getMetadata().getUid().replace("-", "").substring(24));
    assertThat(details.backupStatus).isEqualTo("AVAILABLE");
    assertThat(details.backupType).isEqualTo("USER");
    assertThat(details.backupSizeBytes).isNotNull();
    assertThat(Instant.parse(details.backupCreationDateTime)).isBefore(Instant.now().plusSeconds(1));

    var source = status.backupDescription.sourceTableDetails;
    assertThat(source.tableName).isEqualTo(table);
    assertThat(source.tableArn).endsWith(":table/" + table);
    assertThat(source.tableId).isNotBlank();
    assertThat(source.billingMode).isEqualTo("PROVISIONED");
    assertThat(source.provisionedThroughput.readCapacityUnits).isEqualTo(5L);
    assertThat(source.provisionedThroughput.writeCapacityUnits).isEqualTo(7L);
    assertThat(source.keySchema).extracting(k -> k.attributeName + ":" + k.keyType)
        .containsExactly("pk:HASH", "sk:RANGE");
    assertThat(Instant.parse(source.tableCreationDateTime)).isNotNull();
    assertThat(source.itemCount).isZero();
    assertThat(source.tableSizeBytes).isZero();

    var features = status.backupDescription.sourceTableFeatureDetails;
    assertThat(features.globalSecondaryIndexes).singleElement().satisfies(gsi -> {
      assertThat(gsi.indexName).isEqualTo("by-customer");
      assertThat(gsi.keySchema).extracting(k -> k.attributeName).containsExactly("customer");
      assertThat(gsi.projection.projectionType).isEqualTo("INCLUDE");
      assertThat(gsi.projection.nonKeyAttributes).containsExactly("total");
      assertThat(gsi.provisionedThroughput.readCapacityUnits).isEqualTo(3L);
    });
    assertThat(features.localSecondaryIndexes).singleElement().satisfies(lsi -> {
      assertThat(lsi.indexName).isEqualTo("by-date");
      assertThat(lsi.projection.projectionType).isEqualTo("KEYS_ONLY");
    });
    assertThat(features.streamDescription.streamEnabled).isTrue();
    assertThat(features.streamDescription.streamViewType).isEqualTo("NEW_AND_OLD_IMAGES");
    assertThat(features.timeToLiveDescription.timeToLiveStatus).isEqualTo("ENABLED");
    assertThat(features.timeToLiveDescription.attributeName).isEqualTo("expiresAt");
    assertThat(features.sseDescription.status).isEqualTo("ENABLED");
    assertThat(features.sseDescription.sseType).isEqualTo("KMS");
    assertThat(features.sseDescription.kmsMasterKeyArn).startsWith("arn:aws:kms:");

    assertThat(condition(backup, Conditions.READY).getReason()).isEqualTo("Available");
    assertThat(condition(backup, Conditions.CREATING).getStatus()).isEqualTo("False");
    assertThat(harness.emulator.calls("CreateBackup", table)).hasSize(1);
    assertThat(harness.emulator.backupArns(REGION)).filteredOn(arn -> arn.contains(table))
        .containsExactly(status.backupArn);
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).contains("Created", "Available"));
  }

  @Test
  void creatingBackupIsPolledWithBackoffUntilAvailable() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("slow");
    harness.emulator.creatingDuration(Duration.ofSeconds(3));
    try {
      harness.apply(name, new DynamoBackupSpec(table));

      await().atMost(TIMEOUT).untilAsserted(() -> {
        var backup = harness.get(name);
        assertThat(backup.getStatus().backupStatus).isEqualTo("CREATING");
        assertThat(condition(backup, Conditions.READY).getStatus()).isEqualTo("False");
        assertThat(condition(backup, Conditions.READY).getReason()).isEqualTo("Creating");
      });
      awaitAvailable(harness, name);
      // 3 s of CREATING with polls from 200 ms up to 1 s apart: a handful of calls, not a hot loop.
      assertThat(harness.emulator.calls("DescribeBackup", table)).hasSizeBetween(2, 12);
    } finally {
      harness.emulator.creatingDuration(Duration.ZERO);
    }
  }

  @Test
  void existingBackupIsAdoptedAndRetainedWhenTheObjectIsDeleted() {
    String table = harness.newTable();
    String arn = harness.dynamo.createBackup(r -> r.tableName(table).backupName("made-elsewhere"))
        .backupDetails().backupArn();
    String name = OperatorHarness.uniqueName("adopted");
    var spec = new DynamoBackupSpec();
    spec.backupArn = arn;
    harness.apply(name, spec);

    var backup = awaitAvailable(harness, name);
    assertThat(backup.getStatus().backupArn).isEqualTo(arn);
    assertThat(backup.getStatus().backupDescription.backupDetails.backupName).isEqualTo("made-elsewhere");
    assertThat(backup.getStatus().backupDescription.sourceTableDetails.tableName).isEqualTo(table);
    assertThat(harness.emulator.calls("CreateBackup", table)).hasSize(1); // ours, above

    harness.deleteAndAwaitGone(name, TIMEOUT);
    assertThat(harness.emulator.backupArns(REGION)).contains(arn);
    assertThat(harness.emulator.calls("DeleteBackup", arn)).isEmpty();
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).contains("Retained"));
  }

  @Test
  void adoptedBackupIsDeletedWhenDeletionPolicyDeleteIsExplicit() {
    String table = harness.newTable();
    String arn = harness.dynamo.createBackup(r -> r.tableName(table).backupName("adopt-and-delete"))
        .backupDetails().backupArn();
    String name = OperatorHarness.uniqueName("adopted");
    var spec = new DynamoBackupSpec(table);
    spec.backupArn = arn;
    spec.deletionPolicy = DeletionPolicy.Delete;
    harness.apply(name, spec);
    awaitAvailable(harness, name);

    harness.deleteAndAwaitGone(name, TIMEOUT);

    assertThat(harness.emulator.backupArns(REGION)).doesNotContain(arn);
  }

  @Test
  void backupArnOfAnotherTableIsRefusedWithoutAnAwsCall() {
    String table = harness.newTable();
    String arn = harness.dynamo.createBackup(r -> r.tableName(table).backupName("theirs")).backupDetails()
        .backupArn();
    String name = OperatorHarness.uniqueName("mismatch");
    var spec = new DynamoBackupSpec("some-other-table");
    spec.backupArn = arn;
    harness.apply(name, spec);

    await().atMost(TIMEOUT).untilAsserted(() -> {
      var ready = condition(harness.get(name), Conditions.READY);
      assertThat(ready.getReason()).isEqualTo("BackupTableMismatch");
      assertThat(ready.getMessage()).contains(table, "some-other-table");
    });
    assertThat(harness.emulator.calls("DescribeBackup", arn)).isEmpty();
  }

  @Test
  void invalidSpecIsReportedWithoutAnyAwsCall() {
    String name = OperatorHarness.uniqueName("invalid");
    var spec = new DynamoBackupSpec("bad table!");

    harness.apply(name, spec);

    await().atMost(TIMEOUT).untilAsserted(() -> {
      var backup = harness.get(name);
      var ready = condition(backup, Conditions.READY);
      assertThat(ready.getStatus()).isEqualTo("False");
      assertThat(ready.getReason()).isEqualTo("InvalidSpec");
      assertThat(ready.getMessage()).contains("spec.tableName 'bad table!'");
    });
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).containsExactly("InvalidSpec"));
    assertThat(harness.emulator.calls("CreateBackup", "bad table!")).isEmpty();
    // and the object can still be deleted: nothing was created, so nothing is deleted
    harness.deleteAndAwaitGone(name, TIMEOUT);
  }

  @Test
  void changedIdentityIsRefusedAndRevertingItRecovers() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("immutable");
    harness.apply(name, new DynamoBackupSpec(table));
    String arn = awaitAvailable(harness, name).getStatus().backupArn;

    harness.backups().inNamespace(OperatorHarness.NAMESPACE).withName(name)
        .edit(b -> {
          b.getSpec().tableName = "another-table";
          return b;
        });

    await().atMost(TIMEOUT).untilAsserted(() -> {
      var ready = condition(harness.get(name), Conditions.READY);
      assertThat(ready.getReason()).isEqualTo("ImmutableFieldChanged");
      assertThat(ready.getMessage()).contains("spec.tableName", table, "another-table");
    });
    assertThat(harness.get(name).getStatus().backupArn).isEqualTo(arn);
    assertThat(harness.emulator.calls("CreateBackup", "another-table")).isEmpty();

    harness.backups().inNamespace(OperatorHarness.NAMESPACE).withName(name)
        .edit(b -> {
          b.getSpec().tableName = table;
          return b;
        });
    var recovered = awaitAvailable(harness, name);
    assertThat(recovered.getStatus().backupArn).isEqualTo(arn);
    // conditions are replaced in place, never appended
    assertThat(recovered.getStatus().conditions).extracting(Condition::getType)
        .containsExactlyInAnyOrder("Ready", "Creating");
  }

  @Test
  void missingTableIsATerminalErrorRetriedAtMostOncePerPeriod() {
    String name = OperatorHarness.uniqueName("no-table");
    String table = "missing-" + UUID.randomUUID().toString().substring(0, 8);

    harness.apply(name, new DynamoBackupSpec(table));

    await().atMost(TIMEOUT).untilAsserted(() -> {
      var backup = harness.get(name);
      var ready = condition(backup, Conditions.READY);
      assertThat(ready.getReason()).isEqualTo("TableNotFound");
      assertThat(ready.getMessage()).contains("CreateBackup failed", table);
      assertThat(condition(backup, Conditions.CREATING).getStatus()).isEqualTo("False");
    });
    // The terminal retry period is 2 s in these settings: over 5 s, at most 4 attempts.
    Instant start = Instant.now();
    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7))
        .until(() -> harness.emulator.calls("CreateBackup", table).size() <= 4);
    assertThat(Duration.between(start, Instant.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
    assertThat(harness.get(name).getStatus().backupArn).isNull();
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).contains("CreateFailed"));
    harness.deleteAndAwaitGone(name, TIMEOUT);
  }

  /** A table with every feature the description mirrors: GSI, LSI, stream, TTL, KMS encryption. */
  static String richTable() {
    String table = "rich-" + UUID.randomUUID().toString().substring(0, 8);
    harness.dynamo.createTable(r -> r.tableName(table)
        .billingMode(BillingMode.PROVISIONED)
        .provisionedThroughput(p -> p.readCapacityUnits(5L).writeCapacityUnits(7L))
        .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH),
            k -> k.attributeName("sk").keyType(KeyType.RANGE))
        .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
            a -> a.attributeName("sk").attributeType(ScalarAttributeType.S),
            a -> a.attributeName("customer").attributeType(ScalarAttributeType.S),
            a -> a.attributeName("date").attributeType(ScalarAttributeType.S))
        .globalSecondaryIndexes(g -> g.indexName("by-customer")
            .keySchema(k -> k.attributeName("customer").keyType(KeyType.HASH))
            .projection(p -> p.projectionType(ProjectionType.INCLUDE).nonKeyAttributes("total"))
            .provisionedThroughput(p -> p.readCapacityUnits(3L).writeCapacityUnits(3L)))
        .localSecondaryIndexes(l -> l.indexName("by-date")
            .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH),
                k -> k.attributeName("date").keyType(KeyType.RANGE))
            .projection(p -> p.projectionType(ProjectionType.KEYS_ONLY)))
        .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES))
        .sseSpecification(s -> s.enabled(true)));
    harness.dynamo.updateTimeToLive(r -> r.tableName(table)
        .timeToLiveSpecification(t -> t.enabled(true).attributeName("expiresAt")));
    return table;
  }
}
