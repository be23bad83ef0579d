package io.dynamobackup.operator.reconcile.schedule;

import io.dynamobackup.operator.reconcile.Conditions;
import static io.dynamobackup.operator.support.OperatorHarness.NAMESPACE;
import static io.dynamobackup.operator.support.OperatorHarness.REGION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoBackupScheduleSpec;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.support.MutableClock;
import io.dynamobackup.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Schedules on simulated time (the test moves the operator's clock a minute at a time), and deletion orders that
 * must never strand a finalizer: the schedule with its children, a whole namespace, children during the schedule's
 * deletion.
 */
class ScheduleTest {

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final MutableClock CLOCK = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MINUTES).plusSeconds(90));
  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create(OperatorConfig.quickReconcile(), CLOCK);

  @Test
  void everyMinuteWithKeepLastSevenKeepsExactlySevenChildrenAndBackups() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("every-minute");
    schedule(NAMESPACE, name, table, 7, null);
    // the operator's clock may already be past the creation time: then the latest run is due at once (one, no burst)
    int initialRuns = children(NAMESPACE, name).size();
    assertThat(initialRuns).isLessThanOrEqualTo(1);

    for (int minute = 1; minute <= 12; minute++) {
      CLOCK.advance(Duration.ofMinutes(1));
      Instant run = CLOCK.instant().truncatedTo(ChronoUnit.MINUTES);
      String child = SchedulePlanner.childName(name, run);
      await("child for " + run).atMost(TIMEOUT).until(() -> harness.get(child) != null);
    }

    await().atMost(TIMEOUT).untilAsserted(() -> {
      List<DynamoBackup> children = children(NAMESPACE, name);
      assertThat(children).hasSize(7)
          .allSatisfy(c -> assertThat(c.getStatus().backupStatus).isEqualTo("AVAILABLE"));
      assertThat(harness.emulator.backupArns(REGION)).filteredOn(a -> a.contains("/" + table + "/")).hasSize(7);
    });
    assertThat(harness.emulator.calls("CreateBackup", table)).hasSize(12 + initialRuns);
    var status = harness.client.resources(DynamoBackupSchedule.class).inNamespace(NAMESPACE).withName(name).get()
        .getStatus();
    assertThat(status.children.available).isEqualTo(7);
    assertThat(Instant.parse(status.nextScheduleTime)).isAfter(Instant.parse(status.lastScheduleTime));
  }

  @Test
  void suspendedScheduleCreatesNothing() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("suspended");
    schedule(NAMESPACE, name, table, 3, null);
    int before = children(NAMESPACE, name).size();
    harness.client.resources(DynamoBackupSchedule.class).inNamespace(NAMESPACE).withName(name).edit(s -> {
      s.getSpec().suspend = true;
      return s;
    });
    await().atMost(TIMEOUT).until(() -> reason(NAMESPACE, name).equals("Suspended"));

    CLOCK.advance(Duration.ofMinutes(3));

    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
        .until(() -> children(NAMESPACE, name).size() == before);
  }

  @Test
  void afterDowntimeOnlyOneMissedRunIsMade() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("downtime");
    schedule(NAMESPACE, name, table, 10, null);
    makeRuns(NAMESPACE, name, 1);
    int before = children(NAMESPACE, name).size();

    harness.stopOperator();
    CLOCK.advance(Duration.ofMinutes(30));
    harness.startOperator();

    String latest = SchedulePlanner.childName(name, CLOCK.instant().truncatedTo(ChronoUnit.MINUTES));
    await().atMost(TIMEOUT).until(() -> harness.get(latest) != null);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
        .until(() -> children(NAMESPACE, name).size() == before + 1);
  }

  @Test
  void pruningSkipsProtectedChildrenAndReportsThem() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("protected");
    var template = new DynamoBackupScheduleSpec.BackupTemplate();
    template.deletionProtection = true;
    schedule(NAMESPACE, name, table, 1, template);
    makeRuns(NAMESPACE, name, 3);

    await().atMost(TIMEOUT).untilAsserted(() -> {
      var status = harness.client.resources(DynamoBackupSchedule.class).inNamespace(NAMESPACE).withName(name).get()
          .getStatus();
      assertThat(status.protectedFromPruning).hasSizeGreaterThanOrEqualTo(2);
      assertThat(Conditions.find(status.conditions, Conditions.READY).orElseThrow().getMessage())
          .contains("kept by deletionProtection");
    });
    assertThat(children(NAMESPACE, name)).hasSizeGreaterThanOrEqualTo(3)
        .allSatisfy(c -> assertThat(c.getMetadata().getDeletionTimestamp()).isNull());
  }

  @Test
  void deletingAScheduleDeletesItsChildrenAndTheirBackups() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("cascade");
    schedule(NAMESPACE, name, table, 5, null);
    makeRuns(NAMESPACE, name, 2);

    harness.client.resources(DynamoBackupSchedule.class).inNamespace(NAMESPACE).withName(name).delete();

    await().atMost(TIMEOUT).until(() -> children(NAMESPACE, name).isEmpty());
    assertThat(harness.emulator.backupArns(REGION)).noneMatch(a -> a.contains("/" + table + "/"));
  }

  @Test
  void deletingChildrenWhileTheScheduleIsBeingDeletedReleasesEveryFinalizer() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("both");
    var template = new DynamoBackupScheduleSpec.BackupTemplate();
    template.deletionPolicy = DeletionPolicy.Retain;
    schedule(NAMESPACE, name, table, 5, template);
    makeRuns(NAMESPACE, name, 2);
    List<String> arns = children(NAMESPACE, name).stream().map(c -> c.getStatus().backupArn).toList();

    harness.client.resources(DynamoBackupSchedule.class).inNamespace(NAMESPACE).withName(name).delete();
    harness.backups().inNamespace(NAMESPACE).withLabel(DynamoBackupSchedule.SCHEDULE_LABEL, name).delete();

    await().atMost(TIMEOUT).until(() -> children(NAMESPACE, name).isEmpty());
    assertThat(harness.emulator.backupArns(REGION)).containsAll(arns); // retained per the template's policy
  }

  @Test
  void deletingANamespaceDeletesItsSchedulesBackupsAndTheirAwsBackups() {
    String namespace = OperatorHarness.uniqueName("team");
    harness.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
        .build()).create();
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("ns-schedule");
    schedule(namespace, name, table, 5, null);
    makeRuns(namespace, name, 2);

    harness.client.namespaces().withName(namespace).delete();

    await().atMost(TIMEOUT).until(() -> harness.backups().inNamespace(namespace).list().getItems().isEmpty()
        && harness.client.resources(DynamoBackupSchedule.class).inNamespace(namespace).list().getItems().isEmpty());
    assertThat(harness.emulator.backupArns(REGION)).noneMatch(a -> a.contains("/" + table + "/"));
  }

  /**
   * Issue 15, item 7: the table is dropped, and run after run fails. keepLast counts AVAILABLE backups, so the last
   * good ones stay; the failed children, which hold nothing, are pruned as newer runs come.
   */
  @Test
  void aScheduleWhoseTableIsDroppedKeepsItsLastGoodBackups() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("dropped");
    schedule(NAMESPACE, name, table, 2, null);
    makeRuns(NAMESPACE, name, 3);
    await().atMost(TIMEOUT).until(() -> children(NAMESPACE, name).stream().filter(c -> c.getStatus() != null
        && "AVAILABLE".equals(c.getStatus().backupStatus)).count() == 2 && children(NAMESPACE, name).size() == 2);
    List<String> good = children(NAMESPACE, name).stream().map(c -> c.getStatus().backupArn).toList();

    harness.emulator.failFor("CreateBackup", table, "TableNotFoundException");
    for (int run = 0; run < 4; run++) {
      CLOCK.advance(Duration.ofMinutes(1));
      String child = SchedulePlanner.childName(name, CLOCK.instant().truncatedTo(ChronoUnit.MINUTES));
      await("failed run " + run).atMost(TIMEOUT).until(() -> {
        var backup = harness.get(child);
        return backup != null && backup.getStatus() != null && Conditions.find(backup.getStatus().conditions,
            Conditions.READY).map(c -> "TableNotFound".equals(c.getReason())).orElse(false);
      });
    }

    await("one failed child left beside the good ones").atMost(TIMEOUT).untilAsserted(() -> {
      var children = children(NAMESPACE, name);
      assertThat(children.stream().filter(c -> c.getStatus() != null && c.getStatus().backupArn != null)
          .map(c -> c.getStatus().backupArn)).containsExactlyInAnyOrderElementsOf(good);
      assertThat(children).hasSize(3);
    });
    assertThat(harness.emulator.backupArns(REGION)).containsAll(good);
  }

  static DynamoBackupSchedule schedule(String namespace, String name, String table, int keepLast,
      DynamoBackupScheduleSpec.BackupTemplate template) {
    var schedule = new DynamoBackupSchedule();
    schedule.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    var spec = new DynamoBackupScheduleSpec();
    spec.tableName = table;
    spec.schedule = "* * * * *";
    spec.retention = new DynamoBackupScheduleSpec.ScheduleRetention();
    spec.retention.keepLast = keepLast;
    spec.template = template;
    schedule.setSpec(spec);
    var created = harness.client.resource(schedule).create();
    await().atMost(TIMEOUT).until(() -> !reason(namespace, name).isEmpty());
    return created;
  }

  /** Moves the clock a minute at a time until {@code runs} children of the schedule are AVAILABLE. */
  static void makeRuns(String namespace, String name, int runs) {
    for (int run = 0; run < runs; run++) {
      CLOCK.advance(Duration.ofMinutes(1));
      String child = SchedulePlanner.childName(name, CLOCK.instant().truncatedTo(ChronoUnit.MINUTES));
      await().atMost(TIMEOUT).until(() -> {
        var backup = harness.backups().inNamespace(namespace).withName(child).get();
        return backup != null && backup.getStatus() != null && "AVAILABLE".equals(backup.getStatus().backupStatus);
      });
    }
  }

  static List<DynamoBackup> children(String namespace, String schedule) {
    return harness.backups().inNamespace(namespace).withLabel(DynamoBackupSchedule.SCHEDULE_LABEL,
        SchedulePlanner.labelValue(schedule)).list().getItems();
  }

  static String reason(String namespace, String name) {
    return reason(harness, namespace, name);
  }

  static String reason(OperatorHarness harness, String namespace, String name) {
    var schedule = harness.client.resources(DynamoBackupSchedule.class).inNamespace(namespace).withName(name).get();
    return schedule == null || schedule.getStatus() == null ? ""
        : Conditions.find(schedule.getStatus().conditions, Conditions.READY).map(c -> c.getReason()).orElse("");
  }
}
