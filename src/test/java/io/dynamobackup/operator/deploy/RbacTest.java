package io.dynamobackup.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoBackupScheduleSpec;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.config.LeaderElection;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.reconcile.schedule.SchedulePlanner;
import io.dynamobackup.operator.support.MutableClock;
import io.dynamobackup.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RBAC is exactly what the code uses. The operator runs its scenarios (create, fail, delete, schedule, prune,
 * restore) with leader election on against the mock API; every request it made is recorded and turned into (group,
 * resource, verb). The ClusterRole in deploy/base, and the Role of the single-namespace overlay, must grant exactly
 * these; the leader-election Role exactly the Lease ones: no less, no more.
 */
class RbacTest {

  /** Needed by API server rules rather than by a call the operator makes, so no request shows them. */
  static final Map<String, String> REQUIRED_WITHOUT_A_CALL = Map.of(
      "dynamobackup.io/dynamobackupschedules/finalizers update",
      "children set blockOwnerDeletion, which the OwnerReferencesPermissionEnforcement admission plugin checks",
      "dynamobackup.io/dynamobackups/status patch",
      "JOSDK writes the error status of a failed reconcile with a JSON patch",
      "dynamobackup.io/dynamobackupschedules/status patch",
      "JOSDK writes the error status of a failed reconcile with a JSON patch",
      "dynamobackup.io/dynamorestores/status patch",
      "JOSDK writes the error status of a failed reconcile with a JSON patch",
      "dynamobackup.io/dynamorestores get",
      "kept for the conflict path of a status write, which reads the object; the scenarios stopped exercising it when"
          + " StatusRecorder began carrying each write's resourceVersion to the next");

  /** Granted to every authenticated identity by Kubernetes' own system:basic-user ClusterRole. */
  static final Set<String> GRANTED_TO_EVERYONE = Set.of(
      "authorization.k8s.io/selfsubjectrulesreviews create");

  static final String LEASES = "coordination.k8s.io/leases";

  static final Pattern RESOURCE_PATH = Pattern.compile(
      "/(?:api/v1|apis/([^/]+)/[^/]+)(?:/namespaces/[^/]+)?/([a-z]+)(?:/([^/?]+))?(?:/([a-z]+))?(?:\\?(.*))?");

