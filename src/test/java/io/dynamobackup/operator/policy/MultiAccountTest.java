package io.dynamobackup.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupPolicy;
import io.dynamobackup.operator.api.DynamoBackupPolicySpec;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.aws.AwsAccounts;
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
    var policy = new DynamoBackupPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName("team-b").build());
    policy.setSpec(new DynamoBackupPolicySpec());
    policy.getSpec().namespaces = List.of(ns);
    policy.getSpec().tables = List.of("orders-*");
    policy.getSpec().roleArn = ROLE_B;
    harness.client.resource(policy).create();
    String table = "orders-" + ns.substring(ns.lastIndexOf('-') + 1);
    accountB.createTable(t -> t.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
        .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
        .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S)));

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
