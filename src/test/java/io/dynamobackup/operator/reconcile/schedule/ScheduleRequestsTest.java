package io.dynamobackup.operator.reconcile.schedule;

import io.dynamobackup.operator.reconcile.ReconcileSettings;
import static io.dynamobackup.operator.support.OperatorHarness.NAMESPACE;
import static io.dynamobackup.operator.support.OperatorHarness.REGION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoBackupScheduleSpec;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Schedules that act on events rather than on their clock: run-now requests, pruning as soon as a newer child is
 * AVAILABLE. The schedule's own look comes only once an hour here (scheduleRecheck), and its cron once a year, so
 * whatever happens within a test happened because of an event.
 */
class ScheduleRequestsTest {

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final ReconcileSettings SETTINGS;

  static {
    var quick = OperatorConfig.quickReconcile();
    SETTINGS = new ReconcileSettings(quick.resyncPeriod(), quick.creatingPollMin(), quick.creatingPollMax(),
        quick.retryBackoff(), quick.terminalRetry(), quick.inFlightBound(), Duration.ofHours(1));
  }

  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create(SETTINGS);

  /** Issue 18, part 3: each new run-now value makes exactly one child, also across a restart and while suspended. */
  @Test
  void runNowMakesExactlyOneChildPerRequestAcrossARestart() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("on-demand");
    schedule(name, table, 10);

    runNow(name, "1");
    await("first request").atMost(TIMEOUT).until(() -> children(name).size() == 1 && acknowledged(name, "1"));
    runNow(name, "1"); // the same value again: nothing
    runNow(name, "2");
    await("second request").atMost(TIMEOUT).until(() -> children(name).size() == 2 && acknowledged(name, "2"));

    // the operator made the child for "3" but its acknowledgement was lost (a crash between the two)
    harness.client.resources(DynamoBackupSchedule.class).inNamespace(NAMESPACE).withName(name).edit(s -> {
      s.getSpec().suspend = true; // suspend stops the clock, not a person asking for a backup
      return s;
    });
    runNow(name, "3");
    await("third request").atMost(TIMEOUT).until(() -> children(name).size() == 3 && acknowledged(name, "3"));
    harness.stopOperator();
    var schedule = harness.client.resources(DynamoBackupSchedule.class).inNamespace(NAMESPACE).withName(name).get();
    schedule.getStatus().lastRunNow = "2";
    harness.client.resources(DynamoBackupSchedule.class).inNamespace(NAMESPACE).resource(schedule).updateStatus();
    harness.startOperator();
    await("acknowledged again after the restart").atMost(TIMEOUT).until(() -> acknowledged(name, "3"));

