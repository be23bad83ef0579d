package io.dynamobackup.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.aws.BackupArn;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.aws.TableArn;
import io.dynamobackup.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in examples/ does what it says: each manifest is applied against the mock API with the operator
 * running and reaches its status (and deletes as its comment promises); the Argo CD Application, the IAM policy and
 * the trust policies hold the fields that matter, checked against the operator's code and deploy/base.
 */
class ExamplesTest {

  static final Duration TIMEOUT = Duration.ofSeconds(20);
  static final Path EXAMPLES = Path.of("examples");
  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** What deleting a DynamoBackup example does to its backup in AWS. */
  enum Deletion { DELETES_BACKUP, RETAINS_BACKUP, BLOCKED_BY_PROTECTION }

  /** The DynamoBackup examples; each reaches AVAILABLE, then deletes as stated here. */
  static final Map<String, Deletion> BACKUPS = Map.of(
      "dynamobackup.yaml", Deletion.DELETES_BACKUP,
      "dynamobackup-retain.yaml", Deletion.RETAINS_BACKUP,
      "dynamobackup-protected.yaml", Deletion.BLOCKED_BY_PROTECTION,
      "dynamobackup-adopt.yaml", Deletion.RETAINS_BACKUP);
  /** The DynamoBackupSchedule examples; each shows its next run. */
  static final Set<String> SCHEDULES = Set.of("dynamobackupschedule-daily.yaml");
  /** The DynamoRestore examples and the DynamoBackup example each restores; each becomes Ready, then retains. */
  static final Map<String, String> RESTORES = Map.of("restore.yaml", "dynamobackup.yaml");
  /** The point-in-time DynamoRestore examples; each becomes Ready with its table settings in place, then retains. */
  static final Set<String> POINT_IN_TIME_RESTORES = Set.of("restore-point-in-time.yaml");
  static final String APPLICATION = "argocd/dynamobackups-application.yaml";
  static final String PERMISSIONS = "iam/dynamo-backup-operator-policy.json";
  static final String IRSA_TRUST = "iam/irsa-trust-policy.json";
  static final String POD_IDENTITY_TRUST = "iam/pod-identity-trust-policy.json";

  static final Pattern TABLE = Pattern.compile("arn:aws:dynamodb:[a-z0-9-]+:\\d{12}:table/[A-Za-z0-9_.*-]+");
  static final Pattern BACKUP = Pattern.compile(TABLE.pattern() + "/backup/\\*");
  /**
   * Actions AWS checks on the caller's behalf during a call, with no call of their own: both restores write the
   * items into the target table with the caller's item permissions ("Using IAM with DynamoDB backup and restore",
   * DynamoDB developer guide). They belong in the policy exactly when the call does.
   */
  static final Set<String> ITEM_ACTIONS =
      Set.of("PutItem", "UpdateItem", "DeleteItem", "GetItem", "Query", "Scan", "BatchWriteItem");
  static final Map<String, Set<String>> ACTIONS_A_CALL_NEEDS = Map.of("RestoreTableFromBackup", ITEM_ACTIONS,
      "RestoreTableToPointInTime", ITEM_ACTIONS);
  /**
   * The resource type each DynamoDB action takes, from the Service Authorization Reference ("Actions, resources,
   * and condition keys for Amazon DynamoDB"): ListBackups lists none, so only "*" can grant it; a restore is
   * authorized on its source (backup or table) and the target table; the table settings on the table.
   */
  static final Map<String, Pattern> RESOURCE_OF_ACTION = Map.ofEntries(
      Map.entry("dynamodb:CreateBackup", TABLE),
      Map.entry("dynamodb:DescribeBackup", BACKUP),
      Map.entry("dynamodb:DeleteBackup", BACKUP),
      Map.entry("dynamodb:ListBackups", Pattern.compile("\\*")),
      Map.entry("dynamodb:RestoreTableFromBackup", Pattern.compile(BACKUP.pattern() + "|" + TABLE.pattern())),
      Map.entry("dynamodb:RestoreTableToPointInTime", TABLE),
      Map.entry("dynamodb:DescribeContinuousBackups", TABLE),
      Map.entry("dynamodb:UpdateContinuousBackups", TABLE),
      Map.entry("dynamodb:DescribeTimeToLive", TABLE),
      Map.entry("dynamodb:UpdateTimeToLive", TABLE),
      Map.entry("dynamodb:UpdateTable", TABLE),
      Map.entry("dynamodb:TagResource", TABLE),
      Map.entry("dynamodb:ListTagsOfResource", TABLE),
      Map.entry("dynamodb:DescribeTable", TABLE),
      Map.entry("dynamodb:DeleteTable", TABLE),
      Map.entry("dynamodb:PutItem", TABLE),
      Map.entry("dynamodb:UpdateItem", TABLE),
      Map.entry("dynamodb:DeleteItem", TABLE),
      Map.entry("dynamodb:GetItem", TABLE),
      Map.entry("dynamodb:Query", TABLE),
      Map.entry("dynamodb:Scan", TABLE),
      Map.entry("dynamodb:BatchWriteItem", TABLE));

  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create();