  static final MutableClock CLOCK = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MINUTES).plusSeconds(30));

  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create(OperatorConfig.quickReconcile(), CLOCK)
      .withLeaderElection(LeaderElection.on(OperatorHarness.NAMESPACE, "rbac", Duration.ofSeconds(3),
          Duration.ofSeconds(2), Duration.ofMillis(300)));

  @Test
  void clusterRoleAndRoleGrantExactlyWhatTheOperatorCalls() throws Exception {
    runScenarios();

    Set<String> used = new TreeSet<>(usedPermissions());
    used.removeAll(GRANTED_TO_EVERYONE);
    Set<String> leases = new TreeSet<>(used.stream().filter(p -> p.startsWith(LEASES + " ")).toList());
    used.removeAll(leases);
    Set<String> expected = new TreeSet<>(used);
    expected.addAll(REQUIRED_WITHOUT_A_CALL.keySet());

    // the first acquire creates the Lease, renewals patch it
    assertThat(leases).as("Lease calls of the leader").containsExactlyInAnyOrder(
        LEASES + " get", LEASES + " create", LEASES + " patch");
    leases.add(LEASES + " update"); // JOSDK refuses to start unless get, create and update are granted
    assertThat(granted(read("deploy/base/leader-election-role.yaml", Role.class).getRules()))
        .as("leader-election Role in deploy/base").containsExactlyInAnyOrderElementsOf(leases);

    assertThat(granted(read("deploy/base/clusterrole.yaml", ClusterRole.class).getRules()))
        .as("ClusterRole in deploy/base").containsExactlyInAnyOrderElementsOf(expected);
    // The overlay splits the same permissions: cluster-scoped reads (policies, namespaces) in a ClusterRole, the
    // rest in a Role of the watched namespace.
    List<String> clusterReads = granted(read("deploy/overlays/single-namespace/policy-reader.yaml", ClusterRole.class)
        .getRules());
    assertThat(clusterReads).as("ClusterRole of the single-namespace overlay").containsExactlyInAnyOrder(
        "dynamobackup.io/dynamobackuppolicies list", "dynamobackup.io/dynamobackuppolicies watch",
        "/namespaces list", "/namespaces watch");
    List<String> overlay = new ArrayList<>(granted(read("deploy/overlays/single-namespace/role.yaml", Role.class)
        .getRules()));
    overlay.addAll(clusterReads);
    assertThat(overlay).as("Role and ClusterRole of the single-namespace overlay")
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  /** What a production operator does over its life, in small. */
  static void runScenarios() {
    String table = harness.newTable();
    String name = OperatorHarness.uniqueName("rbac");
    harness.apply(name, new DynamoBackupSpec(table));
    await().atMost(Duration.ofSeconds(30)).until(() -> harness.get(name).getStatus() != null
        && "AVAILABLE".equals(harness.get(name).getStatus().backupStatus));
    String failing = OperatorHarness.uniqueName("rbac-failing");
    harness.apply(failing, new DynamoBackupSpec("no-such-table"));
    await().atMost(Duration.ofSeconds(30)).until(() -> harness.get(failing).getStatus() != null);

    var schedule = new DynamoBackupSchedule();
    schedule.setMetadata(new ObjectMetaBuilder().withName("rbac-schedule").withNamespace("default").build());
    schedule.setSpec(new DynamoBackupScheduleSpec());
    schedule.getSpec().tableName = table;
    schedule.getSpec().schedule = "* * * * *";
    schedule.getSpec().retention = new DynamoBackupScheduleSpec.ScheduleRetention();
    schedule.getSpec().retention.keepLast = 1;
    harness.client.resource(schedule).create();
    // a child made, then pruned when the next one comes: the schedule creates and deletes DynamoBackups
    for (int minute = 0; minute < 3; minute++) {
      CLOCK.advance(Duration.ofMinutes(1));
      String child = SchedulePlanner.childName("rbac-schedule", CLOCK.instant().truncatedTo(ChronoUnit.MINUTES));
      await().atMost(Duration.ofSeconds(30)).until(() -> harness.get(child) != null);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> harness.events("rbac-schedule").stream()
        .anyMatch(e -> "Pruned".equals(e.getReason())));

    // a restore from the backup, deleted with its table; then the backup, which first looks for restores using it
    String restore = OperatorHarness.uniqueName("rbac-restore");
    var restoreSpec = new DynamoRestoreSpec();
    restoreSpec.backupRef = new DynamoRestoreSpec.BackupRef(name);
    restoreSpec.targetTableName = restore + "-table";
    restoreSpec.deletionPolicy = DeletionPolicy.Delete;
    harness.applyRestore(restore, restoreSpec);
    await().atMost(Duration.ofSeconds(30)).until(() -> harness.getRestore(restore).getStatus() != null
        && "ACTIVE".equals(harness.getRestore(restore).getStatus().tableStatus));
    harness.restores().inNamespace(OperatorHarness.NAMESPACE).withName(restore).delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> harness.getRestore(restore) == null);

    harness.deleteAndAwaitGone(name, Duration.ofSeconds(30));
    harness.deleteAndAwaitGone(failing, Duration.ofSeconds(30));
  }

  static List<String> usedPermissions() throws InterruptedException {
    List<String> used = new ArrayList<>();
    int received = harness.cluster.requestCount(); // the operator goes on making requests: read what came so far
    for (int i = 0; i < received; i++) {
      var request = harness.cluster.takeRequest(5000);
      if (request == null) {
        break;
      }
      if (!OperatorHarness.OPERATOR_AGENT.equals(request.getHeader("User-Agent"))) {
        continue;
      }
      Matcher path = RESOURCE_PATH.matcher(request.getPath());
      assertThat(path.matches()).as("a resource path: %s", request.getPath()).isTrue();
      String group = path.group(1) == null ? "" : path.group(1);
      String resource = path.group(2) + (path.group(4) == null ? "" : "/" + path.group(4));
      boolean named = path.group(3) != null;
      boolean watch = path.group(5) != null && path.group(5).contains("watch=true");
      String verb = switch (request.getMethod()) {
        case "GET" -> watch ? "watch" : named ? "get" : "list";
        case "POST" -> "create";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        case "DELETE" -> named ? "delete" : "deletecollection";
        default -> request.getMethod();
      };
      used.add(group + "/" + resource + " " + verb);
    }
    return used;
  }

  static List<String> granted(List<io.fabric8.kubernetes.api.model.rbac.PolicyRule> rules) {
    List<String> granted = new ArrayList<>();
    for (var rule : rules) {
      assertThat(rule.getVerbs()).doesNotContain("*");
      assertThat(rule.getResources()).doesNotContain("*", "secrets");
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            granted.add(group + "/" + resource + " " + verb);
          }
        }
      }
    }
    return granted;
  }

  static <T> T read(String file, Class<T> type) throws IOException {
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      return Serialization.unmarshal(in, type);
    }
  }
}
