package io.dynamobackup.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupPolicy;
import io.dynamobackup.operator.api.DynamoBackupPolicySpec;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.aws.AwsAccounts;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.support.MotoServer;
import io.dynamobackup.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BackupSummary;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * A policy's roleArn against moto_server, which answers STS AssumeRole and keeps each account's DynamoDB apart (the
 * temporary credentials act in the role's account): the backup exists in the role's account and not in the
 * operator's own. Afterwards, nothing of the credentials shows in statuses, events or logs.
 */
class MultiAccountTest {

  static final String ACCOUNT_B = "222233334444";
  static final String ROLE_B = "arn:aws:iam::" + ACCOUNT_B + ":role/team-b-backups";
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  static final MotoServer moto = MotoServer.start();
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.against(moto.endpoint());

  static StsClient sts;
  static StsAssumeRoleCredentialsProvider roleB;
  static DynamoDbClient accountB;

  @BeforeAll
  static void accountBAndLogCapture() {
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    var own = StaticCredentialsProvider.create(AwsBasicCredentials.create(OperatorHarness.ACCESS_KEY_ID,
        OperatorHarness.SECRET_ACCESS_KEY));
    sts = AwsAccounts.stsClient(OperatorHarness.REGION, Optional.of(moto.endpoint()), own);
    roleB = StsAssumeRoleCredentialsProvider.builder().stsClient(sts)
        .refreshRequest(r -> r.roleArn(ROLE_B).roleSessionName("test-setup")).build();
    accountB = DynamoDbClient.builder().region(Region.of(OperatorHarness.REGION)).endpointOverride(moto.endpoint())
        .credentialsProvider(roleB).build();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    accountB.close();
    roleB.close();
    sts.close();
    moto.close();
  }

  @Test
  void backupsOfANamespaceWithARoleAreMadeInThatRolesAccount() {
    String ns = OperatorHarness.uniqueName("team-b");
    harness.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
        .build()).create();
    createPolicyAndAwaitIt("team-b", ns);
    String table = "orders-" + ns.substring(ns.lastIndexOf('-') + 1);
    createTable(accountB, table);

    apply(ns, "in-b", new DynamoBackupSpec(table));
    apply(ns, "missing-table", new DynamoBackupSpec("orders-missing")); // a failure path, for the secrets check
    await().atMost(TIMEOUT).until(() -> get(ns, "in-b").getStatus() != null
        && "AVAILABLE".equals(get(ns, "in-b").getStatus().backupStatus));
    await().atMost(TIMEOUT).until(() -> get(ns, "missing-table").getStatus() != null
        && get(ns, "missing-table").getStatus().failedAttempts != null);

    String arn = get(ns, "in-b").getStatus().backupArn;
    assertThat(arn).as("made with the assumed role's credentials").contains(":" + ACCOUNT_B + ":table/" + table);
    assertThat(accountB.listBackups(r -> r.tableName(table)).backupSummaries()).extracting(BackupSummary::backupArn)
        .containsExactly(arn);
    assertThat(harness.dynamo.listBackups(r -> r.tableName(table)).backupSummaries())
        .as("nothing in the operator's own account").isEmpty();

    harness.backups().inNamespace(ns).withName("in-b").delete();
    await().atMost(TIMEOUT).until(() -> get(ns, "in-b") == null);
    assertThat(accountB.listBackups(r -> r.tableName(table)).backupSummaries()).as("deleted in account B")
        .isEmpty();

    assertNoSecretsIn(ns);
  }

  @Test
  void aRestoreRunsInItsBackupsAccountAndDeletesItsTableThereOnly() {
    String ns = OperatorHarness.uniqueName("team-b-restore");
    String suffix = ns.substring(ns.lastIndexOf('-') + 1);
    String source = "orders-" + suffix;
    String target = "orders-" + suffix + "-restored";
    harness.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
        .build()).create();
    createPolicyAndAwaitIt("team-b-restore-" + suffix, ns);
    createTable(accountB, source);
    // the same name in the operator's own account: a restore or its deletion there would show on it
    createTable(harness.dynamo, target);

    apply(ns, "source", new DynamoBackupSpec(source));
    await().atMost(TIMEOUT).until(() -> get(ns, "source").getStatus() != null
        && "AVAILABLE".equals(get(ns, "source").getStatus().backupStatus)
        && get(ns, "source").getStatus().backupArn.contains(":" + ACCOUNT_B + ":"));
    var restore = new DynamoRestore();
    restore.setMetadata(new ObjectMetaBuilder().withName("restore").withNamespace(ns).build());
    restore.setSpec(new DynamoRestoreSpec());
    restore.getSpec().backupRef = new DynamoRestoreSpec.BackupRef("source");
    restore.getSpec().targetTableName = target;
    restore.getSpec().deletionPolicy = DeletionPolicy.Delete;
    harness.restores().inNamespace(ns).resource(restore).create();

    await().atMost(TIMEOUT).untilAsserted(() -> {
      var status = harness.restores().inNamespace(ns).withName("restore").get().getStatus();
      assertThat(status).isNotNull();
      assertThat(Conditions.find(status.conditions, Conditions.READY)).get()
          .satisfies(ready -> assertThat(ready.getStatus()).as(ready.getMessage()).isEqualTo("True"));
      assertThat(status.tableArn).contains(":" + ACCOUNT_B + ":table/" + target);
    });
    assertThat(accountB.describeTable(r -> r.tableName(target)).table().restoreSummary().sourceBackupArn())
        .isEqualTo(get(ns, "source").getStatus().backupArn);
    assertThat(harness.dynamo.describeTable(r -> r.tableName(target)).table().restoreSummary())
        .as("the own account's table of that name is not a restore").isNull();

    harness.restores().inNamespace(ns).withName("restore").delete();
    await().atMost(TIMEOUT).until(() -> harness.restores().inNamespace(ns).withName("restore").get() == null);
    assertThat(accountB.listTables().tableNames()).as("deleted in account B").doesNotContain(target);
    assertThat(harness.dynamo.listTables().tableNames()).as("the own account's table stays").contains(target);
  }

  /**
   * Issue 15, item 5: once the policy that routed a namespace to account B goes, its backup in B is neither asked
   * about nor deleted with the operator's own credentials (whose "not found" would read as "deleted"): the object
   * waits with AccountUnreachable, and its deletion finishes in B once a route is back.
   */
  @Test
  void aBackupInAnotherAccountIsNotReadAsDeletedWhenItsPolicyGoes() {
    String ns = OperatorHarness.uniqueName("team-b-gone");
    String suffix = ns.substring(ns.lastIndexOf('-') + 1);
    String table = "orders-" + suffix;
    harness.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
        .build()).create();
    String policy = "team-b-gone-" + suffix;
    createPolicyAndAwaitIt(policy, ns);
    createTable(accountB, table);
    apply(ns, "in-b", new DynamoBackupSpec(table));
    await().atMost(TIMEOUT).until(() -> get(ns, "in-b").getStatus() != null
        && "AVAILABLE".equals(get(ns, "in-b").getStatus().backupStatus));
    String arn = get(ns, "in-b").getStatus().backupArn;

    harness.client.resources(DynamoBackupPolicy.class).withName(policy).delete(); // single-tenant again
    await("unreachable, not missing").atMost(TIMEOUT).until(() -> Conditions.find(get(ns, "in-b").getStatus()
        .conditions, Conditions.READY).map(c -> "AccountUnreachable".equals(c.getReason())).orElse(false));
    assertThat(get(ns, "in-b").getStatus().backupStatus).isEqualTo("AVAILABLE");
    harness.backups().inNamespace(ns).withName("in-b").delete();
    await("deletion waits").atMost(TIMEOUT).until(() -> Conditions.find(get(ns, "in-b").getStatus().conditions,
        Conditions.DELETING).map(c -> "AccountUnreachable".equals(c.getReason())
            && c.getMessage().contains("account " + ACCOUNT_B)).orElse(false));
    assertThat(accountB.listBackups(r -> r.tableName(table)).backupSummaries()).extracting(BackupSummary::backupArn)
        .containsExactly(arn);

    var route = new DynamoBackupPolicy();
    route.setMetadata(new ObjectMetaBuilder().withName(policy).build());
    route.setSpec(new DynamoBackupPolicySpec());
    route.getSpec().namespaces = List.of(ns);
    route.getSpec().tables = List.of("orders-*");
    route.getSpec().roleArn = ROLE_B;
    harness.client.resource(route).create();
    await("deleted in B once routed").atMost(TIMEOUT).until(() -> get(ns, "in-b") == null);
    assertThat(accountB.listBackups(r -> r.tableName(table)).backupSummaries()).isEmpty();
  }

  /**
   * A policy binding {@code ns} to tables orders-* through role B, once the operator judges by it: before that, an
   * object could be reconciled as single-tenant, in the operator's own account.
   */
  static void createPolicyAndAwaitIt(String name, String ns) {
    var policy = new DynamoBackupPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).build());
    policy.setSpec(new DynamoBackupPolicySpec());
    policy.getSpec().namespaces = List.of(ns);
    policy.getSpec().tables = List.of("orders-*");
    policy.getSpec().roleArn = ROLE_B;
    harness.client.resource(policy).create();
    apply(ns, "probe", new DynamoBackupSpec("zz-probe-table-outside-every-pattern"));
    await().atMost(TIMEOUT).until(() -> {
      var probe = get(ns, "probe");
      return probe.getStatus() != null && Conditions.find(probe.getStatus().conditions, Conditions.READY)
          .map(c -> "NotPermitted".equals(c.getReason()) && c.getMessage().contains("DynamoBackupPolicy " + name))
          .orElse(false);
    });
    harness.backups().inNamespace(ns).withName("probe").delete();
    await().atMost(TIMEOUT).until(() -> get(ns, "probe") == null);
  }

  static void createTable(DynamoDbClient dynamo, String table) {
    dynamo.createTable(t -> t.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
        .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
        .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S)));
  }

  /** Statuses, events and log lines hold neither the operator's credentials nor the role's temporary ones. */
  static void assertNoSecretsIn(String ns) {
    var temporary = roleB.resolveCredentials();
    List<String> secrets = List.of(OperatorHarness.ACCESS_KEY_ID, OperatorHarness.SECRET_ACCESS_KEY,
        temporary.secretAccessKey());
    StringBuilder seen = new StringBuilder();
    harness.backups().inAnyNamespace().list().getItems()
        .forEach(b -> seen.append(Serialization.asJson(b.getStatus())).append('\n'));
    harness.client.v1().events().inAnyNamespace().list().getItems()
        .forEach(e -> seen.append(e.getReason()).append(' ').append(e.getMessage()).append('\n'));
    List.copyOf(logs.list).forEach(e -> seen.append(e.getFormattedMessage()).append('\n'));
    assertThat(seen).as("the scenario's statuses, events and logs were captured")
        .contains(":" + ACCOUNT_B + ":table/", "TableNotFound", "multi-tenant");
    for (String secret : secrets) {
      assertThat(seen.toString()).doesNotContain(secret);
    }
  }

  static void apply(String ns, String name, DynamoBackupSpec spec) {
    var backup = new DynamoBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    backup.setSpec(spec);
    harness.backups().inNamespace(ns).resource(backup).create();
  }

  static DynamoBackup get(String ns, String name) {
    return harness.backups().inNamespace(ns).withName(name).get();
  }
}
