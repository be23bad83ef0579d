package io.dynamobackup.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamobackup.operator.support.UnitTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

@UnitTest
class OperatorConfigTest {

  @Test
  void defaultsWatchAllNamespacesAndResyncEveryTenMinutes() {
    var config = OperatorConfig.fromEnvironment(Map.of());

    assertThat(config.watchNamespaces()).isEmpty();
    assertThat(config.reconcile().resyncPeriod()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.reconcileThreads()).isEqualTo(50);
  }

  @Test
  void environmentNarrowsNamespacesAndSetsTheResyncPeriod() {
    var config = OperatorConfig.fromEnvironment(Map.of(
        "WATCH_NAMESPACES", "team-a, team-b,,", "RESYNC_PERIOD", "90s", "RECONCILE_THREADS", "4"));

    assertThat(config.watchNamespaces()).containsExactlyInAnyOrder("team-a", "team-b");
    assertThat(config.reconcile().resyncPeriod()).isEqualTo(Duration.ofSeconds(90));
    assertThat(config.reconcileThreads()).isEqualTo(4);
  }

  @Test
  void theInFlightBoundForLostCreateAnswersIsTwiceTheAwsCallTimeout() {
    var defaults = OperatorConfig.fromEnvironment(Map.of());
    var quick = OperatorConfig.fromEnvironment(Map.of("AWS_CALL_TIMEOUT", "2s"));

    assertThat(defaults.awsCallTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(defaults.reconcile().inFlightBound()).isEqualTo(Duration.ofSeconds(60));
    assertThat(quick.reconcile().inFlightBound()).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void durationsAcceptShortFormsAndIso8601() {
    assertThat(OperatorConfig.duration("X", "15m", null)).isEqualTo(Duration.ofMinutes(15));
    assertThat(OperatorConfig.duration("X", "2h", null)).isEqualTo(Duration.ofHours(2));
    assertThat(OperatorConfig.duration("X", "1d", null)).isEqualTo(Duration.ofDays(1));
    assertThat(OperatorConfig.duration("X", "PT30S", null)).isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> OperatorConfig.duration("RESYNC_PERIOD", "soon", null))
        .hasMessageContaining("RESYNC_PERIOD='soon' is not a duration");
  }

  @Test
  void rateLimitsDefaultToTheDocumentedQuotasAndCanBeRaisedOrTurnedOff() {
    assertThat(OperatorConfig.fromEnvironment(Map.of()).rateLimits()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "CreateBackup", 50.0, "DescribeBackup", 10.0, "DeleteBackup", 10.0, "ListBackups", 5.0));
    assertThat(OperatorConfig.rateLimits("DeleteBackup=20, ListBackups=2.5"))
        .containsEntry("DeleteBackup", 20.0).containsEntry("ListBackups", 2.5).containsEntry("CreateBackup", 50.0);
    assertThat(OperatorConfig.rateLimits("off")).isEmpty();
    assertThatThrownBy(() -> OperatorConfig.rateLimits("DeleteBackups=20"))
        .hasMessageContaining("'DeleteBackups=20' is not OPERATION=PER_SECOND");
    assertThatThrownBy(() -> OperatorConfig.rateLimits("DeleteBackup=-1"))
        .hasMessageContaining("DeleteBackup='-1' is not a positive number");
  }

  @Test
  void leaderElectionIsOnByDefaultAndHealthEndpointsBindAsAsked() {
    var defaults = OperatorConfig.fromEnvironment(Map.of());
    assertThat(defaults.leaderElection().enabled()).isTrue();
    assertThat(defaults.leaderElection().leaseNamespace()).isNull();
    assertThat(defaults.managementAddress().getPort()).isEqualTo(8080);

    var set = OperatorConfig.fromEnvironment(Map.of("LEADER_ELECTION", "false", "LEADER_ELECTION_NAMESPACE", "ops",
        "HEALTH_PORT", "9090", "HEALTH_BIND_ADDRESS", "127.0.0.1"));
    assertThat(set.leaderElection().enabled()).isFalse();
    assertThat(set.leaderElection().leaseNamespace()).isEqualTo("ops");
    assertThat(set.managementAddress().getAddress().isLoopbackAddress()).isTrue();
    assertThat(OperatorConfig.fromEnvironment(Map.of("HEALTH_PORT", "0")).managementAddress()).isNull();
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("LEADER_ELECTION", "yes")))
        .hasMessageContaining("LEADER_ELECTION='yes' must be true or false");
  }

  @Test
  void aLabelSelectorNarrowsTheWatchToOneShardAndAMalformedOneIsRefusedByName() {
    assertThat(OperatorConfig.fromEnvironment(Map.of()).labelSelector()).as("default: every object").isNull();
    assertThat(OperatorConfig.fromEnvironment(Map.of("WATCH_LABEL_SELECTOR", " ")).labelSelector()).isNull();
    assertThat(OperatorConfig.fromEnvironment(Map.of("WATCH_LABEL_SELECTOR",
        " sharding.dynamobackup.io/key in (shard-a) ")).labelSelector())
        .isEqualTo("sharding.dynamobackup.io/key in (shard-a)");

    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("WATCH_LABEL_SELECTOR",
        "sharding.dynamobackup.io/key=shard a")))
        .hasMessage("WATCH_LABEL_SELECTOR='sharding.dynamobackup.io/key=shard a' is not a label selector:"
            + " 'sharding.dynamobackup.io/key=shard a' is not a label requirement (key, !key, key=value,"
            + " key!=value, key in (v1,v2) or key notin (v1,v2); keys and values of letters, digits, '-', '_' and"
            + " '.', at most 63 characters, a key with an optional DNS prefix and '/')");
  }

  @Test
  void eachShardNamesItsOwnLease() {
    assertThat(OperatorConfig.fromEnvironment(Map.of()).leaderElection().leaseName())
        .isEqualTo("dynamo-backup-operator");
    assertThat(OperatorConfig.fromEnvironment(Map.of("LEADER_ELECTION_LEASE_NAME", "dynamo-backup-operator-shard-a"))
        .leaderElection().leaseName()).isEqualTo("dynamo-backup-operator-shard-a");
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("LEADER_ELECTION_LEASE_NAME", "Shard_A")))
        .hasMessageContaining("LEADER_ELECTION_LEASE_NAME='Shard_A' is not a Lease name");
  }
}