  @Test
  void everyFileInExamplesHasATestHere() throws IOException {
    Set<String> covered = new TreeSet<>(BACKUPS.keySet());
    covered.addAll(SCHEDULES);
    covered.addAll(RESTORES.keySet());
    covered.addAll(POINT_IN_TIME_RESTORES);
    covered.addAll(List.of(APPLICATION, PERMISSIONS, IRSA_TRUST, POD_IDENTITY_TRUST));

    assertThat(exampleFiles())
        .as("every file in examples/ needs an expectation in ExamplesTest (and only manifests of this operator's"
            + " kinds belong at the top level, which the sandbox and kubectl apply -f examples/ read)")
        .containsExactlyInAnyOrderElementsOf(covered);
  }

  static Stream<String> backupExamples() {
    return BACKUPS.keySet().stream().sorted();
  }

  @ParameterizedTest
  @MethodSource("backupExamples")
  void backupExampleBecomesAvailableAndDeletesAsItsCommentSays(String file) throws IOException {
    DynamoBackup example = manifest(file, DynamoBackup.class);
    DynamoBackupSpec spec = example.getSpec();
    if (spec.tableName != null) {
      harness.emulator.createTable(spec.region != null ? spec.region : OperatorHarness.REGION, spec.tableName);
    }
    if (spec.backupArn != null) {
      harness.emulator.putBackup(spec.backupArn); // the backup an adoption points at exists before the object
    }
    harness.client.resource(example).create();
    Resource<DynamoBackup> live = harness.backups().inNamespace(example.getMetadata().getNamespace())
        .withName(example.getMetadata().getName());

    await(file + " AVAILABLE").atMost(TIMEOUT).until(() -> live.get().getStatus() != null
        && "AVAILABLE".equals(live.get().getStatus().backupStatus));
    String arn = live.get().getStatus().backupArn;
    if (spec.backupArn != null) {
      assertThat(arn).isEqualTo(spec.backupArn);
    }
    String region = BackupArn.parse(arn).orElseThrow().region();

    live.delete();
    switch (BACKUPS.get(file)) {
      case DELETES_BACKUP -> {
        await(file + " gone").atMost(TIMEOUT).until(() -> live.get() == null);
        assertThat(harness.emulator.backupArns(region)).doesNotContain(arn);
      }
      case RETAINS_BACKUP -> {
        await(file + " gone").atMost(TIMEOUT).until(() -> live.get() == null);
        assertThat(harness.emulator.backupArns(region)).contains(arn);
      }
      case BLOCKED_BY_PROTECTION -> {
        await(file + " DeletionBlocked").atMost(TIMEOUT)
            .until(() -> Conditions.isTrue(live.get().getStatus().conditions, Conditions.DELETION_BLOCKED));
        assertThat(harness.emulator.backupArns(region)).contains(arn);
        live.edit(b -> {
          b.getSpec().deletionProtection = false;
          return b;
        });
        await(file + " gone once unprotected").atMost(TIMEOUT).until(() -> live.get() == null);
        assertThat(harness.emulator.backupArns(region)).doesNotContain(arn);
      }
    }
  }

  static Stream<String> scheduleExamples() {
    return SCHEDULES.stream().sorted();
  }

