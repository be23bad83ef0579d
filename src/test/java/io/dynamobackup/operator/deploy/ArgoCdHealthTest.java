package io.dynamobackup.operator.deploy;

import static io.dynamobackup.operator.reconcile.Conditions.DELETING;
import static io.dynamobackup.operator.reconcile.Conditions.DELETION_BLOCKED;
import static io.dynamobackup.operator.reconcile.Conditions.EXPIRED;
import static io.dynamobackup.operator.reconcile.Conditions.READY;
import static io.dynamobackup.operator.support.Backups.availableBackup;
import static io.dynamobackup.operator.support.Backups.awaitAvailable;
import static io.dynamobackup.operator.support.OperatorHarness.NAMESPACE;
import static io.dynamobackup.operator.support.OperatorHarness.REGION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoBackupScheduleSpec;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.api.Retention;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.deploy.LuaHealthCheck.Health;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import io.dynamobackup.operator.policy.AccessPolicy;
import io.dynamobackup.operator.reconcile.Reasons;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Argo CD health checks of deploy/argocd, run on objects the operator brought to each state here (and on their
 * checked-in fixtures, which -Dargocd.fixtures.update=true rewrites from this run), on variations of those fixtures,
 * and as the argocd-cm patch carries them.
 */
class ArgoCdHealthTest {

  static final Duration TIMEOUT = Duration.ofSeconds(20);
  static final Path ARGOCD = Path.of("deploy/argocd");
  static final Path FIXTURES = Path.of("src/test/resources/argocd/fixtures");
  static final boolean UPDATE_FIXTURES = Boolean.getBoolean("argocd.fixtures.update");
  static final String BACKUP_KEY = "resource.customizations.health.dynamobackup.io_DynamoBackup";
  static final String SCHEDULE_KEY = "resource.customizations.health.dynamobackup.io_DynamoBackupSchedule";
  static final String RESTORE_KEY = "resource.customizations.health.dynamobackup.io_DynamoRestore";
  static final LuaHealthCheck BACKUP_HEALTH = LuaHealthCheck.load(ARGOCD.resolve("dynamobackup-health.lua"));
  static final LuaHealthCheck SCHEDULE_HEALTH =
      LuaHealthCheck.load(ARGOCD.resolve("dynamobackupschedule-health.lua"));
  static final LuaHealthCheck RESTORE_HEALTH = LuaHealthCheck.load(ARGOCD.resolve("dynamorestore-health.lua"));
  /** A schedule that makes no run while the test lasts: its state comes from its status alone. */
  static final String YEARLY = "0 0 1 1 *";
  static final ObjectMapper JSON = new ObjectMapper();

  // a short resync, so that a backup deleted outside Kubernetes is noticed at once
  @RegisterExtension
  static final OperatorHarness harness =
      OperatorHarness.create(OperatorConfig.quickReconcile().withResyncPeriod(Duration.ofSeconds(1)));

  // ---- DynamoBackup, live ----

  @Test
  void creatingBackupIsProgressing() throws IOException {
    String name = OperatorHarness.uniqueName("creating");
    harness.emulator.creatingDuration(Duration.ofSeconds(2));
    try {
      harness.apply(name, new DynamoBackupSpec(harness.newTable()));
      var creating = awaitBackup(name, b -> "CREATING".equals(b.getStatus().backupStatus));

      Health health = assertHealth(BACKUP_HEALTH, creating, "backup-creating", "Progressing");
      assertThat(health.message()).isEqualTo(message(creating, READY)).endsWith("is CREATING");
    } finally {
      harness.emulator.creatingDuration(Duration.ZERO);
    }
  }

  @Test
  void availableBackupIsHealthy() throws IOException {
    String name = OperatorHarness.uniqueName("available");
    harness.apply(name, new DynamoBackupSpec(harness.newTable()));
    var available = awaitAvailable(harness, name);

    Health health = assertHealth(BACKUP_HEALTH, available, "backup-available", "Healthy");
    assertThat(health.message()).isEqualTo(message(available, READY)).endsWith("is AVAILABLE");
  }

