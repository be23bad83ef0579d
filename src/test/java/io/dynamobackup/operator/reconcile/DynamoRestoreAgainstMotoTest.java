package io.dynamobackup.operator.reconcile;

import static io.dynamobackup.operator.reconcile.DynamoRestoreTest.fromRef;
import static io.dynamobackup.operator.support.Restores.awaitReady;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.support.Backups;
import io.dynamobackup.operator.support.MotoServer;
import io.dynamobackup.operator.support.OperatorHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Select;

/** The operator against moto_server, which restores the items too: the restored table holds the source's items. */
class DynamoRestoreAgainstMotoTest {

  static final Duration TIMEOUT = Duration.ofSeconds(20);
  static MotoServer moto;
  static OperatorHarness harness;

  @BeforeAll
  static void start() {
    moto = MotoServer.start();
    harness = OperatorHarness.against(moto.endpoint());
    harness.startOperator();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (harness != null) {
      harness.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void backupThenRestoreGivesAnActiveTableWithTheItemsOfTheSourceThenDeleteRemovesIt() {
    String source = "orders-" + UUID.randomUUID().toString().substring(0, 8);
    harness.dynamo.createTable(r -> r.tableName(source).billingMode(BillingMode.PAY_PER_REQUEST)
        .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
        .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S)));
    for (int i = 0; i < 25; i++) {
      String id = "order-" + i;
      harness.dynamo.putItem(r -> r.tableName(source).item(Map.of("id", AttributeValue.fromS(id),
          "total", AttributeValue.fromN(Integer.toString(10 * id.length())))));
    }
    String backup = OperatorHarness.uniqueName("moto-source");
    String arn = Backups.availableBackup(harness, backup, new DynamoBackupSpec(source));
    String name = OperatorHarness.uniqueName("moto-restore");
    String target = source + "-restored";

    harness.applyRestore(name, fromRef(backup, target, s -> s.deletionPolicy = DeletionPolicy.Delete));

    var status = awaitReady(harness, name).getStatus();
    assertThat(status.tableStatus).isEqualTo("ACTIVE");
    assertThat(status.restoreSummary.sourceBackupArn).isEqualTo(arn);
    assertThat(status.tableArn).endsWith(":table/" + target);
    assertThat(count(target)).isEqualTo(count(source)).isEqualTo(25);
    assertThat(harness.dynamo.getItem(r -> r.tableName(target).key(Map.of("id", AttributeValue.fromS("order-7"))))
        .item()).containsEntry("total", AttributeValue.fromN("70"));

    harness.restores().inNamespace(OperatorHarness.NAMESPACE).withName(name).delete();
    await().atMost(TIMEOUT).until(() -> harness.getRestore(name) == null);
    assertThatThrownBy(() -> harness.dynamo.describeTable(r -> r.tableName(target)))
        .isInstanceOf(ResourceNotFoundException.class);
    harness.deleteAndAwaitGone(backup, TIMEOUT);
    assertThat(count(source)).as("the source table is untouched").isEqualTo(25);
  }

  /**
   * Point in time against moto, which restores the items too: the latest time of a table with recovery on, every
   * table setting applied and read back, and deletion once deletion protection is turned off.
   */
  @Test
  void pointInTimeRestoreGivesTheItemsOfTheSourceAndEveryTableSettingThenDeleteRemovesIt() {
    String source = "orders-" + UUID.randomUUID().toString().substring(0, 8);
    harness.dynamo.createTable(r -> r.tableName(source).billingMode(BillingMode.PAY_PER_REQUEST)
        .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
        .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S)));
    for (int i = 0; i < 10; i++) {
      String id = "order-" + i;
      harness.dynamo.putItem(r -> r.tableName(source).item(Map.of("id", AttributeValue.fromS(id))));
    }
    harness.dynamo.updateContinuousBackups(r -> r.tableName(source)
        .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(true)));
    String name = OperatorHarness.uniqueName("moto-pitr");
    String target = source + "-pitr";

    harness.applyRestore(name, DynamoRestorePointInTimeTest.fromTable(source, target, s -> {
      s.tableSettings = DynamoRestorePointInTimeTest.allSettings();
      s.deletionPolicy = DeletionPolicy.Delete;
    }));

    var status = awaitReady(harness, name).getStatus();
    assertThat(status.sourceTableArn).endsWith(":table/" + source);
    assertThat(status.restoreSummary.sourceTableArn).isEqualTo(status.sourceTableArn);
    assertThat(count(target)).isEqualTo(10);
    for (var setting : List.of(status.tableSettings.pointInTimeRecovery, status.tableSettings.timeToLive,
        status.tableSettings.tags, status.tableSettings.deletionProtection, status.tableSettings.stream)) {
      assertThat(setting.state).isEqualTo("InPlace");
    }
    assertThat(harness.dynamo.describeTable(r -> r.tableName(target)).table().deletionProtectionEnabled()).isTrue();

    harness.restores().inNamespace(OperatorHarness.NAMESPACE).withName(name).edit(r -> {
      r.getSpec().tableSettings.deletionProtection = false;
      return r;
    });
    await().atMost(TIMEOUT).until(() -> !harness.dynamo.describeTable(r -> r.tableName(target)).table()
        .deletionProtectionEnabled());
    harness.restores().inNamespace(OperatorHarness.NAMESPACE).withName(name).delete();
    await().atMost(TIMEOUT).until(() -> harness.getRestore(name) == null);
    assertThatThrownBy(() -> harness.dynamo.describeTable(r -> r.tableName(target)))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThat(count(source)).as("the source table is untouched").isEqualTo(10);
  }

  static int count(String table) {
    return harness.dynamo.scan(r -> r.tableName(table).select(Select.COUNT)).count();
  }
}