  @ParameterizedTest
  @MethodSource("scheduleExamples")
  void scheduleExampleShowsItsNextRun(String file) throws IOException {
    DynamoBackupSchedule example = manifest(file, DynamoBackupSchedule.class);
    harness.emulator.createTable(example.getSpec().template != null && example.getSpec().template.region != null
        ? example.getSpec().template.region : OperatorHarness.REGION, example.getSpec().tableName);
    Instant applied = Instant.now();
    harness.client.resource(example).create();
    var live = harness.client.resources(DynamoBackupSchedule.class)
        .inNamespace(example.getMetadata().getNamespace()).withName(example.getMetadata().getName());

    await(file + " scheduled").atMost(TIMEOUT).until(() -> live.get().getStatus() != null
        && live.get().getStatus().nextScheduleTime != null);
    var status = live.get().getStatus();
    assertThat(Instant.parse(status.nextScheduleTime)).isAfter(applied);
    assertThat(Conditions.find(status.conditions, Conditions.READY)).hasValueSatisfying(ready -> {
      assertThat(ready.getStatus()).isEqualTo("True");
      assertThat(ready.getReason()).isEqualTo("Scheduled");
    });
  }

  static Stream<String> restoreExamples() {
    return RESTORES.keySet().stream().sorted();
  }

  @ParameterizedTest
  @MethodSource("restoreExamples")
  void restoreExampleRestoresItsBackupAndLeavesTheTableWhenDeleted(String file) throws IOException {
    DynamoBackup backup = manifest(RESTORES.get(file), DynamoBackup.class);
    DynamoRestore example = manifest(file, DynamoRestore.class);
    assertThat(example.getSpec().backupRef.name).as("the backup example it restores")
        .isEqualTo(backup.getMetadata().getName());
    harness.emulator.createTable(OperatorHarness.REGION, backup.getSpec().tableName);
    harness.client.resource(backup).create();
    harness.client.resource(example).create();
    var live = harness.restores().inNamespace(example.getMetadata().getNamespace())
        .withName(example.getMetadata().getName());

    await(file + " Ready").atMost(TIMEOUT).until(() -> live.get().getStatus() != null
        && Conditions.isTrue(live.get().getStatus().conditions, Conditions.READY));
    String target = example.getSpec().targetTableName;
    var table = harness.dynamo.describeTable(r -> r.tableName(target)).table();
    assertThat(table.restoreSummary().sourceBackupArn()).isEqualTo(live.get().getStatus().sourceBackupArn);

    live.delete();
    await(file + " gone").atMost(TIMEOUT).until(() -> live.get() == null);
    assertThat(harness.dynamo.describeTable(r -> r.tableName(target)).table().tableArn())
        .as("deletionPolicy defaults to Retain").isEqualTo(table.tableArn());
    harness.backups().inNamespace(backup.getMetadata().getNamespace()).withName(backup.getMetadata().getName())
        .delete();
    await(file + "'s backup gone").atMost(TIMEOUT).until(() -> harness.backups()
        .inNamespace(backup.getMetadata().getNamespace()).withName(backup.getMetadata().getName()).get() == null);
  }

  static Stream<String> pointInTimeRestoreExamples() {
    return POINT_IN_TIME_RESTORES.stream().sorted();
  }

