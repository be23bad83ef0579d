package io.dynamobackup.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupPolicy;
import io.dynamobackup.operator.api.DynamoBackupPolicySpec;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.sandbox.DynamoDbEmulator;
import io.dynamobackup.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DynamoBackupPolicy end to end, in the operator against the mock API and the emulator: refusals make no AWS call,
 * a refused deletion deletes nothing, and policy or namespace label changes take effect on existing objects.
 */
class PolicyTest {

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final List<String> BACKUP_CALLS = List.of("CreateBackup", "DescribeBackup", "DeleteBackup", "ListBackups");

  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create();

  @AfterEach
  void removePolicies() {
    harness.client.resources(DynamoBackupPolicy.class).delete();
  }

  @Test
  void objectsOutsideThePoliciesAreRefusedWithoutAnyAwsCall() {
    String teamA = namespace("team-a", Map.of());
    String outsider = namespace("team-x", Map.of());
    policy("team-a", p -> {
      p.namespaces = List.of(teamA);
      p.tables = List.of("orders-*");
    });
    String allowed = harness.newTable();
    String otherTable = "payments-" + UUID.randomUUID().toString().substring(0, 8);
    harness.emulator.createTable(OperatorHarness.REGION, otherTable);

    apply(teamA, "allowed", new DynamoBackupSpec(allowed));
    apply(teamA, "other-table", new DynamoBackupSpec(otherTable));
    apply(outsider, "uncovered", new DynamoBackupSpec(allowed + "-x"));

    await().atMost(TIMEOUT).until(() -> "AVAILABLE".equals(backupStatus(teamA, "allowed")));
    String refusal = awaitNotPermitted(teamA, "other-table");
    assertThat(refusal).isEqualTo("namespace " + teamA + " may back up tables matching [orders-*] in any region; '"
        + otherTable + "' is not among them (DynamoBackupPolicy team-a)");
    assertThat(awaitNotPermitted(outsider, "uncovered")).contains("no DynamoBackupPolicy covers namespace "
        + outsider);
    harness.awaitEventReasons(teamA, "other-table", reasons -> assertThat(reasons).contains("NotPermitted"));
    harness.awaitEventReasons(outsider, "uncovered", reasons -> assertThat(reasons).contains("NotPermitted"));
    assertNoAwsCallNaming(otherTable);
    assertNoAwsCallNaming(allowed + "-x");
  }

  @Test
  void aDeletedObjectThePolicyNoLongerAllowsReleasesItsFinalizerAndKeepsTheBackup() {
    String ns = namespace("team-d", Map.of());
    policy("team-d", p -> {
      p.namespaces = List.of(ns);
      p.tables = List.of("orders-*");
    });
    String table = harness.newTable();
    apply(ns, "kept", new DynamoBackupSpec(table));
    await().atMost(TIMEOUT).until(() -> "AVAILABLE".equals(backupStatus(ns, "kept")));
    String arn = get(ns, "kept").getStatus().backupArn;

    // the policy narrows: the existing object is refused at once (the policy watch reconciles it)
    harness.client.resources(DynamoBackupPolicy.class).withName("team-d").edit(p -> {
      p.getSpec().tables = List.of("invoices-*");
      return p;
    });
    awaitNotPermitted(ns, "kept");
    harness.emulator.resetCounters();

    backups(ns).withName("kept").delete();
    await().atMost(TIMEOUT).until(() -> get(ns, "kept") == null);
    assertThat(harness.emulator.backupArns(OperatorHarness.REGION)).contains(arn);
    assertThat(harness.emulator.calls("DeleteBackup", arn)).isEmpty();
    assertThat(harness.events(ns, "kept")).anyMatch(e -> "NotPermitted".equals(e.getReason())
        && e.getMessage().contains("backup " + arn + " is kept in AWS"));
  }