  @Test
  void missingTableIsDegraded() throws IOException {
    String name = OperatorHarness.uniqueName("no-table");
    harness.apply(name, new DynamoBackupSpec("missing-" + UUID.randomUUID().toString().substring(0, 8)));
    var failing = awaitBackup(name, b -> hasReason(b, READY, "TableNotFound"));

    Health health = assertHealth(BACKUP_HEALTH, failing, "backup-table-not-found", "Degraded");
    assertThat(health.message()).isEqualTo(message(failing, READY)).contains("CreateBackup failed");
    harness.deleteAndAwaitGone(name, TIMEOUT); // it would call CreateBackup every 2 s and use up others' faults
  }

  @Test
  void invalidSpecIsDegraded() throws IOException {
    String name = OperatorHarness.uniqueName("invalid");
    harness.apply(name, new DynamoBackupSpec("bad table!"));
    var invalid = awaitBackup(name, b -> hasReason(b, READY, "InvalidSpec"));

    Health health = assertHealth(BACKUP_HEALTH, invalid, "backup-invalid-spec", "Degraded");
    assertThat(health.message()).isEqualTo(message(invalid, READY)).contains("spec.tableName");
  }

  @Test
  void throttledCreateIsProgressingWhileTheOperatorRetries() throws IOException {
    String name = OperatorHarness.uniqueName("throttled");
    harness.emulator.failNext("CreateBackup", "LimitExceededException", 3);
    harness.apply(name, new DynamoBackupSpec(harness.newTable()));
    var throttled = awaitBackup(name, b -> hasReason(b, READY, "LimitExceeded"));

    Health health = assertHealth(BACKUP_HEALTH, throttled, "backup-throttled", "Progressing");
    assertThat(health.message()).isEqualTo(message(throttled, READY)).contains("LimitExceeded", "retry");
    awaitBackup(name, b -> "AVAILABLE".equals(b.getStatus().backupStatus)); // and the injected faults are used up
  }

  @Test
  void deletionWaitingForABackupInUseIsProgressing() throws IOException {
    String name = OperatorHarness.uniqueName("in-use");
    availableBackup(harness, name, new DynamoBackupSpec(harness.newTable()));
    harness.emulator.failNext("DeleteBackup", "BackupInUseException", 3);

    harness.backups().inNamespace(NAMESPACE).withName(name).delete();
    var deleting = awaitBackup(name, b -> isTrue(b, DELETING) && hasReason(b, DELETING, "BackupInUse"));

    Health health = assertHealth(BACKUP_HEALTH, deleting, "backup-deleting-backup-in-use", "Progressing");
    assertThat(health.message()).isEqualTo(message(deleting, DELETING)).contains("BackupInUse");
    await().atMost(TIMEOUT).until(() -> harness.get(name) == null);
  }

  @Test
  void deletionRefusedByAwsIsDegraded() throws IOException {
    String name = OperatorHarness.uniqueName("denied");
    availableBackup(harness, name, new DynamoBackupSpec(harness.newTable()));
    harness.emulator.failNext("DeleteBackup", "AccessDeniedException", 1);

    harness.backups().inNamespace(NAMESPACE).withName(name).delete();
    var denied = awaitBackup(name, b -> isTrue(b, DELETING) && hasReason(b, DELETING, "AccessDenied"));

    Health health = assertHealth(BACKUP_HEALTH, denied, "backup-deleting-access-denied", "Degraded");
    assertThat(health.message()).isEqualTo(message(denied, DELETING));
    await().atMost(TIMEOUT).until(() -> harness.get(name) == null); // the next try, 2 s later, is let through
  }

  @Test
  void deletionBlockedByDeletionProtectionIsDegraded() throws IOException {
    String name = OperatorHarness.uniqueName("blocked");
    var spec = new DynamoBackupSpec(harness.newTable());
    spec.deletionProtection = true;
    availableBackup(harness, name, spec);

    harness.backups().inNamespace(NAMESPACE).withName(name).delete();
    var blocked = awaitBackup(name, b -> isTrue(b, DELETION_BLOCKED));

    Health health = assertHealth(BACKUP_HEALTH, blocked, "backup-deletion-blocked", "Degraded");
    assertThat(health.message()).isEqualTo(message(blocked, DELETION_BLOCKED))
        .contains("spec.deletionProtection is true");
    harness.backups().inNamespace(NAMESPACE).withName(name).edit(b -> {
      b.getSpec().deletionProtection = false;
      return b;
    });
    await().atMost(TIMEOUT).until(() -> harness.get(name) == null);
  }