  @ParameterizedTest
  @MethodSource("pointInTimeRestoreExamples")
  void pointInTimeExampleRestoresItsTableWithItsSettingsAndLeavesItWhenDeleted(String file) throws IOException {
    DynamoRestore example = manifest(file, DynamoRestore.class);
    var pointInTime = example.getSpec().pointInTime;
    String source = pointInTime.sourceTableName != null ? pointInTime.sourceTableName
        : TableArn.parse(pointInTime.sourceTableArn).orElseThrow().table();
    harness.emulator.createTable(OperatorHarness.REGION, source);
    harness.emulator.enablePointInTimeRecovery(OperatorHarness.REGION, source);
    harness.client.resource(example).create();
    var live = harness.restores().inNamespace(example.getMetadata().getNamespace())
        .withName(example.getMetadata().getName());

    await(file + " Ready").atMost(TIMEOUT).until(() -> live.get().getStatus() != null
        && Conditions.isTrue(live.get().getStatus().conditions, Conditions.READY));
    String target = example.getSpec().targetTableName;
    var table = harness.dynamo.describeTable(r -> r.tableName(target)).table();
    assertThat(table.restoreSummary().sourceTableArn()).endsWith(":table/" + source);
    var wanted = example.getSpec().tableSettings;
    var settings = live.get().getStatus().tableSettings;
    for (var setting : List.of(settings.pointInTimeRecovery, settings.timeToLive, settings.deletionProtection,
        settings.tags, settings.stream)) {
      assertThat(setting).as("every setting of the example is requested").isNotNull();
      assertThat(setting.state).isEqualTo("InPlace");
    }
    assertThat(table.deletionProtectionEnabled()).isEqualTo(wanted.deletionProtection);
    assertThat(table.streamSpecification().streamViewTypeAsString()).isEqualTo(wanted.stream.viewType.name());
    assertThat(harness.dynamo.describeTimeToLive(r -> r.tableName(target)).timeToLiveDescription().attributeName())
        .isEqualTo(wanted.timeToLive.attributeName);
    assertThat(harness.dynamo.listTagsOfResource(r -> r.resourceArn(table.tableArn())).tags())
        .extracting(t -> Map.entry(t.key(), t.value())).containsExactlyInAnyOrderElementsOf(wanted.tags.entrySet());

    live.delete();
    await(file + " gone").atMost(TIMEOUT).until(() -> live.get() == null);
    assertThat(harness.dynamo.describeTable(r -> r.tableName(target)).table().tableArn())
        .as("deletionPolicy defaults to Retain").isEqualTo(table.tableArn());
  }

  @Test
  void argoCdApplicationSyncsAFolderWithPruning() throws IOException {
    JsonNode app = YAML.readTree(EXAMPLES.resolve(APPLICATION).toFile());

    assertThat(app.path("apiVersion").asText()).isEqualTo("argoproj.io/v1alpha1");
    assertThat(app.path("kind").asText()).isEqualTo("Application");
    JsonNode spec = app.path("spec");
    assertThat(spec.path("source").path("repoURL").asText()).startsWith("https://");
    assertThat(spec.path("source").path("path").asText()).isNotBlank();
    // the top level only, as the sandbox and kubectl apply -f read a folder
    assertThat(spec.path("source").path("directory").path("recurse").asBoolean(true)).isFalse();
    assertThat(spec.path("destination").path("namespace").asText()).isNotBlank();
    assertThat(spec.path("syncPolicy").path("automated").path("prune").asBoolean()).isTrue();
    assertThat(spec.path("syncPolicy").path("automated").path("selfHeal").asBoolean()).isTrue();
    assertThat(texts(spec.path("syncPolicy").path("syncOptions"))).contains("CreateNamespace=true", "PruneLast=true");
    // deleting the Application must not cascade into deleting every backup it synced
    assertThat(texts(app.path("metadata").path("finalizers"))).isEmpty();
  }

  @Test
  void permissionPolicyAllowsExactlyTheDynamoDbCallsTheOperatorMakes() throws IOException {
    Set<String> calls = operatorCallsThroughAWholeLifecycle();
    assertThat(calls).as("operations the emulator saw against the DynamoDB calls in SdkBackupStore")
        .containsExactlyInAnyOrderElementsOf(callsInSdkBackupStore());

    JsonNode policy = JSON.readTree(EXAMPLES.resolve(PERMISSIONS).toFile());
    assertThat(policy.path("Version").asText()).isEqualTo("2012-10-17");
    Set<String> allowed = new HashSet<>();
    for (JsonNode statement : policy.path("Statement")) {
      assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
      assertThat(statement.has("NotAction") || statement.has("NotResource")).isFalse();
      List<String> actions = texts(statement.path("Action"));
      List<String> resources = texts(statement.path("Resource"));
      assertThat(resources).isNotEmpty();
      for (String action : actions) {
        assertThat(action).as("no wildcard actions").doesNotContain("*");
        assertThat(RESOURCE_OF_ACTION).as("resource type of " + action).containsKey(action);
        assertThat(resources).as("resources of " + action)
            .allMatch(r -> RESOURCE_OF_ACTION.get(action).matcher(r).matches());
        allowed.add(action);
      }
    }
    Set<String> needed = new TreeSet<>(calls);
    calls.forEach(call -> needed.addAll(ACTIONS_A_CALL_NEEDS.getOrDefault(call, Set.of())));
    assertThat(allowed).containsExactlyInAnyOrderElementsOf(
        needed.stream().map(op -> "dynamodb:" + op).collect(Collectors.toSet()));
  }