  @Test
  void withoutAllowDeletionTheObjectGoesAndTheBackupStays() {
    String ns = namespace("team-e", Map.of());
    policy("team-e", p -> {
      p.namespaces = List.of(ns);
      p.tables = List.of("orders-*");
      p.allowDeletion = false;
    });
    String table = harness.newTable();
    apply(ns, "undeletable", new DynamoBackupSpec(table));
    await().atMost(TIMEOUT).until(() -> "AVAILABLE".equals(backupStatus(ns, "undeletable")));
    String arn = get(ns, "undeletable").getStatus().backupArn;

    backups(ns).withName("undeletable").delete();
    await().atMost(TIMEOUT).until(() -> get(ns, "undeletable") == null);
    assertThat(harness.emulator.backupArns(OperatorHarness.REGION)).contains(arn);
    assertThat(harness.emulator.calls("DeleteBackup", arn)).isEmpty();
    assertThat(harness.events(ns, "undeletable")).anyMatch(e -> "NotPermitted".equals(e.getReason())
        && e.getMessage().contains("allows deletion"));
  }

  @Test
  void adoptionNeedsAllowAdoptionTheTablesRegionAndAccount() {
    String ns = namespace("team-f", Map.of());
    policy("team-f", p -> {
      p.namespaces = List.of(ns);
      p.tables = List.of("orders-*");
      p.regions = List.of(OperatorHarness.REGION);
    });
    String table = harness.newTable();
    String ownArn = "arn:aws:dynamodb:eu-west-1:" + DynamoDbEmulator.ACCOUNT + ":table/" + table
        + "/backup/01700000000000-0000abcd";
    harness.emulator.putBackup(ownArn);
    String otherRegion = "arn:aws:dynamodb:us-east-1:" + DynamoDbEmulator.ACCOUNT + ":table/" + table
        + "/backup/01700000000000-0000abce";
    String otherTable = "arn:aws:dynamodb:eu-west-1:" + DynamoDbEmulator.ACCOUNT + ":table/payments-f"
        + "/backup/01700000000000-0000abcf";

    apply(ns, "adopt", adopting(ownArn));
    apply(ns, "adopt-region", adopting(otherRegion));
    apply(ns, "adopt-table", adopting(otherTable));
    assertThat(awaitNotPermitted(ns, "adopt")).contains("allows adoption");
    assertThat(awaitNotPermitted(ns, "adopt-region")).contains("not in region 'us-east-1'");
    assertThat(awaitNotPermitted(ns, "adopt-table")).contains("'payments-f' is not among them");

    harness.client.resources(DynamoBackupPolicy.class).withName("team-f").edit(p -> {
      p.getSpec().allowAdoption = true;
      return p;
    });
    await().atMost(TIMEOUT).until(() -> "AVAILABLE".equals(backupStatus(ns, "adopt")));
    assertNoAwsCallNaming(otherRegion);
    assertNoAwsCallNaming(otherTable);
  }

  @Test
  void anAdoptedBackupOfAnotherAccountThanThePolicysRoleWaitsUnreachable() {
    String ns = namespace("team-g", Map.of());
    policy("team-g", p -> {
      p.namespaces = List.of(ns);
      p.tables = List.of("orders-*");
      p.roleArn = "arn:aws:iam::222233334444:role/team-g";
      p.allowAdoption = true;
    });
    String arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders-g/backup/01700000000000-0000abcd";
    apply(ns, "foreign", adopting(arn));
    assertThat(awaitReason(ns, "foreign", AccessPolicy.ACCOUNT_UNREACHABLE)).contains("account 111122223333",
        "arn:aws:iam::222233334444:role/team-g");
    assertNoAwsCallNaming(arn);
  }