  @Test
  void expiredBackupKeptAsARecordIsHealthy() throws IOException {
    String name = OperatorHarness.uniqueName("expired");
    var spec = new DynamoBackupSpec(harness.newTable());
    spec.retention = new Retention();
    spec.retention.expireAfter = "1s";
    harness.apply(name, spec);
    var expired = awaitBackup(name, b -> isTrue(b, EXPIRED) && "DELETED".equals(b.getStatus().backupStatus));

    Health health = assertHealth(BACKUP_HEALTH, expired, "backup-expired", "Healthy");
    assertThat(health.message()).isEqualTo(message(expired, EXPIRED)).contains("expired at", "is DELETED");
  }

  @Test
  void expiryHeldOffByDeletionProtectionIsHealthyAndSaysSo() throws IOException {
    String name = OperatorHarness.uniqueName("kept");
    var spec = new DynamoBackupSpec(harness.newTable());
    spec.deletionProtection = true;
    spec.retention = new Retention();
    spec.retention.expireAfter = "1s";
    harness.apply(name, spec);
    var kept = awaitBackup(name, b -> hasReason(b, EXPIRED, "DeletionProtected"));

    Health health = assertHealth(BACKUP_HEALTH, kept, "backup-expiry-blocked", "Healthy");
    assertThat(health.message()).isEqualTo(message(kept, EXPIRED)).contains("deletionProtection");
  }

  @Test
  void backupDeletedOutsideKubernetesIsMissing() throws IOException {
    String name = OperatorHarness.uniqueName("gone");
    harness.apply(name, new DynamoBackupSpec(harness.newTable()));
    var available = awaitAvailable(harness, name);

    harness.emulator.deleteOutOfBand(REGION, available.getStatus().backupArn);
    var missing = awaitBackup(name, b -> hasReason(b, READY, "BackupMissing"));

    Health health = assertHealth(BACKUP_HEALTH, missing, "backup-deleted-outside", "Missing");
    assertThat(health.message()).isEqualTo(message(missing, READY)).contains("deleted outside Kubernetes");
  }

  // ---- DynamoBackupSchedule, live ----

  @Test
  void scheduleIsHealthy() throws IOException {
    String name = OperatorHarness.uniqueName("schedule");
    applySchedule(name, YEARLY, false);
    var scheduled = awaitSchedule(name, s -> hasReason(s.getStatus().conditions, READY, "Scheduled"));

    Health health = assertHealth(SCHEDULE_HEALTH, scheduled, "schedule-scheduled", "Healthy");
    assertThat(health.message()).isEqualTo(message(scheduled.getStatus().conditions, READY)).startsWith("next run");
  }

  @Test
  void suspendedScheduleIsSuspended() throws IOException {
    String name = OperatorHarness.uniqueName("suspended");
    applySchedule(name, YEARLY, true);
    var suspended = awaitSchedule(name, s -> hasReason(s.getStatus().conditions, READY, "Suspended"));

    Health health = assertHealth(SCHEDULE_HEALTH, suspended, "schedule-suspended", "Suspended");
    assertThat(health.message()).isEqualTo("suspended");
  }

  @Test
  void invalidScheduleIsDegraded() throws IOException {
    String name = OperatorHarness.uniqueName("bad-cron");
    applySchedule(name, "every day at three", false);
    var invalid = awaitSchedule(name, s -> hasReason(s.getStatus().conditions, READY, "InvalidSchedule"));

    Health health = assertHealth(SCHEDULE_HEALTH, invalid, "schedule-invalid", "Degraded");
    assertThat(health.message()).isEqualTo(message(invalid.getStatus().conditions, READY));
  }