  @Test
  void irsaTrustPolicyNamesTheServiceAccountOfDeployBase() throws IOException {
    JsonNode statement = singleStatement(IRSA_TRUST);
    String provider = statement.path("Principal").path("Federated").asText();
    assertThat(provider)
        .matches("arn:aws:iam::\\d{12}:oidc-provider/oidc\\.eks\\.[a-z0-9-]+\\.amazonaws\\.com/id/\\w+");
    String issuer = provider.substring(provider.indexOf(":oidc-provider/") + ":oidc-provider/".length());

    assertThat(texts(statement.path("Action"))).containsExactly("sts:AssumeRoleWithWebIdentity");
    JsonNode equals = statement.path("Condition").path("StringEquals");
    assertThat(equals.path(issuer + ":sub").asText())
        .isEqualTo("system:serviceaccount:" + deployNamespace() + ":" + deployServiceAccount());
    assertThat(equals.path(issuer + ":aud").asText()).isEqualTo("sts.amazonaws.com");
    // the same account as the role the ServiceAccount's IRSA annotation names
    assertThat(provider.split(":")[4]).isEqualTo(roleArnOfDeployServiceAccount().split(":")[4]);
  }

  @Test
  void podIdentityTrustPolicyNamesTheServiceAccountOfDeployBase() throws IOException {
    JsonNode statement = singleStatement(POD_IDENTITY_TRUST);

    assertThat(statement.path("Principal").path("Service").asText()).isEqualTo("pods.eks.amazonaws.com");
    assertThat(texts(statement.path("Action"))).containsExactlyInAnyOrder("sts:AssumeRole", "sts:TagSession");
    JsonNode equals = statement.path("Condition").path("StringEquals");
    assertThat(equals.path("aws:RequestTag/kubernetes-namespace").asText()).isEqualTo(deployNamespace());
    assertThat(equals.path("aws:RequestTag/kubernetes-service-account").asText()).isEqualTo(deployServiceAccount());
  }

  /**
   * Creates, follows and deletes a backup, starting from the state a crash leaves between CreateBackup and
   * recording its answer, so that the lookup through ListBackups runs too; restores it into a table that is deleted
   * with its DynamoRestore on the way; restores its table to a point in time with the example's table settings.
   * Returns the operations the emulator saw; only the operator calls it here (tables are made directly, not
   * through the API).
   */
  static Set<String> operatorCallsThroughAWholeLifecycle() throws IOException {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("iam");
    harness.stopOperator();
    try {
      harness.apply(name, new DynamoBackupSpec(table));
      harness.recordCreateIntent(name);
      harness.emulator.resetCounters();
    } finally {
      harness.startOperator();
    }
    // the source table details come from DescribeBackup only: CreateBackup answers without them
    await(name + " described").atMost(TIMEOUT).until(() -> harness.get(name).getStatus() != null
        && "AVAILABLE".equals(harness.get(name).getStatus().backupStatus)
        && harness.get(name).getStatus().backupDescription.sourceTableDetails != null);
    String restore = name + "-restore";
    var restoreSpec = new DynamoRestoreSpec();
    restoreSpec.backupRef = new DynamoRestoreSpec.BackupRef(name);
    restoreSpec.targetTableName = restore + "-table";
    restoreSpec.deletionPolicy = DeletionPolicy.Delete;
    harness.applyRestore(restore, restoreSpec);
    await(restore + " Ready").atMost(TIMEOUT).until(() -> harness.getRestore(restore).getStatus() != null
        && Conditions.isTrue(harness.getRestore(restore).getStatus().conditions, Conditions.READY));
    harness.restores().inNamespace(OperatorHarness.NAMESPACE).withName(restore).delete();
    await(restore + " gone").atMost(TIMEOUT).until(() -> harness.getRestore(restore) == null);
    harness.deleteAndAwaitGone(name, TIMEOUT);
    // the same table, restored to a point in time with every table setting: read back, then changed
    harness.emulator.enablePointInTimeRecovery(OperatorHarness.REGION, table);
    String pointInTime = name + "-pitr";
    var pointInTimeSpec = new DynamoRestoreSpec();
    pointInTimeSpec.pointInTime = new DynamoRestoreSpec.PointInTime();
    pointInTimeSpec.pointInTime.sourceTableName = table;
    pointInTimeSpec.pointInTime.useLatestRestorableTime = true;
    pointInTimeSpec.targetTableName = pointInTime + "-table";
    pointInTimeSpec.tableSettings = manifest("restore-point-in-time.yaml", DynamoRestore.class).getSpec().tableSettings;
    harness.applyRestore(pointInTime, pointInTimeSpec);
    await(pointInTime + " Ready").atMost(TIMEOUT).until(() -> harness.getRestore(pointInTime).getStatus() != null
        && Conditions.isTrue(harness.getRestore(pointInTime).getStatus().conditions, Conditions.READY));
    return harness.emulator.operations();
  }

