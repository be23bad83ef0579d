package io.dynamobackup.operator.reconcile;

import static io.dynamobackup.operator.support.OperatorHarness.NAMESPACE;
import static io.dynamobackup.operator.support.OperatorHarness.REGION;
import static io.dynamobackup.operator.support.StatusConditions.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.api.DynamoRestoreStatus;
import io.dynamobackup.operator.api.Retention;
import io.dynamobackup.operator.config.LeaderElection;
import io.dynamobackup.operator.reconcile.backup.Recreate;
import io.dynamobackup.operator.support.Backups;
import io.dynamobackup.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15: the paths that deleted a backup nobody asked to delete, orphaned one, made a second one, or left an
 * object stuck. Each test is named for its scenario and fails on 37d8043. (The account-routing scenario needs two
 * accounts: MultiAccountTest. The schedule's retention: RetentionSafetyTest.)
 */
class DataSafetyTest {

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create();

  /** Item 1: B's CreateBackup answer is lost; its lookup must find B's own backup, never A's of the same name. */
  @Test
  void aLostCreateAnswerNeverAdoptsAnotherObjectsBackupOfTheSameName() {
    String table = harness.newTable();
    var spec = new DynamoBackupSpec(table);
    spec.backupName = "shared-name";
    String first = OperatorHarness.uniqueName("first");
    String firstArn = Backups.availableBackup(harness, first, spec);

    // the second one's CreateBackup takes effect after the call timed out (1.5 s): its answer is lost
    harness.emulator.latency("CreateBackup", Duration.ofMillis(2500));
    String second = OperatorHarness.uniqueName("second");
    var secondSpec = new DynamoBackupSpec(table);
    secondSpec.backupName = "shared-name";
    try {
      harness.apply(second, secondSpec);
      await("second AVAILABLE").atMost(TIMEOUT).until(() -> harness.get(second).getStatus() != null
          && "AVAILABLE".equals(harness.get(second).getStatus().backupStatus));
    } finally {
      harness.emulator.latency("CreateBackup", Duration.ZERO);
    }
    String secondArn = harness.get(second).getStatus().backupArn;
    assertThat(secondArn).as("its own backup, not the first object's").isNotEqualTo(firstArn);
    assertThat(backupsNamed(table, "shared-name")).containsExactlyInAnyOrder(firstArn, secondArn);

    harness.deleteAndAwaitGone(second, TIMEOUT);
    assertThat(backupsNamed(table, "shared-name")).as("the first object's backup stays; nothing is orphaned")
        .containsExactly(firstArn);
  }

  /** Item 2: a 5xx after CreateBackup took effect keeps the intent; the lookup records the backup, none is doubled. */
  @Test
  void anAmbiguousServerErrorToCreateBackupMakesNoSecondBackup() {
    for (String answer : List.of("InternalServerError", "ServiceUnavailable", "HTTP502", "HTTP504")) {
      String table = harness.newTable();
      harness.emulator.failAfterActing("CreateBackup", answer, 1);
      String name = OperatorHarness.uniqueName("ambiguous");
      harness.apply(name, new DynamoBackupSpec(table));
      await(name + " AVAILABLE after " + answer).atMost(TIMEOUT).until(() -> harness.get(name).getStatus() != null
          && "AVAILABLE".equals(harness.get(name).getStatus().backupStatus));
      assertThat(harness.emulator.calls("CreateBackup", table)).as("after %s", answer).hasSize(1);
      assertThat(backupsOf(table)).as("after %s", answer).containsExactly(harness.get(name).getStatus().backupArn);
      harness.deleteAndAwaitGone(name, TIMEOUT);
      assertThat(backupsOf(table)).as("nothing orphaned after %s", answer).isEmpty();
    }
  }

  /**
   * Item 2, for restores: a 5xx after RestoreTableFromBackup took effect keeps the intent; the restore records its own
   * table (not TableAlreadyExists) and its deletion deletes it.
   */
  @Test
  void anAmbiguousServerErrorToARestoreIsResolvedByItsOwnTable() {
    String table = harness.newTable();
    String backup = OperatorHarness.uniqueName("restore-source");
    String arn = Backups.availableBackup(harness, backup, new DynamoBackupSpec(table));
    String name = OperatorHarness.uniqueName("ambiguous-restore");
    String target = name + "-table";
    harness.emulator.failAfterActing("RestoreTableFromBackup", "InternalServerError", 1);
    var spec = DynamoRestoreTest.fromArn(arn, target);
    spec.deletionPolicy = DeletionPolicy.Delete;
    harness.applyRestore(name, spec);

    await("restored, its table recorded").atMost(TIMEOUT).until(() -> harness.getRestore(name).getStatus() != null
        && Conditions.isTrue(harness.getRestore(name).getStatus().conditions, Conditions.READY));
    assertThat(harness.getRestore(name).getStatus().tableArn).endsWith(":table/" + target);
    assertThat(harness.emulator.calls("RestoreTableFromBackup", target)).as("called once").hasSize(1);
    harness.restores().inNamespace(NAMESPACE).withName(name).delete();
    await("deleted with its table").atMost(TIMEOUT).until(() -> harness.getRestore(name) == null);
    assertThat(tableExists(target)).as("its table deleted").isFalse();
  }

  /**
   * Item 12: two restores, one target, one source. The second one's answer was lost; the table it finds is the
   * first one's (recorded there), so it is not adopted, and deleting the second never deletes it.
   */
  @Test
  void aRestoreNeverAdoptsOrDeletesATableAnotherRestoreMade() {
    String table = harness.newTable();
    String backup = OperatorHarness.uniqueName("shared-source");
    String arn = Backups.availableBackup(harness, backup, new DynamoBackupSpec(table));
    String target = OperatorHarness.uniqueName("shared-target");
    String first = OperatorHarness.uniqueName("first-restore");
    harness.applyRestore(first, DynamoRestoreTest.fromArn(arn, target));
    await("first restored").atMost(TIMEOUT).until(() -> harness.getRestore(first).getStatus() != null
        && Conditions.isTrue(harness.getRestore(first).getStatus().conditions, Conditions.READY));
    String tableArn = harness.getRestore(first).getStatus().tableArn;

    String second = OperatorHarness.uniqueName("second-restore");
    harness.stopOperator();
    try {
      var spec = DynamoRestoreTest.fromArn(arn, target);
      spec.deletionPolicy = DeletionPolicy.Delete;
      harness.applyRestore(second, spec);
      harness.recordRestoreIntent(second, arn, Instant.now()); // its answer was lost, as far as it knows
    } finally {
      harness.startOperator();
    }
    await("the second one leaves the table alone").atMost(TIMEOUT).until(() -> "TableAlreadyExists"
        .equals(DynamoRestoreTest.readyReason(harness.getRestore(second))));
    assertThat(harness.getRestore(second).getStatus().tableArn).isNull();

    harness.restores().inNamespace(NAMESPACE).withName(second).delete();
    await("second gone").atMost(TIMEOUT).until(() -> harness.getRestore(second) == null);
    assertThat(tableExists(target)).as("the first one's table stays").isTrue();
    assertThat(harness.getRestore(first).getStatus().tableArn).isEqualTo(tableArn);
    assertThat(harness.emulator.calls("DeleteTable", target)).isEmpty();
  }

  /** Item 3: an ARN written into status by another client is never deleted with the object. */
  @Test
  void aForeignArnWrittenIntoStatusIsNeverDeleted() {
    String table = harness.newTable();
    String foreign = harness.dynamo.createBackup(r -> r.tableName(table).backupName("made-by-someone-else"))
        .backupDetails().backupArn();
    String name = OperatorHarness.uniqueName("victim");
    String own = Backups.availableBackup(harness, name, new DynamoBackupSpec(table));

    var object = harness.get(name);
    object.getStatus().backupArn = foreign; // whoever may write dynamobackups/status
    harness.backups().inNamespace(NAMESPACE).resource(object).updateStatus();
    harness.backups().inNamespace(NAMESPACE).withName(name).delete();

    await("deletion held").atMost(TIMEOUT).untilAsserted(() -> {
      Condition deleting = condition(harness.get(name), Conditions.DELETING);
      assertThat(deleting.getReason()).isEqualTo("NotOwned");
      assertThat(deleting.getMessage()).contains(foreign, "'made-by-someone-else'", "deletionPolicy: Retain");
    });
    assertThat(harness.emulator.calls("DeleteBackup", foreign)).isEmpty();

    harness.backups().inNamespace(NAMESPACE).withName(name).edit(b -> {
      b.getSpec().deletionPolicy = DeletionPolicy.Retain;
      return b;
    });
    await("released once Retain is set").atMost(TIMEOUT).until(() -> harness.get(name) == null);
    assertThat(backupsOf(table)).contains(foreign, own);
  }

  /** Item 4: without the CRD's rules, removing spec.backupArn must not turn the adopted backup's Retain into Delete. */
  @Test
  void removingTheAdoptedArnDoesNotTurnRetainIntoDelete() {
    String table = harness.newTable();
    String adopted = harness.dynamo.createBackup(r -> r.tableName(table).backupName("made-outside"))
        .backupDetails().backupArn();
    String name = OperatorHarness.uniqueName("adopter");
    var spec = new DynamoBackupSpec();
    spec.backupArn = adopted;
    harness.apply(name, spec);
    await("adopted").atMost(TIMEOUT).until(() -> harness.get(name).getStatus() != null
        && "AVAILABLE".equals(harness.get(name).getStatus().backupStatus));

    harness.backups().inNamespace(NAMESPACE).withName(name).edit(b -> {
      b.getSpec().backupArn = null;
      b.getSpec().tableName = table;
      return b;
    });
    await("refused as a change").atMost(TIMEOUT).untilAsserted(() -> assertThat(
        condition(harness.get(name), Conditions.READY).getReason()).isEqualTo("ImmutableFieldChanged"));
    harness.deleteAndAwaitGone(name, TIMEOUT);
    assertThat(backupsOf(table)).as("still Retain: the backup was adopted").containsExactly(adopted);
    assertThat(harness.emulator.calls("DeleteBackup", adopted)).isEmpty();
  }

  /** Item 4: a wrongly typed deletionPolicy or deletionProtection makes the deletion wait, never falls to Delete. */
  @Test
  void aWronglyTypedDeletionPolicyOrProtectionMakesTheDeletionWait() {
    for (var field : List.of(Map.entry("deletionPolicy", (Object) 123), Map.entry("deletionProtection", "yes"))) {
      String table = harness.newTable();
      String name = OperatorHarness.uniqueName("typed");
      var spec = new DynamoBackupSpec(table);
      spec.deletionPolicy = DeletionPolicy.Retain;
      String arn = Backups.availableBackup(harness, name, spec);
      rawSpecEdit(name, field.getKey(), field.getValue());
      harness.backups().inNamespace(NAMESPACE).withName(name).delete();

      await(field.getKey() + " held").atMost(TIMEOUT).untilAsserted(() -> {
        Condition deleting = condition(harness.get(name), Conditions.DELETING);
        assertThat(deleting.getReason()).isEqualTo("InvalidSpec");
        assertThat(deleting.getMessage()).contains("spec." + field.getKey());
      });
      assertThat(harness.emulator.calls("DeleteBackup", arn)).isEmpty();
      rawSpecEdit(name, field.getKey(), field.getKey().equals("deletionPolicy") ? "Retain" : false);
      await(name + " released").atMost(TIMEOUT).until(() -> harness.get(name) == null);
      assertThat(backupsOf(table)).as("%s", field).contains(arn);
    }
  }

  /** Item 6: the recreate annotation on an expired object is ignored; nothing is made that outlives the object. */
  @Test
  void aRecreateRequestOnAnExpiredBackupIsIgnored() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("expiring");
    var spec = new DynamoBackupSpec(table);
    spec.retention = new Retention();
    spec.retention.expiresAt = Instant.now().plusSeconds(3).toString();
    harness.apply(name, spec);
    await("expired").atMost(TIMEOUT).until(() -> harness.get(name).getStatus() != null
        && Conditions.isTrue(harness.get(name).getStatus().conditions, Conditions.EXPIRED));
    for (int request = 1; request <= 2; request++) {
      harness.backups().inNamespace(NAMESPACE).withName(name).edit(b -> {
        b.getMetadata().getAnnotations().put(Recreate.ANNOTATION, "true");
        return b;
      });
      int ignored = request;
      await("request " + request + " ignored").atMost(TIMEOUT).until(() ->
          !Recreate.requested(harness.get(name))
              && harness.eventReasons(name).stream().filter("RecreateIgnored"::equals).count() == ignored);
    }
    assertThat(condition(harness.get(name), Conditions.READY).getReason()).as("no false BackupMissing")
        .isEqualTo("Expired");
    assertThat(harness.emulator.calls("CreateBackup", table)).hasSize(1);
    harness.deleteAndAwaitGone(name, TIMEOUT);
    assertThat(backupsOf(table)).isEmpty();
  }

  /** Item 11: a DynamoRestore that says Restoring=True but never restored does not hold a deletion forever. */
  @Test
  void aDeletionIsNotHeldByARestoreThatNeverStarted() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("in-use-claimed");
    String arn = Backups.availableBackup(harness, name, new DynamoBackupSpec(table));
    // a restore stuck before its table was made (refused, or its spec broken) that still says Restoring=True
    String restore = OperatorHarness.uniqueName("stuck-restore");
    var restoreSpec = new DynamoRestoreSpec();
    restoreSpec.backupArn = arn;
    restoreSpec.targetTableName = "x"; // too short: the operator refuses it with InvalidSpec and restores nothing
    harness.applyRestore(restore, restoreSpec);
    await("restore refused").atMost(TIMEOUT).until(() -> harness.getRestore(restore).getStatus() != null);
    var stuck = harness.getRestore(restore);
    stuck.getStatus().sourceBackupArn = arn;
    Conditions.set(stuck.getStatus().conditions, Conditions.RESTORING, true, "RestoreRequested", "requested",
        1L, Instant.now().minus(Duration.ofHours(1)));
    harness.restores().inNamespace(NAMESPACE).resource(stuck).updateStatus();

    harness.deleteAndAwaitGone(name, TIMEOUT);
    assertThat(harness.emulator.calls("DeleteBackup", arn)).hasSize(1);
    assertThat(harness.emulator.calls("DescribeTable", "x")).as("its claim was checked in AWS").isNotEmpty();
  }

  /**
   * Item 13: two operators without a Lease (a leader that lost it, still finishing reconciles) race on the same
   * objects; the API server's 409 stops the loser before any AWS call, so no backup is made twice or orphaned.
   */
  @Test
  void twoWritersMakeExactlyOneBackupPerObject() {
    String table = harness.newTable();
    List<String> names = new ArrayList<>();
    try (var second = harness.startReplica(LeaderElection.OFF, () -> { })) {
      IntStream.range(0, 12).forEach(i -> {
        String name = OperatorHarness.uniqueName("raced");
        names.add(name);
        harness.apply(name, new DynamoBackupSpec(table));
      });
      await("all AVAILABLE").atMost(TIMEOUT).until(() -> names.stream().allMatch(n -> harness.get(n).getStatus()
          != null && "AVAILABLE".equals(harness.get(n).getStatus().backupStatus)));
      List<String> recorded = names.stream().map(n -> harness.get(n).getStatus().backupArn).toList();
      assertThat(recorded).doesNotHaveDuplicates();
      assertThat(backupsOf(table)).as("one backup per object, none orphaned")
          .containsExactlyInAnyOrderElementsOf(recorded);
      names.forEach(n -> harness.backups().inNamespace(NAMESPACE).withName(n).delete());
      await("all gone").atMost(TIMEOUT).until(() -> names.stream().allMatch(n -> harness.get(n) == null));
    }
    assertThat(backupsOf(table)).isEmpty();
  }

  /** Item 15: an unknown or wrongly typed field in any kind stops only that object, also across a restart. */
  @Test
  void oddFieldsInAnyKindStopOnlyThatObject() {
    String restoreName = OperatorHarness.uniqueName("odd-restore");
    var restore = raw("DynamoRestore", restoreName, Map.of("backupArn", "arn:aws:dynamodb:eu-west-1:"
        + "123456789012:table/orders/backup/01700000000000-abcdef12", "targetTableName", "odd-target",
        "fieldFromANewerVersion", Map.of("x", 1), "deletionPolicy", List.of("Delete")));
    String scheduleName = OperatorHarness.uniqueName("odd-schedule");
    var schedule = raw("DynamoBackupSchedule", scheduleName, Map.of("tableName", "orders", "schedule",
        "0 3 * * *", "suspend", "maybe", "newerField", true));
    String policyName = OperatorHarness.uniqueName("odd-policy");
    var policy = raw("DynamoBackupPolicy", policyName, Map.of("namespaces", List.of("nobody-" + policyName),
        "tables", List.of("*"), "allowDeletion", "sometimes"));
    policy.getMetadata().setNamespace(null);
    try {
      for (var object : List.of(restore, schedule, policy)) {
        harness.client.genericKubernetesResources(object.getApiVersion(), object.getKind()).resource(object)
            .create();
      }
      harness.stopOperator();
      harness.startOperator();
      String table = harness.newTable();
      String name = OperatorHarness.uniqueName("alongside");
      harness.apply(name, new DynamoBackupSpec(table));

      await("odd restore refused").atMost(TIMEOUT).until(() -> ready("DynamoRestore", restoreName)
          .map(c -> "InvalidSpec".equals(c.get("reason"))
              && String.valueOf(c.get("message")).contains("spec.deletionPolicy")).orElse(false));
      await("odd schedule refused").atMost(TIMEOUT).until(() -> ready("DynamoBackupSchedule", scheduleName)
          .map(c -> "InvalidSchedule".equals(c.get("reason"))
              && String.valueOf(c.get("message")).contains("spec.suspend")).orElse(false));
      // an unreadable policy grants nothing, yet it exists: no namespace is single-tenant by accident
      await("refused while the odd policy exists").atMost(TIMEOUT).untilAsserted(() -> assertThat(
          condition(harness.get(name), Conditions.READY).getReason()).isEqualTo("NotPermitted"));
      harness.client.genericKubernetesResources(policy.getApiVersion(), policy.getKind()).resource(policy).delete();
      await("made once the odd policy is gone").atMost(TIMEOUT).until(() -> harness.get(name).getStatus() != null
          && "AVAILABLE".equals(harness.get(name).getStatus().backupStatus));
      harness.deleteAndAwaitGone(name, TIMEOUT);
    } finally {
      harness.client.genericKubernetesResources(policy.getApiVersion(), policy.getKind()).resource(policy).delete();
    }
  }

  @SuppressWarnings("unchecked")
  private static java.util.Optional<Map<String, Object>> ready(String kind, String name) {
    var object = harness.client.genericKubernetesResources(DynamoBackup.GROUP + "/" + DynamoBackup.VERSION, kind)
        .inNamespace(NAMESPACE).withName(name).get();
    if (object == null || !(object.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
      return java.util.Optional.empty();
    }
    return ((List<Map<String, Object>>) ((Map<String, Object>) status).getOrDefault("conditions", List.of()))
        .stream().filter(c -> "Ready".equals(c.get("type"))).findFirst();
  }

  private static GenericKubernetesResource raw(String kind, String name, Map<String, Object> spec) {
    var object = new GenericKubernetesResource();
    object.setApiVersion(DynamoBackup.GROUP + "/" + DynamoBackup.VERSION);
    object.setKind(kind);
    object.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    object.setAdditionalProperties(new HashMap<>(Map.of("spec", spec)));
    return object;
  }

  @SuppressWarnings("unchecked")
  private static void rawSpecEdit(String name, String field, Object value) {
    harness.client.genericKubernetesResources(DynamoBackup.GROUP + "/" + DynamoBackup.VERSION, "DynamoBackup")
        .inNamespace(NAMESPACE).withName(name).edit(object -> {
          ((Map<String, Object>) object.getAdditionalProperties().get("spec")).put(field, value);
          return object;
        });
  }

  private static boolean tableExists(String table) {
    try {
      return !"DELETING".equals(harness.dynamo.describeTable(r -> r.tableName(table)).table().tableStatusAsString());
    } catch (software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException e) {
      return false;
    }
  }

  private static List<String> backupsOf(String table) {
    return harness.dynamo.listBackups(r -> r.tableName(table)).backupSummaries().stream()
        .map(b -> b.backupArn()).toList();
  }

  private static List<String> backupsNamed(String table, String backupName) {
    return harness.dynamo.listBackups(r -> r.tableName(table)).backupSummaries().stream()
        .filter(b -> backupName.equals(b.backupName())).map(b -> b.backupArn()).toList();
  }
}
