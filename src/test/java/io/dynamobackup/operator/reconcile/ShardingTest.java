package io.dynamobackup.operator.reconcile;

import io.dynamobackup.operator.reconcile.schedule.SchedulePlanner;
import io.dynamobackup.operator.reconcile.schedule.ShardLabel;
import static io.dynamobackup.operator.support.OperatorHarness.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoBackupScheduleSpec;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.config.LeaderElection;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.support.MutableClock;
import io.dynamobackup.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Two shards, as deploy/overlays/sharded runs them (WATCH_LABEL_SELECTOR on sharding.dynamobackup.io/key, a Lease
 * each), against one mock API and one emulator. Each shard signs its AWS calls with its own key and talks to
 * Kubernetes with its own User-Agent, so every AWS call and every write can be attributed: each object is handled by
 * its own shard only, across a restart of either, and an object in no shard by neither.
 */
class ShardingTest {

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final MutableClock CLOCK = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MINUTES).plusSeconds(90));
  /** The objects of a shard are named, and their tables too, after the shard. */
  static final Pattern OBJECT_PATH = Pattern.compile(".*/(dynamobackups|dynamobackupschedules|dynamorestores)/"
      + "(shard-[ab]|unsharded)-[^/?]*(/status)?(\\?.*)?");
  /** What informers list and watch: every object of a kind, in all namespaces. */
  static final Pattern INFORMER_PATH = Pattern.compile("/apis?(/[a-z0-9.]+)?/v1(alpha1)?/([a-z]+)\\?(.*)");

  // No operator of its own: the shards below are the operators.
  static final OperatorHarness harness = OperatorHarness.create(OperatorConfig.quickReconcile(), CLOCK);

  record Shard(String name, String accessKeyId) {
    String table() {
      return name + "-orders";
    }

    OperatorConfig config() {
      return harness.config().withLabelSelector(ShardLabel.KEY + "=" + name).withLeaderElection(new LeaderElection(
          true, lease(), NAMESPACE, name + "-0", Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(400)));
    }

    String lease() {
      return LeaderElection.LEASE_NAME + "-" + name;
    }

    String agent() {
      return OperatorHarness.OPERATOR_AGENT + "-" + name + "-0";
    }

    OperatorHarness.Replica start() {
      return harness.startReplica(config(), accessKeyId, () -> { });
    }
  }

  static final Shard A = new Shard("shard-a", "AKIASHARDA0000000001");
  static final Shard B = new Shard("shard-b", "AKIASHARDB0000000002");

  @AfterAll
  static void stopHarness() {
    harness.close();
  }

  @Test
  void eachObjectIsHandledByItsOwnShardOnlyAcrossARestartOfEither() throws InterruptedException {
    harness.emulator.createTable(OperatorHarness.REGION, A.table());
    harness.emulator.createTable(OperatorHarness.REGION, B.table());
    harness.emulator.createTable(OperatorHarness.REGION, "unsharded-orders");
    var shardA = A.start();
    var shardB = B.start();
    await("both shards lead, each on its own Lease").atMost(TIMEOUT)
        .until(() -> holder(A).equals(A.name() + "-0") && holder(B).equals(B.name() + "-0"));

    List<String> backups = new ArrayList<>();
    for (Shard shard : List.of(A, B)) {
      backups.add(backup(shard, shard.name() + "-first"));
      backups.add(backup(shard, shard.name() + "-second"));
      schedule(shard);
    }
    backup(null, "unsharded-orders-backup");
    // the run of the minute the clock moves to (and perhaps the one before, if it was due at creation already)
    CLOCK.advance(Duration.ofMinutes(1));
    Map<Shard, Integer> madeBySchedule = new HashMap<>();
    for (Shard shard : List.of(A, B)) {
      String schedule = shard.name() + "-nightly";
      String latest = SchedulePlanner.childName(schedule, CLOCK.instant().truncatedTo(ChronoUnit.MINUTES));
      await("the schedule's child " + latest).atMost(TIMEOUT).until(() -> harness.get(latest) != null);
      List<DynamoBackup> children = harness.backups().inNamespace(NAMESPACE)
          .withLabel(DynamoBackupSchedule.SCHEDULE_LABEL, schedule).list().getItems();
      assertThat(children).allSatisfy(child -> assertThat(child.getMetadata().getLabels())
          .as("the child's labels").containsEntry(ShardLabel.KEY, shard.name()));
      children.forEach(child -> backups.add(child.getMetadata().getName()));
      madeBySchedule.put(shard, children.size());
    }
    awaitAvailable(backups);
    for (Shard shard : List.of(A, B)) {
      restore(shard);
    }

    shardA.close();
    backups.add(backup(A, "shard-a-while-down"));
    shardA = A.start();
    awaitAvailable(backups);
    shardB.close();
    backups.add(backup(B, "shard-b-while-down"));
    shardB = B.start();
    awaitAvailable(backups);
    await("both restores").atMost(TIMEOUT).until(() -> List.of(A, B).stream().allMatch(shard -> Optional.ofNullable(
        harness.getRestore(shard.name() + "-restore").getStatus()).map(s -> "ACTIVE".equals(s.tableStatus))
        .orElse(false)));

    for (String name : backups) {
      harness.backups().inNamespace(NAMESPACE).withName(name).delete();
    }
    for (String name : backups) {
      await(name + " gone").atMost(TIMEOUT).until(() -> harness.get(name) == null);
    }
    shardA.close();
    shardB.close();

    for (Shard shard : List.of(A, B)) {
      // three objects and the schedule's children: one backup each, made and deleted by the shard itself
      int objects = 3 + madeBySchedule.get(shard);
      assertThat(harness.emulator.calls("CreateBackup", shard.table())).hasSize(objects)
          .allSatisfy(call -> assertThat(call.accessKeyId()).isEqualTo(shard.accessKeyId()));
      assertThat(harness.emulator.calls("DeleteBackup", shard.table())).hasSize(objects);
      assertThat(harness.emulator.calls("RestoreTableFromBackup", shard.table())).hasSize(1);
    }
    assertThat(harness.emulator.callLog()).filteredOn(call -> call.subject() != null)
        .allSatisfy(call -> assertThat(call.accessKeyId()).as("who called %s %s", call.operation(), call.subject())
            .isEqualTo(call.subject().contains(A.name()) ? A.accessKeyId() : B.accessKeyId()))
        .noneMatch(call -> call.subject().contains("unsharded"));
    var unsharded = harness.get("unsharded-orders-backup");
    assertThat(unsharded.getStatus()).as("status of the object in no shard").isNull();
    assertThat(unsharded.getMetadata().getFinalizers()).isEmpty();
    assertThat(requestsOutsideTheirShard()).as("requests of a shard's operator outside its shard").isEmpty();
  }

  static String backup(Shard shard, String name) {
    var backup = new DynamoBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE)
        .withLabels(shard == null ? Map.of() : Map.of(ShardLabel.KEY, shard.name())).build());
    backup.setSpec(new DynamoBackupSpec(shard == null ? "unsharded-orders" : shard.table()));
    harness.backups().inNamespace(NAMESPACE).resource(backup).create();
    return name;
  }

  static void schedule(Shard shard) {
    var schedule = new DynamoBackupSchedule();
    schedule.setMetadata(new ObjectMetaBuilder().withName(shard.name() + "-nightly").withNamespace(NAMESPACE)
        .withLabels(Map.of(ShardLabel.KEY, shard.name())).build());
    schedule.setSpec(new DynamoBackupScheduleSpec());
    schedule.getSpec().tableName = shard.table();
    schedule.getSpec().schedule = "* * * * *";
    harness.client.resource(schedule).create();
  }

  static void restore(Shard shard) {
    var restore = new DynamoRestore();
    restore.setMetadata(new ObjectMetaBuilder().withName(shard.name() + "-restore").withNamespace(NAMESPACE)
        .withLabels(Map.of(ShardLabel.KEY, shard.name())).build());
    restore.setSpec(new DynamoRestoreSpec());
    restore.getSpec().backupRef = new DynamoRestoreSpec.BackupRef(shard.name() + "-first");
    restore.getSpec().targetTableName = shard.name() + "-restored";
    harness.restores().inNamespace(NAMESPACE).resource(restore).create();
  }

  static void awaitAvailable(List<String> names) {
    for (String name : names) {
      await(name + " AVAILABLE").atMost(TIMEOUT).until(() -> Optional.ofNullable(harness.get(name).getStatus())
          .map(s -> "AVAILABLE".equals(s.backupStatus)).orElse(false));
    }
  }

  static String holder(Shard shard) {
    Lease lease = harness.client.leases().inNamespace(NAMESPACE).withName(shard.lease()).get();
    return lease == null || lease.getSpec().getHolderIdentity() == null ? "" : lease.getSpec().getHolderIdentity();
  }

  /**
   * Requests of a shard's operator to the mock API that named an object of another shard (or of none), and informer
   * lists and watches of our kinds without the shard's selector (policies and namespaces: with one).
   */
  static List<String> requestsOutsideTheirShard() throws InterruptedException {
    List<String> foreign = new ArrayList<>();
    int received = harness.cluster.requestCount();
    for (int i = 0; i < received; i++) {
      var request = harness.cluster.takeRequest(5000);
      if (request == null) {
        break;
      }
      String agent = request.getHeader("User-Agent");
      if (!agent.equals(A.agent()) && !agent.equals(B.agent())) {
        continue;
      }
      Matcher informer = INFORMER_PATH.matcher(request.getPath());
      if (informer.matches() && request.getMethod().equals("GET")) {
        String query = URLDecoder.decode(informer.group(4), StandardCharsets.UTF_8);
        boolean ours = List.of("dynamobackups", "dynamobackupschedules", "dynamorestores").contains(informer.group(3));
        String shard = ShardLabel.KEY + "=" + (agent.equals(A.agent()) ? A : B).name();
        // the shard's requirement, alone or beside others (a schedule's children informer adds its own label)
        boolean inShard = java.util.Arrays.stream(query.split("&")).filter(p -> p.startsWith("labelSelector="))
            .anyMatch(p -> List.of(p.substring("labelSelector=".length()).split(",")).contains(shard));
        if (ours != inShard || !ours && query.contains("labelSelector")) {
          foreign.add("informer " + request.getPath() + " by " + agent);
        }
      }
      Matcher path = OBJECT_PATH.matcher(request.getPath());
      if (!path.matches()) {
        continue;
      }
      boolean own = path.group(2).equals(A.name()) ? agent.equals(A.agent())
          : path.group(2).equals(B.name()) && agent.equals(B.agent());
      if (!own) {
        foreign.add(request.getMethod() + " " + request.getPath() + " by " + agent);
      }
    }
    return foreign;
  }
}
