package io.dynamobackup.operator.observability;

import static io.dynamobackup.operator.support.Backups.awaitAvailable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.config.LeaderElection;
import io.dynamobackup.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas against one API server: only the Lease holder reconciles, the other takes over when it stops, and a
 * leader that loses its Lease is told so (the process then exits, see Main).
 */
class LeaderElectionTest {

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  // Kubernetes' 15 s / 10 s / 2 s, scaled down so a takeover takes seconds
  static final Duration LEASE = Duration.ofSeconds(3);
  static final Duration RENEW_DEADLINE = Duration.ofSeconds(2);
  static final Duration RETRY = Duration.ofMillis(400);

  // No operator of its own: the replicas below are the operators.
  static final OperatorHarness harness = OperatorHarness.create();

  @AfterAll
  static void stopHarness() {
    harness.close();
  }

  /** Each test starts with no Lease: a stopped replica does not release it, an intruder holds it for a minute. */
  @AfterEach
  void deleteLease() {
    harness.client.leases().inNamespace(OperatorHarness.NAMESPACE).withName(LeaderElection.LEASE_NAME).delete();
  }

  static LeaderElection election(String identity) {
    return LeaderElection.on(OperatorHarness.NAMESPACE, identity, LEASE, RENEW_DEADLINE, RETRY);
  }

  @Test
  void onlyTheLeaderReconcilesAndTheStandbyTakesOverWhenItStops() {
    var first = harness.startReplica(election("replica-a"), () -> { });
    await().atMost(TIMEOUT).until(() -> "replica-a".equals(holder()));
    try (var second = harness.startReplica(election("replica-b"), () -> { })) {
      String table = harness.newTable();
      String led = OperatorHarness.uniqueName("led-by-a");
      harness.apply(led, new DynamoBackupSpec(table));
      awaitAvailable(harness, led);
      assertThat(awsCalls(first)).isPositive();
      assertThat(reconciliations(first)).isPositive();
      assertThat(awsCalls(second)).as("AWS calls of the standby").isZero();
      assertThat(reconciliations(second)).as("reconciles of the standby").isZero();
      assertThat(holder()).isEqualTo("replica-a");
      // the leader says so and counts the fleet; the standby counts nothing, so that sums count each object once
      assertThat(first.metrics().scrape()).contains("dynamobackup_leader 1.0")
          .containsPattern("dynamobackup_backups\\{namespace=\"default\",status=\"AVAILABLE\"} [1-9]");
      assertThat(second.metrics().scrape()).contains("dynamobackup_leader 0.0").doesNotContain("dynamobackup_backups");

      first.close(); // the Lease is not released: the standby waits until it expires
      await().atMost(TIMEOUT).until(() -> "replica-b".equals(holder()));

      String takenOver = OperatorHarness.uniqueName("led-by-b");
      harness.apply(takenOver, new DynamoBackupSpec(table));
      awaitAvailable(harness, takenOver);
      harness.deleteAndAwaitGone(led, TIMEOUT);
      assertThat(awsCalls(second)).isPositive();
      assertThat(second.metrics().scrape()).contains("dynamobackup_leader 1.0", "dynamobackup_backups{");
      assertThat(harness.emulator.calls("CreateBackup")).as("one backup per object, whoever leads").isEqualTo(2);
    }
  }

  @Test
  void aLeaderWhoseLeaseIsTakenIsToldSoItCanExit() {
    AtomicInteger lost = new AtomicInteger();
    try (var replica = harness.startReplica(election("replica-c"), lost::incrementAndGet)) {
      await().atMost(TIMEOUT).until(() -> "replica-c".equals(holder()));
      // another instance (a stale pod, a split brain) writes itself into the Lease
      harness.client.leases().inNamespace(OperatorHarness.NAMESPACE).withName(LeaderElection.LEASE_NAME)
          .edit(lease -> {
            lease.getSpec().setHolderIdentity("intruder");
            lease.getSpec().setLeaseDurationSeconds(60);
            lease.getSpec().setRenewTime(ZonedDateTime.now());
            return lease;
          });
      await().atMost(TIMEOUT).until(() -> lost.get() > 0);
      assertThat(holder()).isEqualTo("intruder");
    }
  }

  static String holder() {
    Lease lease = harness.client.leases().inNamespace(OperatorHarness.NAMESPACE)
        .withName(LeaderElection.LEASE_NAME).get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  static long awsCalls(OperatorHarness.Replica replica) {
    return replica.metrics().registry().find(OperatorMetrics.AWS_CALLS).timers().stream()
        .mapToLong(Timer::count).sum();
  }

  static double reconciliations(OperatorHarness.Replica replica) {
    return replica.metrics().registry().find("operator.sdk.reconciliations.started").counters().stream()
        .mapToDouble(Counter::count).sum();
  }
}
