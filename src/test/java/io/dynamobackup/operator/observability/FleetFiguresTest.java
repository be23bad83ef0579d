package io.dynamobackup.operator.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.api.BackupDescription;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoBackupScheduleSpec;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreStatus;
import io.dynamobackup.operator.observability.FleetFigures.Family;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.support.UnitTest;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

@UnitTest
class FleetFiguresTest {

  static final Instant NOW = Instant.parse("2026-11-25T10:00:30Z");

  @Test
  void backupsByNamespaceAndStatusWithEveryKnownStatusPresent() {
    var figures = figures(List.of(
        backup("team-a", "one", "AVAILABLE"), backup("team-a", "two", "AVAILABLE"), backup("team-b", "three", null)),
        List.of(), List.of());

    assertThat(series(figures, FleetFigures.BACKUPS)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "namespace=team-a,status=AVAILABLE", 2.0, "namespace=team-a,status=CREATING", 0.0,
        "namespace=team-a,status=DELETED", 0.0, "namespace=team-a,status=PENDING", 0.0,
        "namespace=team-b,status=AVAILABLE", 0.0, "namespace=team-b,status=CREATING", 0.0,
        "namespace=team-b,status=DELETED", 0.0, "namespace=team-b,status=PENDING", 1.0));
  }

  @Test
  void notReadyBackupsByReasonSinceTheEarliestTransitionLeavingOutReadyExpiredAndDeletedOnes() {
    var figures = figures(List.of(
        notReady(backup("a", "denied-early", null), "AccessDenied", "2026-11-25T09:00:00Z"),
        notReady(backup("a", "denied-late", null), "AccessDenied", "2026-11-25T09:30:00Z"),
        notReady(backup("a", "missing", "DELETED"), "BackupMissing", "2026-11-25T08:00:00Z"),
        backup("a", "never-reconciled", null),
        expired(notReady(backup("a", "expired", "DELETED"), "Expired", "2026-11-25T07:00:00Z")),
        deleting(notReady(backup("a", "being-deleted", null), "TableNotFound", "2026-11-25T06:00:00Z"),
            "2026-11-25T09:59:00Z"),
        ready(backup("a", "fine", "AVAILABLE"))), List.of(), List.of());

    assertThat(series(figures, FleetFigures.NOT_READY)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "namespace=a,reason=AccessDenied", 2.0, "namespace=a,reason=BackupMissing", 1.0,
        "namespace=a,reason=Pending", 1.0));
    assertThat(series(figures, FleetFigures.NOT_READY_SINCE)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "namespace=a,reason=AccessDenied", epoch("2026-11-25T09:00:00Z"),
        "namespace=a,reason=BackupMissing", epoch("2026-11-25T08:00:00Z"),
        "namespace=a,reason=Pending", epoch("2026-11-25T10:00:00Z")));
  }

  @Test
  void pendingDeletionsByKindAndTheReasonTheyWaitFor() {
    var blocked = deleting(backup("a", "protected", "AVAILABLE"), "2026-11-25T08:00:00Z");
    blocked.getStatus().conditions.add(condition(Conditions.DELETION_BLOCKED, "True", "DeletionProtection",
        "2026-11-25T08:00:00Z"));
    var inUse = deleting(backup("a", "in-use", "AVAILABLE"), "2026-11-25T09:00:00Z");
    inUse.getStatus().conditions.add(condition(Conditions.DELETING, "True", "BackupInUse", "2026-11-25T09:00:00Z"));
    var inUseLater = deleting(backup("a", "in-use-too", "AVAILABLE"), "2026-11-25T09:30:00Z");
    inUseLater.getStatus().conditions.add(condition(Conditions.DELETING, "True", "BackupInUse",
        "2026-11-25T09:30:00Z"));
    var justAsked = deleting(backup("b", "just-asked", "AVAILABLE"), "2026-11-25T10:00:00Z");
    var restore = restore("b", "restoring", "Restoring");
    restore.getMetadata().setDeletionTimestamp("2026-11-25T09:45:00Z");
    restore.getStatus().conditions.add(condition(Conditions.DELETING, "True", "RestoreInProgress",
        "2026-11-25T09:45:00Z"));

    var figures = figures(List.of(blocked, inUse, inUseLater, justAsked), List.of(), List.of(restore));

    assertThat(series(figures, FleetFigures.DELETIONS)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "kind=DynamoBackup,namespace=a,reason=DeletionProtection", 1.0,
        "kind=DynamoBackup,namespace=a,reason=BackupInUse", 2.0,
        "kind=DynamoBackup,namespace=b,reason=Requested", 1.0,
        "kind=DynamoRestore,namespace=b,reason=RestoreInProgress", 1.0));
    assertThat(series(figures, FleetFigures.DELETIONS_SINCE))
        .containsEntry("kind=DynamoBackup,namespace=a,reason=BackupInUse", epoch("2026-11-25T09:00:00Z"))
        .containsEntry("kind=DynamoRestore,namespace=b,reason=RestoreInProgress", epoch("2026-11-25T09:45:00Z"));
    assertThat(series(figures, FleetFigures.NOT_READY)).isEmpty();
  }

  @Test
  void restoresByTheirReadyReason() {
    var figures = figures(List.of(), List.of(), List.of(restore("a", "done", "Restored"),
        restore("a", "done-too", "Restored"), restore("a", "waiting", "BackupNotAvailable"), restore("b", "new", null)));

    assertThat(series(figures, FleetFigures.RESTORES)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "namespace=a,state=Restored", 2.0, "namespace=a,state=BackupNotAvailable", 1.0,
        "namespace=b,state=Pending", 1.0));
  }

  @Test
  void aScheduleShowsItsNewestAvailableBackupItsIntervalAndItsLastRunsOutcome() {
    var schedule = schedule("a", "orders-hourly", "uid-orders", "0 * * * *", false);
    var older = child(schedule, "2026-11-25T08:00:00Z", "AVAILABLE", "2026-11-25T08:00:02Z");
    var newest = child(schedule, "2026-11-25T09:00:00Z", "AVAILABLE", "2026-11-25T09:00:03Z");
    var failed = notReady(child(schedule, "2026-11-25T10:00:00Z", null, null), "TableNotFound",
        "2026-11-25T10:00:01Z");
    var pruned = deleting(child(schedule, "2026-11-25T09:30:00Z", "AVAILABLE", "2026-11-25T09:30:01Z"),
        "2026-11-25T10:00:00Z");
    var otherSchedulesChild = child(schedule("a", "orders-hourly", "uid-of-an-earlier-schedule", "0 * * * *",
        false), "2026-11-25T09:50:00Z", "AVAILABLE", "2026-11-25T09:50:00Z");

    var figures = figures(List.of(older, newest, failed, pruned, otherSchedulesChild), List.of(schedule), List.of());

    String key = "namespace=a,schedule=orders-hourly";
    assertThat(series(figures, FleetFigures.SCHEDULE_LAST_AVAILABLE))
        .containsExactlyEntriesOf(Map.of(key, epoch("2026-11-25T09:00:03Z")));
    assertThat(series(figures, FleetFigures.SCHEDULE_INTERVAL)).containsExactlyEntriesOf(Map.of(key, 3600.0));
    assertThat(series(figures, FleetFigures.SCHEDULE_SUSPENDED)).containsExactlyEntriesOf(Map.of(key, 0.0));
    assertThat(series(figures, FleetFigures.SCHEDULE_CREATED))
        .containsExactlyEntriesOf(Map.of(key, epoch("2026-11-20T00:00:00Z")));
    assertThat(series(figures, FleetFigures.SCHEDULE_LAST_RUN)).containsExactlyEntriesOf(Map.of(
        "namespace=a,outcome=failed,reason=TableNotFound,schedule=orders-hourly", epoch("2026-11-25T10:00:00Z")));
  }

  @Test
  void aNewScheduleHasNoBackupYetASuspendedOrInvalidOneSaysSoAndAnEditedChildDoesNotBreakTheScrape() {
    var fresh = schedule("a", "fresh", "uid-fresh", "*/5 * * * *", false);
    var running = child(fresh, "2026-11-25T10:00:00Z", "CREATING", null);
    var suspended = schedule("a", "suspended", "uid-suspended", "0 3 * * *", true);
    var invalid = schedule("a", "invalid", "uid-invalid", "every day", false);
    // a child whose scheduled time was edited into nonsense counts from its creation instead
    var edited = child(suspended, "yesterday", "AVAILABLE", null);

    var figures = figures(List.of(running, edited), List.of(fresh, suspended, invalid), List.of());

    assertThat(series(figures, FleetFigures.SCHEDULE_LAST_AVAILABLE)).containsExactlyEntriesOf(Map.of(
        "namespace=a,schedule=suspended", epoch("2026-11-25T10:00:00Z")));
    assertThat(series(figures, FleetFigures.SCHEDULE_INTERVAL)).containsOnlyKeys("namespace=a,schedule=fresh",
        "namespace=a,schedule=suspended");
    assertThat(series(figures, FleetFigures.SCHEDULE_SUSPENDED)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "namespace=a,schedule=fresh", 0.0, "namespace=a,schedule=suspended", 1.0,
        "namespace=a,schedule=invalid", 0.0));
    assertThat(series(figures, FleetFigures.SCHEDULE_LAST_RUN)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "namespace=a,outcome=running,reason=Pending,schedule=fresh", epoch("2026-11-25T10:00:00Z"),
        "namespace=a,outcome=succeeded,reason=Pending,schedule=suspended", epoch("2026-11-25T10:00:00Z")));
  }

  // ---- helpers ----

  static List<Family> figures(List<DynamoBackup> backups, List<DynamoBackupSchedule> schedules,
      List<DynamoRestore> restores) {
    return FleetFigures.of(backups.stream(), schedules.stream(), restores.stream(), NOW);
  }

  /** A family's series as "label=value,..." (labels sorted) to value. */
  static Map<String, Double> series(List<Family> figures, String name) {
    return figures.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow().samples().stream()
        .collect(Collectors.toMap(s -> new TreeMap<>(s.labels()).entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")), s -> s.value()));
  }

  static double epoch(String time) {
    return Instant.parse(time).toEpochMilli() / 1000.0;
  }

  static DynamoBackup backup(String namespace, String name, String backupStatus) {
    var backup = new DynamoBackup();
    backup.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name)
        .withCreationTimestamp("2026-11-25T10:00:00Z").build());
    backup.setSpec(new DynamoBackupSpec("orders"));
    if (backupStatus != null) {
      backup.setStatus(new DynamoBackupStatus());
      backup.getStatus().backupStatus = backupStatus;
    }
    return backup;
  }

  static DynamoBackup notReady(DynamoBackup backup, String reason, String since) {
    if (backup.getStatus() == null) {
      backup.setStatus(new DynamoBackupStatus());
    }
    backup.getStatus().conditions.add(condition(Conditions.READY, "False", reason, since));
    return backup;
  }

  static DynamoBackup ready(DynamoBackup backup) {
    backup.getStatus().conditions.add(condition(Conditions.READY, "True", "Available", "2026-11-25T09:00:00Z"));
    return backup;
  }

  static DynamoBackup expired(DynamoBackup backup) {
    backup.getStatus().conditions.add(condition(Conditions.EXPIRED, "True", "Expired", "2026-11-25T07:00:00Z"));
    return backup;
  }

  static DynamoBackup deleting(DynamoBackup backup, String since) {
    backup.getMetadata().setDeletionTimestamp(since);
    if (backup.getStatus() == null) {
      backup.setStatus(new DynamoBackupStatus());
    }
    return backup;
  }

  static io.fabric8.kubernetes.api.model.Condition condition(String type, String status, String reason,
      String since) {
    return new io.fabric8.kubernetes.api.model.ConditionBuilder().withType(type).withStatus(status)
        .withReason(reason).withLastTransitionTime(since).build();
  }

  static DynamoRestore restore(String namespace, String name, String readyReason) {
    var restore = new DynamoRestore();
    restore.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    restore.setStatus(new DynamoRestoreStatus());
    if (readyReason != null) {
      restore.getStatus().conditions.add(condition(Conditions.READY, "Restored".equals(readyReason) ? "True"
          : "False", readyReason, "2026-11-25T09:00:00Z"));
    }
    return restore;
  }

  static DynamoBackupSchedule schedule(String namespace, String name, String uid, String cron, boolean suspend) {
    var schedule = new DynamoBackupSchedule();
    schedule.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withUid(uid)
        .withCreationTimestamp("2026-11-20T00:00:00Z").build());
    var spec = new DynamoBackupScheduleSpec();
    spec.tableName = "orders";
    spec.schedule = cron;
    spec.suspend = suspend ? true : null;
    schedule.setSpec(spec);
    return schedule;
  }

  /** A child as the schedule makes it: label, owner reference, scheduled time; AVAILABLE ones with a description. */
  static DynamoBackup child(DynamoBackupSchedule schedule, String scheduledAt, String backupStatus, String created) {
    var child = backup(schedule.getMetadata().getNamespace(), schedule.getMetadata().getName() + "-"
        + scheduledAt.replaceAll("\\D", ""), backupStatus);
    child.getMetadata().setLabels(Map.of(DynamoBackupSchedule.SCHEDULE_LABEL, schedule.getMetadata().getName()));
    child.getMetadata().setAnnotations(Map.of(DynamoBackupSchedule.SCHEDULED_AT, scheduledAt));
    child.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withKind("DynamoBackupSchedule")
        .withName(schedule.getMetadata().getName()).withUid(schedule.getMetadata().getUid()).build()));
    if (created != null) {
      child.getStatus().backupDescription = new BackupDescription();
      child.getStatus().backupDescription.backupDetails = new BackupDescription.BackupDetails();
      child.getStatus().backupDescription.backupDetails.backupCreationDateTime = created;
    }
    return child;
  }
}