  @Test
  void unionOfPoliciesAndANamespaceLabelledIntoASelector() {
    String ns = namespace("team-h", Map.of());
    policy("h-orders", p -> {
      p.namespaces = List.of(ns);
      p.tables = List.of("orders-*");
    });
    policy("h-selected", p -> {
      p.namespaceSelector = new LabelSelectorBuilder().withMatchLabels(Map.of("backups", "invoices")).build();
      p.tables = List.of("invoices-?????");
    });
    String orders = harness.newTable();
    String invoices = "invoices-" + UUID.randomUUID().toString().substring(0, 5);
    harness.emulator.createTable(OperatorHarness.REGION, invoices);
    apply(ns, "orders", new DynamoBackupSpec(orders));
    apply(ns, "invoices", new DynamoBackupSpec(invoices));
    await().atMost(TIMEOUT).until(() -> "AVAILABLE".equals(backupStatus(ns, "orders")));
    awaitNotPermitted(ns, "invoices");
    assertNoAwsCallNaming(invoices);

    // labelled into the selector: the namespace watch reconciles its objects, and the union allows both
    harness.client.namespaces().withName(ns).edit(n -> {
      n.getMetadata().setLabels(Map.of("backups", "invoices"));
      return n;
    });
    await().atMost(TIMEOUT).until(() -> "AVAILABLE".equals(backupStatus(ns, "invoices")));

    // and out of it again: the backup is no longer the namespace's to touch
    harness.client.namespaces().withName(ns).edit(n -> {
      n.getMetadata().setLabels(Map.of());
      return n;
    });
    awaitNotPermitted(ns, "invoices");
  }

  @Test
  void aRestoreIntoATableOutsideThePatternsIsNotPermitted() {
    String ns = namespace("team-r", Map.of());
    policy("team-r", p -> {
      p.namespaces = List.of(ns);
      p.tables = List.of("orders-*");
    });
    String table = harness.newTable();
    apply(ns, "source", new DynamoBackupSpec(table));
    await().atMost(TIMEOUT).until(() -> "AVAILABLE".equals(backupStatus(ns, "source")));

    var spec = new DynamoRestoreSpec();
    spec.backupRef = new DynamoRestoreSpec.BackupRef("source");
    spec.targetTableName = "payments-restored";
    spec.deletionPolicy = DeletionPolicy.Delete;
    restoreAndAwaitNotPermitted(ns, "restore", spec, "'payments-restored' is not");
    assertThat(harness.emulator.calls("RestoreTableFromBackup", backups(ns).withName("source").get().getStatus()
        .backupArn)).isEmpty();
  }

  @Test
  void aRestoreFromAnotherTeamsBackupByArnNeedsAdoptionRights() {
    String ns = namespace("team-s", Map.of());
    policy("team-s", p -> {
      p.namespaces = List.of(ns);
      p.tables = List.of("orders-*");
    });
    // another team's backup; its table name even matches team-s's patterns
    String foreign = "arn:aws:dynamodb:" + OperatorHarness.REGION + ":" + DynamoDbEmulator.ACCOUNT
        + ":table/orders-of-team-x/backup/01700000000000-0badc0de";
    harness.emulator.putBackup(foreign);

    var spec = new DynamoRestoreSpec();
    spec.backupArn = foreign;
    spec.targetTableName = "orders-restored-by-s";
    restoreAndAwaitNotPermitted(ns, "foreign-restore", spec, "allowAdoption");
    assertThat(harness.emulator.calls("DescribeBackup", foreign)).isEmpty();
    assertThat(harness.emulator.calls("RestoreTableFromBackup", foreign)).isEmpty();
  }

  /** A point-in-time restore's source table is a use of that table: outside the patterns, no AWS call names it. */
  @Test
  void aPointInTimeRestoreFromATableOutsideThePatternsIsNotPermitted() {
    String ns = namespace("team-p", Map.of());
    policy("team-p", p -> {
      p.namespaces = List.of(ns);
      p.tables = List.of("orders-*");
    });
    String source = "payments-" + OperatorHarness.uniqueName("live");
    harness.emulator.createTable(OperatorHarness.REGION, source);
    harness.emulator.enablePointInTimeRecovery(OperatorHarness.REGION, source);

    var spec = new DynamoRestoreSpec();
    spec.pointInTime = new DynamoRestoreSpec.PointInTime();
    spec.pointInTime.sourceTableName = source;
    spec.pointInTime.useLatestRestorableTime = true;
    spec.targetTableName = "orders-from-payments";
    restoreAndAwaitNotPermitted(ns, "pitr-restore", spec, "'" + source + "' is not among them");
    for (String operation : List.of("DescribeTable", "DescribeContinuousBackups", "RestoreTableToPointInTime")) {
      assertThat(harness.emulator.calls(operation, source)).as("%s calls naming %s", operation, source).isEmpty();
    }
  }