  /** The DynamoDB calls in SdkBackupStore's source as operation names: client.createBackup → CreateBackup. */
  static Set<String> callsInSdkBackupStore() throws IOException {
    String source = Files.readString(Path.of("src/main/java/io/dynamobackup/operator/aws/SdkBackupStore.java"));
    var matcher = Pattern.compile("\\bclient\\.(\\w+)\\(").matcher(source);
    Set<String> operations = new TreeSet<>();
    while (matcher.find()) {
      operations.add(Character.toUpperCase(matcher.group(1).charAt(0)) + matcher.group(1).substring(1));
    }
    return operations;
  }

  static List<String> exampleFiles() throws IOException {
    try (Stream<Path> files = Files.walk(EXAMPLES)) {
      return files.filter(Files::isRegularFile)
          .map(f -> EXAMPLES.relativize(f).toString().replace('\\', '/'))
          .toList();
    }
  }

  static <T extends HasMetadata> T manifest(String file, Class<T> kind) throws IOException {
    String yaml = Files.readString(EXAMPLES.resolve(file));
    assertThat(YAML.readTree(yaml).path("kind").asText()).as(file).isEqualTo(HasMetadata.getKind(kind));
    T object = harness.client.getKubernetesSerialization().unmarshal(yaml, kind);
    if (object.getMetadata().getNamespace() == null) {
      object.getMetadata().setNamespace(OperatorHarness.NAMESPACE);
    }
    return object;
  }

  static JsonNode singleStatement(String file) throws IOException {
    JsonNode policy = JSON.readTree(EXAMPLES.resolve(file).toFile());
    assertThat(policy.path("Statement")).as(file).hasSize(1);
    JsonNode statement = policy.path("Statement").get(0);
    assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
    return statement;
  }

  /** The kustomization's namespace: it overrides whatever the resources say. */
  static String deployNamespace() throws IOException {
    return YAML.readTree(Path.of("deploy/base/kustomization.yaml").toFile()).path("namespace").asText();
  }

  static String deployServiceAccount() throws IOException {
    JsonNode account = YAML.readTree(Path.of("deploy/base/serviceaccount.yaml").toFile());
    assertThat(account.path("kind").asText()).isEqualTo("ServiceAccount");
    return account.path("metadata").path("name").asText();
  }

  static String roleArnOfDeployServiceAccount() throws IOException {
    return YAML.readTree(Path.of("deploy/base/serviceaccount.yaml").toFile())
        .path("metadata").path("annotations").path("eks.amazonaws.com/role-arn").asText();
  }

  /** A policy field that may be one string or a list of them, as IAM allows; empty when absent. */
  static List<String> texts(JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    if (node.isTextual()) {
      return List.of(node.asText());
    }
    List<String> values = new ArrayList<>();
    StreamSupport.stream(node.spliterator(), false).forEach(n -> values.add(n.asText()));
    return values;
  }
}