  /**
   * A failed run: a child that cannot be backed up. The child is made here as the schedule makes its children
   * (label and controller reference), on a missing table, instead of waiting for a run on the wall clock.
   */
  @Test
  void scheduleWithAFailingBackupIsDegraded() throws IOException {
    String name = OperatorHarness.uniqueName("failing");
    var schedule = applySchedule(name, YEARLY, false);
    String child = name + "-manual";
    var backup = new DynamoBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName(child).withNamespace(NAMESPACE)
        .withLabels(Map.of(DynamoBackupSchedule.SCHEDULE_LABEL, name))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(schedule.getApiVersion())
            .withKind(schedule.getKind()).withName(name).withUid(schedule.getMetadata().getUid())
            .withController(true).build())
        .build());
    backup.setSpec(new DynamoBackupSpec("missing-" + UUID.randomUUID().toString().substring(0, 8)));
    harness.backups().inNamespace(NAMESPACE).resource(backup).create();

    var failing = awaitSchedule(name, s -> s.getStatus().children != null && s.getStatus().children.notReady == 1);

    Health health = assertHealth(SCHEDULE_HEALTH, failing, "schedule-failing-backup", "Degraded");
    assertThat(health.message()).startsWith("not ready: 1 of 1 DynamoBackups");
    harness.deleteAndAwaitGone(child, TIMEOUT);
  }

  // ---- DynamoRestore, live ----

  @Test
  void restoredTableWithItsSettingsInPlaceIsHealthy() throws IOException {
    String name = OperatorHarness.uniqueName("restored");
    applyPointInTimeRestore(name, settings -> { });
    var restored = awaitRestore(name, r -> Conditions.isTrue(r.getStatus().conditions, READY));

    Health health = assertHealth(RESTORE_HEALTH, restored, "restore-restored", "Healthy");
    assertThat(health.message()).isEqualTo(message(restored.getStatus().conditions, READY))
        .contains("table settings in place");
  }

  @Test
  void restoreUnderWayIsProgressing() throws IOException {
    String name = OperatorHarness.uniqueName("restoring");
    harness.emulator.restoringDuration(Duration.ofSeconds(2));
    try {
      applyPointInTimeRestore(name, settings -> { });
      var restoring = awaitRestore(name, r -> hasReason(r.getStatus().conditions, READY, "Restoring")
          && "CREATING".equals(r.getStatus().tableStatus));

      Health health = assertHealth(RESTORE_HEALTH, restoring, "restore-restoring", "Progressing");
      assertThat(health.message()).contains("restore in progress");
    } finally {
      harness.emulator.restoringDuration(Duration.ZERO);
    }
  }

  @Test
  void settingDeniedIsDegradedAndSettingThrottledIsProgressing() throws IOException {
    String denied = OperatorHarness.uniqueName("ttl-denied");
    String throttled = OperatorHarness.uniqueName("ttl-throttled");
    harness.emulator.failFor("UpdateTimeToLive", denied + "-table", "AccessDeniedException")
        .failFor("UpdateTimeToLive", throttled + "-table", "LimitExceededException");
    applyPointInTimeRestore(denied, settings -> { });
    applyPointInTimeRestore(throttled, settings -> { });
    var failing = awaitRestore(denied, r -> hasReason(r.getStatus().conditions, READY, "TimeToLiveFailed"));
    var retrying = awaitRestore(throttled, r -> hasReason(r.getStatus().conditions, READY, "TimeToLiveFailed"));

    Health health = assertHealth(RESTORE_HEALTH, failing, "restore-setting-access-denied", "Degraded");
    assertThat(health.message()).contains("UpdateTimeToLive failed: AccessDeniedException");
    assertThat(assertHealth(RESTORE_HEALTH, retrying, "restore-setting-throttled", "Progressing").message())
        .contains("LimitExceededException");
    harness.restores().inNamespace(NAMESPACE).withName(denied).delete();
    harness.restores().inNamespace(NAMESPACE).withName(throttled).delete();
  }

  @Test
  void sourceWithoutPointInTimeRecoveryIsDegraded() throws IOException {
    String name = OperatorHarness.uniqueName("no-pitr");
    var spec = pointInTimeRestore(name, harness.newTable());
    harness.applyRestore(name, spec);
    var unavailable = awaitRestore(name, r -> hasReason(r.getStatus().conditions, READY,
        "PointInTimeRecoveryUnavailable"));

    Health health = assertHealth(RESTORE_HEALTH, unavailable, "restore-point-in-time-unavailable", "Degraded");
    assertThat(health.message()).contains("point-in-time recovery is DISABLED");
  }

  @Test
  void tableDeletedOutsideKubernetesIsMissing() throws IOException {
    String name = OperatorHarness.uniqueName("dropped");
    applyPointInTimeRestore(name, settings -> settings.deletionProtection = null);
    awaitRestore(name, r -> Conditions.isTrue(r.getStatus().conditions, READY));

    harness.dynamo.deleteTable(r -> r.tableName(name + "-table"));
    var missing = awaitRestore(name, r -> hasReason(r.getStatus().conditions, READY, "TableMissing"));

    Health health = assertHealth(RESTORE_HEALTH, missing, "restore-table-missing", "Missing");
    assertThat(health.message()).contains("deleted outside Kubernetes");
  }

  /** Every reason the operator retries is Progressing, as Ready's reason or as a failing setting's; the rest not. */
  @Test
  void restoreFailuresTheOperatorRetriesAreProgressingAndTheRestDegraded() throws Exception {
    Set<String> retried = new TreeSet<>(awsCodesRetried());
    retried.addAll(List.of("HTTP500", "HTTP503", "HTTP429", AccessPolicy.ACCOUNT_UNKNOWN));
    Set<String> terminal = new TreeSet<>(List.of("TableNotFound", "AccessDenied", "Validation",
        Reasons.TABLE_ALREADY_EXISTS, "PointInTimeRecoveryUnavailable", "InvalidRestoreTime",
        "SourceTableInOtherRegion", "BackupInOtherRegion", Reasons.NOT_PERMITTED, AccessPolicy.ACCOUNT_UNREACHABLE,
        Reasons.INVALID_SPEC, Reasons.IMMUTABLE_FIELD_CHANGED, Reasons.BACKUP_NOT_FOUND, Reasons.TABLE_REPLACED,
        Reasons.RECONCILE_ERROR, "HTTP400"));
    List.of("PointInTimeRecoveryUnavailable", "InvalidRestoreTime").forEach(code -> assertThat(
        AwsFailure.kindOf(code + "Exception", 400)).isEqualTo(AwsFailure.Kind.TERMINAL));
    for (String reason : List.of(Reasons.RESTORING, Reasons.BACKUP_NOT_AVAILABLE, "ApplyingTableSettings")) {
      assertThat(RESTORE_HEALTH.run(withReadyReason(fixture("restore-point-in-time-unavailable"), reason)).status())
          .as("Ready reason " + reason).isEqualTo("Progressing");
    }
    for (String reason : retried) {
      assertThat(RESTORE_HEALTH.run(withReadyReason(fixture("restore-point-in-time-unavailable"), reason)).status())
          .as("Ready reason " + reason).isEqualTo("Progressing");
      assertThat(RESTORE_HEALTH.run(withSettingReason(fixture("restore-setting-access-denied"), reason)).status())
          .as("setting reason " + reason).isEqualTo("Progressing");
    }
    for (String reason : terminal) {
      assertThat(RESTORE_HEALTH.run(withReadyReason(fixture("restore-point-in-time-unavailable"), reason)).status())
          .as("Ready reason " + reason).isEqualTo("Degraded");
      assertThat(RESTORE_HEALTH.run(withSettingReason(fixture("restore-setting-throttled"), reason)).status())
          .as("setting reason " + reason).isEqualTo("Degraded");
    }
    assertThat(RESTORE_HEALTH.run(withSettingReason(fixture("restore-setting-throttled"), "SettingConflict"))
        .status()).isEqualTo("Degraded");
  }

  @Test
  void restoreBeingDeletedIsProgressingUnlessItsDeletionFailsForGood() throws IOException {
    var deleting = fixture("restore-restored");
    ((ObjectNode) deleting.get("metadata")).put("deletionTimestamp", "2030-01-01T00:00:00Z");
    assertThat(RESTORE_HEALTH.run(deleting)).isEqualTo(new Health("Progressing", "deleting"));

    ((ObjectNode) deleting.get("status")).withArray("conditions").addObject().put("type", DELETING)
        .put("status", "True").put("reason", "RestoreInProgress").put("message", "waiting for the restore");
    assertThat(RESTORE_HEALTH.run(deleting).status()).isEqualTo("Progressing");
    ((ObjectNode) deleting.path("status").path("conditions").get(deleting.path("status").path("conditions").size()
        - 1)).put("reason", "Validation").put("message", "deletion protection");
    assertThat(RESTORE_HEALTH.run(deleting)).isEqualTo(new Health("Degraded", "deletion protection"));
    var unobserved = fixture("restore-restored");
    ((ObjectNode) unobserved.get("metadata")).put("generation", 7);
    assertThat(RESTORE_HEALTH.run(unobserved).status()).isEqualTo("Progressing");
    unobserved.remove("status");
    assertThat(RESTORE_HEALTH.run(unobserved)).isEqualTo(new Health("Progressing", "waiting for the operator"));
  }

  // ---- variations of the fixtures ----

  @Test
  void objectsWithoutStatusAreProgressing() throws IOException {
    var backup = fixture("backup-available");
    var schedule = fixture("schedule-scheduled");
    backup.remove("status");
    schedule.remove("status");

    assertThat(BACKUP_HEALTH.run(backup)).isEqualTo(new Health("Progressing", "waiting for the operator"));
    assertThat(SCHEDULE_HEALTH.run(schedule)).isEqualTo(new Health("Progressing", "waiting for the operator"));
  }

  @Test
  void specChangesNotYetObservedAreProgressing() throws IOException {
    for (var check : List.of(Map.entry(BACKUP_HEALTH, fixture("backup-available")),
        Map.entry(SCHEDULE_HEALTH, fixture("schedule-scheduled")), Map.entry(BACKUP_HEALTH,
            fixture("backup-table-not-found")), Map.entry(SCHEDULE_HEALTH, fixture("schedule-suspended")))) {
      var object = check.getValue();
      long next = object.path("status").path("observedGeneration").asLong() + 1;
      ((ObjectNode) object.get("metadata")).put("generation", next);

      assertThat(check.getKey().run(object))
          .isEqualTo(new Health("Progressing", "waiting for the operator to observe generation " + next));
    }
  }

  /** The operator leaves an expired record alone, observedGeneration included: a later edit changes nothing. */
  @Test
  void expiredRecordStaysHealthyAfterAnEdit() throws IOException {
    var expired = fixture("backup-expired");
    ((ObjectNode) expired.get("metadata")).put("generation", expired.path("metadata").path("generation").asLong() + 1);

    assertThat(BACKUP_HEALTH.run(expired).status()).isEqualTo("Healthy");
  }

  @Test
  void deletionWithoutAFailureIsProgressing() throws IOException {
    var deleting = fixture("backup-available");
    ((ObjectNode) deleting.get("metadata")).put("deletionTimestamp", "2030-01-01T00:00:00Z");

    assertThat(BACKUP_HEALTH.run(deleting)).isEqualTo(new Health("Progressing", "deleting"));
  }

  /**
   * The Ready condition does not say whether the operator retries a failure soon or only once per terminal period;
   * the Lua lists the retried reasons. Every code AwsFailure retries must be among them, and nothing terminal.
   */
  @Test
  void failuresTheOperatorRetriesAreProgressingAndTheRestDegraded() throws Exception {
    Set<String> retried = new TreeSet<>(awsCodesRetried());
    retried.addAll(List.of("HTTP500", "HTTP503", "HTTP429", AccessPolicy.ACCOUNT_UNKNOWN));
    List<String> awsTerminal = List.of("TableNotFound", "AccessDenied", "Validation", "UnrecognizedClient",
        "TableAlreadyExists");
    awsTerminal.forEach(code -> assertThat(AwsFailure.kindOf(code + "Exception", 400))
        .isEqualTo(AwsFailure.Kind.TERMINAL));
    Set<String> terminal = new TreeSet<>(awsTerminal);
    terminal.addAll(List.of(AwsFailure.MISSING_REGION, "HTTP400", "HTTP403", Reasons.INVALID_SPEC,
        Reasons.IMMUTABLE_FIELD_CHANGED, Reasons.BACKUP_TABLE_MISMATCH, Reasons.BACKUP_NOT_FOUND,
        Reasons.RECONCILE_ERROR, Reasons.NOT_OWNED, AccessPolicy.ACCOUNT_UNREACHABLE, Reasons.NOT_PERMITTED));

    Map<String, String> health = new TreeMap<>();
    for (String reason : retried) {
      health.put(reason, BACKUP_HEALTH.run(withReadyReason(fixture("backup-table-not-found"), reason)).status());
    }
    for (String reason : terminal) {
      health.put(reason, BACKUP_HEALTH.run(withReadyReason(fixture("backup-table-not-found"), reason)).status());
    }

    assertThat(health).allSatisfy((reason, status) ->
        assertThat(status).as(reason).isEqualTo(retried.contains(reason) ? "Progressing" : "Degraded"));
  }

  // ---- the argocd-cm patch ----

  @Test
  void argocdCmPatchCarriesTheLuaFilesVerbatim() throws IOException {
    ConfigMap patch = Serialization.unmarshal(Files.readString(ARGOCD.resolve("argocd-cm-patch.yaml")),
        ConfigMap.class);

    assertThat(patch.getMetadata().getName()).isEqualTo("argocd-cm");
    assertThat(patch.getMetadata().getNamespace()).isEqualTo("argocd");
    assertThat(patch.getData()).containsExactlyInAnyOrderEntriesOf(luaByKey());
  }

  /** As README says: Argo CD installed with kustomize lists the patch under patches:, and keeps its own settings. */
  @Test
  void patchMergesIntoArgoCdsConfigMapWithKustomize(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("argocd-cm.yaml"), """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: argocd-cm
          namespace: argocd
        data:
          url: https://argocd.example.com
          resource.customizations.health.cert-manager.io_Certificate: |
            return {status = "Healthy"}
        """);
    Files.copy(ARGOCD.resolve("argocd-cm-patch.yaml"), dir.resolve("argocd-cm-patch.yaml"));
    Files.writeString(dir.resolve("kustomization.yaml"), """
        resources:
          - argocd-cm.yaml
        patches:
          - path: argocd-cm-patch.yaml
        """);

    List<HasMetadata> rendered = DeployManifestsTest.render(dir.toString());

    assertThat(rendered).singleElement().isInstanceOf(ConfigMap.class);
    Map<String, String> data = ((ConfigMap) rendered.get(0)).getData();
    assertThat(data).containsAllEntriesOf(luaByKey())
        .containsKeys("url", "resource.customizations.health.cert-manager.io_Certificate").hasSize(5);
  }

  // ---- helpers ----

  /**
   * Runs the check on the live object and on its fixture (first rewritten from the live object under
   * -Dargocd.fixtures.update=true); both must come out as {@code status}. Returns the live object's health.
   */
  static Health assertHealth(LuaHealthCheck check, HasMetadata live, String fixture, String status)
      throws IOException {
    JsonNode liveJson = JSON.readTree(Serialization.asJson(live));
    if (UPDATE_FIXTURES) {
      Files.createDirectories(FIXTURES);
      Files.writeString(FIXTURES.resolve(fixture + ".json"),
          JSON.writerWithDefaultPrettyPrinter().writeValueAsString(liveJson) + "\n");
    }
    Health health = check.run(liveJson);
    assertThat(health.status()).as("health of the live %s", fixture).isEqualTo(status);
    assertThat(check.run(fixture(fixture)).status()).as("health of fixture %s", fixture).isEqualTo(status);
    return health;
  }

  static ObjectNode fixture(String name) throws IOException {
    Path file = FIXTURES.resolve(name + ".json");
    assertThat(file).as("no fixture %s: run ArgoCdHealthTest with -Dargocd.fixtures.update=true", file).exists();
    return (ObjectNode) JSON.readTree(file.toFile());
  }

  static Map<String, String> luaByKey() throws IOException {
    return Map.of(BACKUP_KEY, Files.readString(ARGOCD.resolve("dynamobackup-health.lua")),
        SCHEDULE_KEY, Files.readString(ARGOCD.resolve("dynamobackupschedule-health.lua")),
        RESTORE_KEY, Files.readString(ARGOCD.resolve("dynamorestore-health.lua")));
  }

  /** A Ready=False condition with this reason in place of the fixture's. */
  static ObjectNode withReadyReason(ObjectNode backup, String reason) {
    for (JsonNode condition : backup.path("status").path("conditions")) {
      if (READY.equals(condition.path("type").asText())) {
        ((ObjectNode) condition).put("status", "False").put("reason", reason).put("message", reason + ": test");
      }
    }
    return backup;
  }

  /**
   * The reasons of the AWS failures the operator retries with backoff, as AwsFailure names them, so that a code added
   * there fails here until the Lua lists it too.
   */
  static Set<String> awsCodesRetried() {
    Set<String> reasons = AwsFailure.retriedReasons();
    assertThat(reasons).isNotEmpty();
    return reasons;
  }

  /** A failing time-to-live setting with this reason in place of the fixture's. */
  static ObjectNode withSettingReason(ObjectNode restore, String reason) {
    ((ObjectNode) restore.path("status").path("tableSettings").path("timeToLive")).put("state", "Failed")
        .put("reason", reason);
    return restore;
  }

  /** A point-in-time restore of a new table with recovery on, into NAME-table, with settings as changed. */
  static void applyPointInTimeRestore(String name, Consumer<DynamoRestoreSpec.TableSettings> settings) {
    String source = harness.newTable();
    harness.emulator.enablePointInTimeRecovery(REGION, source);
    var spec = pointInTimeRestore(name, source);
    spec.tableSettings = new DynamoRestoreSpec.TableSettings();
    spec.tableSettings.timeToLive = new DynamoRestoreSpec.TimeToLive();
    spec.tableSettings.timeToLive.attributeName = "expiresAt";
    spec.tableSettings.deletionProtection = true;
    settings.accept(spec.tableSettings);
    harness.applyRestore(name, spec);
  }

  static DynamoRestoreSpec pointInTimeRestore(String name, String source) {
    var spec = new DynamoRestoreSpec();
    spec.pointInTime = new DynamoRestoreSpec.PointInTime();
    spec.pointInTime.sourceTableName = source;
    spec.pointInTime.useLatestRestorableTime = true;
    spec.targetTableName = name + "-table";
    return spec;
  }

  static DynamoRestore awaitRestore(String name, Predicate<DynamoRestore> state) {
    return await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20))
        .until(() -> harness.getRestore(name), r -> r != null && r.getStatus() != null && state.test(r));
  }

  /** Waits until the object is in the state, and returns the version of it that was. */
  static DynamoBackup awaitBackup(String name, Predicate<DynamoBackup> state) {
    return await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20))
        .until(() -> harness.get(name), b -> b != null && b.getStatus() != null && state.test(b));
  }

  static DynamoBackupSchedule applySchedule(String name, String cron, boolean suspend) {
    var schedule = new DynamoBackupSchedule();
    schedule.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    var spec = new DynamoBackupScheduleSpec();
    spec.tableName = harness.newTable();
    spec.schedule = cron;
    spec.suspend = suspend ? true : null;
    schedule.setSpec(spec);
    return harness.client.resource(schedule).create();
  }

  static DynamoBackupSchedule awaitSchedule(String name, Predicate<DynamoBackupSchedule> state) {
    return await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20))
        .until(() -> harness.client.resources(DynamoBackupSchedule.class).inNamespace(NAMESPACE).withName(name)
            .get(), s -> s != null && s.getStatus() != null && state.test(s));
  }

  static boolean isTrue(DynamoBackup backup, String type) {
    return Conditions.isTrue(backup.getStatus().conditions, type);
  }

  static boolean hasReason(DynamoBackup backup, String type, String reason) {
    return hasReason(backup.getStatus().conditions, type, reason);
  }

  static boolean hasReason(List<Condition> conditions, String type, String reason) {
    return Conditions.find(conditions, type).map(c -> reason.equals(c.getReason())).orElse(false);
  }

  static String message(DynamoBackup backup, String type) {
    return message(backup.getStatus().conditions, type);
  }

  static String message(List<Condition> conditions, String type) {
    return Conditions.find(conditions, type).orElseThrow().getMessage();
  }
}