  // ---- helpers ----

  static String namespace(String prefix, Map<String, String> labels) {
    String name = OperatorHarness.uniqueName(prefix);
    harness.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
        .withLabels(labels).endMetadata().build()).create();
    return name;
  }

  static void policy(String name, java.util.function.Consumer<DynamoBackupPolicySpec> spec) {
    var policy = new DynamoBackupPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).build());
    policy.setSpec(new DynamoBackupPolicySpec());
    spec.accept(policy.getSpec());
    harness.client.resource(policy).create();
    // The operator hears of policies through its own informer: wait until it judges by this one, so that no test
    // object is reconciled in the moment before (when it might still be single-tenant).
    if (policy.getSpec().namespaces != null && !policy.getSpec().namespaces.isEmpty()) {
      String ns = policy.getSpec().namespaces.get(0);
      String probe = OperatorHarness.uniqueName("probe");
      apply(ns, probe, new DynamoBackupSpec("zz-probe-table-outside-every-pattern"));
      await().atMost(TIMEOUT).until(() -> {
        var object = backups(ns).withName(probe).get();
        return object.getStatus() != null && Conditions.find(object.getStatus().conditions, Conditions.READY)
            .map(c -> "NotPermitted".equals(c.getReason()) && c.getMessage().contains("DynamoBackupPolicy " + name))
            .orElse(false);
      });
      backups(ns).withName(probe).delete();
    }
  }

  static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<DynamoBackup,
      io.fabric8.kubernetes.api.model.KubernetesResourceList<DynamoBackup>,
      io.fabric8.kubernetes.client.dsl.Resource<DynamoBackup>> backups(String ns) {
    return harness.backups().inNamespace(ns);
  }

  static void apply(String ns, String name, DynamoBackupSpec spec) {
    var backup = new DynamoBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    backup.setSpec(spec);
    backups(ns).resource(backup).create();
  }

  static DynamoBackupSpec adopting(String arn) {
    var spec = new DynamoBackupSpec();
    spec.backupArn = arn;
    return spec;
  }

  /** Applies a DynamoRestore and waits until it is refused with NotPermitted, its message naming {@code why}. */
  static void restoreAndAwaitNotPermitted(String ns, String name, DynamoRestoreSpec spec, String why) {
    var restore = new DynamoRestore();
    restore.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    restore.setSpec(spec);
    harness.client.resource(restore).create();
    await().atMost(TIMEOUT).until(() -> {
      var r = harness.client.resources(DynamoRestore.class).inNamespace(ns).withName(name).get();
      return r.getStatus() != null && Conditions.find(r.getStatus().conditions, Conditions.READY)
          .map(c -> "NotPermitted".equals(c.getReason()) && c.getMessage().contains(why))
          .orElse(false);
    });
  }

  static DynamoBackup get(String ns, String name) {
    return backups(ns).withName(name).get();
  }

  static String backupStatus(String ns, String name) {
    var backup = get(ns, name);
    return backup == null || backup.getStatus() == null ? null : backup.getStatus().backupStatus;
  }

  /** Waits for Ready=False, reason NotPermitted, and returns its message. */
  static String awaitNotPermitted(String ns, String name) {
    return awaitReason(ns, name, AccessPolicy.NOT_PERMITTED);
  }

  /** Waits for Ready=False with this reason, and returns its message. */
  static String awaitReason(String ns, String name, String reason) {
    return await(ns + "/" + name + " " + reason).atMost(TIMEOUT).until(() -> {
      var backup = get(ns, name);
      return backup == null || backup.getStatus() == null ? null : Conditions.find(backup.getStatus().conditions,
          Conditions.READY).filter(c -> reason.equals(c.getReason())).map(c -> c.getMessage()).orElse(null);
    }, message -> message != null);
  }

  static void assertNoAwsCallNaming(String subject) {
    for (String operation : BACKUP_CALLS) {
      assertThat(harness.emulator.calls(operation, subject)).as("%s calls naming %s", operation, subject).isEmpty();
    }
  }
}
