package io.dynamobackup.operator.reconcile;

import static io.dynamobackup.operator.support.OperatorHarness.NAMESPACE;
import static io.dynamobackup.operator.support.OperatorHarness.REGION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.Retention;
import io.dynamobackup.operator.support.Backups;
import io.dynamobackup.operator.support.OperatorHarness;
import io.dynamobackup.operator.support.StatusConditions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** spec.retention and spec.deletionProtection on single DynamoBackups. */
class RetentionTest {

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create();

  @Test
  void expiredBackupIsDeletedAndTheObjectStaysAsItsRecord() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("expiring");
    var spec = new DynamoBackupSpec(table);
    spec.retention = new Retention();
    spec.retention.expireAfter = "3s";

    String arn = Backups.availableBackup(harness, name, spec);
    var available = harness.get(name).getStatus();
    assertThat(Instant.parse(available.expiresAt)).isEqualTo(
        Instant.parse(available.backupDescription.backupDetails.backupCreationDateTime).plusSeconds(3));

    await().atMost(TIMEOUT).untilAsserted(() -> {
      var status = harness.get(name).getStatus();
      assertThat(status.backupStatus).isEqualTo("DELETED");
      var expired = StatusConditions.condition(harness.get(name), Conditions.EXPIRED);
      assertThat(expired.getStatus()).isEqualTo("True");
      assertThat(expired.getMessage()).contains("expired at", arn);
    });
    assertThat(harness.emulator.backupArns(REGION)).doesNotContain(arn);
    assertThat(harness.emulator.calls("DeleteBackup", arn)).hasSize(1);
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).contains("Expired"));
    // the record is left alone: no more AWS calls, and deleting it later calls nothing either
    int describes = harness.emulator.calls("DescribeBackup", arn).size();
    harness.deleteAndAwaitGone(name, TIMEOUT);
    assertThat(harness.emulator.calls("DescribeBackup", arn)).hasSize(describes);
    assertThat(harness.emulator.calls("DeleteBackup", arn)).hasSize(1);
  }

  @Test
  void retentionNeverDeletesABackupTheOperatorMayNotDelete() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("retained");
    var spec = new DynamoBackupSpec(table);
    spec.deletionPolicy = DeletionPolicy.Retain;
    spec.retention = new Retention();
    spec.retention.expiresAt = Instant.now().plusSeconds(2).toString();

    String arn = Backups.availableBackup(harness, name, spec);

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(
        StatusConditions.condition(harness.get(name), Conditions.EXPIRED).getReason())
        .isEqualTo("RetainedByPolicy"));
    assertThat(harness.emulator.backupArns(REGION)).contains(arn);
    assertThat(harness.emulator.calls("DeleteBackup", arn)).isEmpty();
  }

  @Test
  void protectionBlocksExpiryUntilItIsLifted() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("protected-expiry");
    var spec = new DynamoBackupSpec(table);
    spec.deletionProtection = true;
    spec.retention = new Retention();
    spec.retention.expireAfter = "1s";
    String arn = Backups.availableBackup(harness, name, spec);

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(
        StatusConditions.condition(harness.get(name), Conditions.EXPIRED).getReason())
        .isEqualTo("DeletionProtected"));
    assertThat(harness.emulator.backupArns(REGION)).contains(arn);

    setProtection(name, false);

    await().atMost(TIMEOUT).until(() -> "DELETED".equals(harness.get(name).getStatus().backupStatus));
    assertThat(harness.emulator.backupArns(REGION)).doesNotContain(arn);
  }

  @Test
  void protectionBlocksDeletionOfTheObjectUntilItIsLifted() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("protected");
    var spec = new DynamoBackupSpec(table);
    spec.deletionProtection = true;
    String arn = Backups.availableBackup(harness, name, spec);

    harness.backups().inNamespace(NAMESPACE).withName(name).delete();

    await().atMost(TIMEOUT).untilAsserted(() -> {
      var blocked = StatusConditions.condition(harness.get(name), Conditions.DELETION_BLOCKED);
      assertThat(blocked.getStatus()).isEqualTo("True");
      assertThat(blocked.getMessage()).contains("spec.deletionProtection is true", arn);
    });
    harness.awaitEventReasons(name, reasons -> assertThat(reasons).containsOnlyOnce("DeletionBlocked"));
    assertThat(harness.get(name).getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(harness.emulator.calls("DeleteBackup", arn)).isEmpty();

    setProtection(name, false);

    await().atMost(TIMEOUT).until(() -> harness.get(name) == null);
    assertThat(harness.emulator.backupArns(REGION)).doesNotContain(arn);
  }

  static void setProtection(String name, boolean value) {
    harness.backups().inNamespace(NAMESPACE).withName(name).edit(b -> {
      b.getSpec().deletionProtection = value;
      return b;
    });
  }
}