    await("all AVAILABLE").atMost(TIMEOUT).until(() -> children(name).stream().allMatch(c -> c.getStatus() != null
        && "AVAILABLE".equals(c.getStatus().backupStatus)));
    assertThat(children(name)).hasSize(3);
    assertThat(harness.emulator.calls("CreateBackup", table)).hasSize(3);
    assertThat(children(name)).allSatisfy(c -> assertThat(c.getMetadata().getAnnotations())
        .containsKey(RunNow.ANNOTATION));
  }

  /** Issue 15, item 8: keepLast 1 prunes the older child as soon as the newer one is AVAILABLE, not a run later. */
  @Test
  void keepLastPrunesAsSoonAsTheNewerChildIsAvailable() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("keep-one");
    schedule(name, table, 1);
    runNow(name, "first");
    await("first AVAILABLE").atMost(TIMEOUT).until(() -> children(name).size() == 1 && children(name).get(0)
        .getStatus() != null && "AVAILABLE".equals(children(name).get(0).getStatus().backupStatus));
    String first = children(name).get(0).getMetadata().getName();

    harness.emulator.creatingDuration(Duration.ofSeconds(2));
    try {
      runNow(name, "second");
      await("the newer child exists, CREATING").atMost(TIMEOUT).until(() -> children(name).size() == 2);
      assertThat(harness.get(first)).as("not pruned while the newer one is being made").isNotNull();
      await("pruned once the newer one is AVAILABLE").atMost(Duration.ofSeconds(15))
          .until(() -> harness.get(first) == null);
    } finally {
      harness.emulator.creatingDuration(Duration.ZERO);
    }
    assertThat(children(name)).singleElement().satisfies(c -> assertThat(c.getStatus().backupStatus)
        .isEqualTo("AVAILABLE"));
  }

  /** Issue 15, item 10: children of a schedule whose name is longer than a label value may be get a valid label. */
  @Test
  void aScheduleWithANameOver63CharactersLabelsItsChildrenWithinTheLimit() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("a-schedule-whose-name-is-much-longer-than-any-label-value-may-be");
    schedule(name, table, 3);
    runNow(name, "1");
    await("child made").atMost(TIMEOUT).until(() -> !children(name).isEmpty());
    String label = children(name).get(0).getMetadata().getLabels().get(DynamoBackupSchedule.SCHEDULE_LABEL);
    assertThat(name).hasSizeGreaterThan(63);
    assertThat(label).hasSizeLessThanOrEqualTo(63).matches("([a-z0-9]([-a-z0-9]*[a-z0-9])?)?")
        .isEqualTo(SchedulePlanner.labelValue(name));
  }

  /**
   * Issue 15, item 10: a schedule whose reconcile fails (the API server refuses, a status write conflicts) is retried
   * without a limit and looked at again by its recheck at the latest; JOSDK's default gave up after five attempts.
   */
  @Test
  void aFailingScheduleIsRetriedWithoutLimitAndComesBackByItsRecheck() {
    var configuration = harness.operator().getRegisteredController(DynamoBackupScheduleReconciler.NAME)
        .orElseThrow().getConfiguration();
    assertThat(configuration.getRetry()).isInstanceOfSatisfying(GenericRetry.class, retry -> {
      assertThat(retry.getMaxAttempts()).as("unlimited").isLessThan(0);
      assertThat(retry.getMaxInterval()).isLessThanOrEqualTo(SETTINGS.scheduleRecheck().toMillis());
    });
    assertThat(configuration.maxReconciliationInterval()).hasValue(SETTINGS.scheduleRecheck());
  }

  static void schedule(String name, String table, int keepLast) {
    var schedule = new DynamoBackupSchedule();
    schedule.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    var spec = new DynamoBackupScheduleSpec();
    spec.tableName = table;
    spec.schedule = "0 0 1 1 *";
    spec.retention = new DynamoBackupScheduleSpec.ScheduleRetention();
    spec.retention.keepLast = keepLast;
    schedule.setSpec(spec);
    harness.client.resource(schedule).create();
    await().atMost(TIMEOUT).until(() -> !ScheduleTest.reason(harness, NAMESPACE, name).isEmpty());
  }

  /** As kubectl annotate --overwrite does it: a merge patch of the annotation, without a resourceVersion. */
  static void runNow(String name, String value) {
    harness.client.resources(DynamoBackupSchedule.class).inNamespace(NAMESPACE).withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\"" + RunNow.ANNOTATION
            + "\":\"" + value + "\"}}}");
  }

  static boolean acknowledged(String name, String value) {
    var schedule = harness.client.resources(DynamoBackupSchedule.class).inNamespace(NAMESPACE).withName(name).get();
    return schedule.getStatus() != null && value.equals(schedule.getStatus().lastRunNow);
  }

  static List<DynamoBackup> children(String name) {
    return harness.backups().inNamespace(NAMESPACE).list().getItems().stream()
        .filter(b -> b.getMetadata().getOwnerReferences().stream().anyMatch(o -> name.equals(o.getName())))
        .filter(b -> !b.isMarkedForDeletion())
        .toList();
  }
}
