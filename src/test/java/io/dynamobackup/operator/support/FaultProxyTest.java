package io.dynamobackup.operator.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.dynamobackup.operator.sandbox.SandboxCluster;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class FaultProxyTest {

  SandboxCluster cluster;
  FaultProxy proxy;
  KubernetesClient direct;
  KubernetesClient proxied;

  @BeforeEach
  void start() {
    cluster = SandboxCluster.start(0);
    proxy = FaultProxy.start(cluster.port(), 1);
    direct = cluster.newClient();
    var config = cluster.config();
    config.setMasterUrl(proxy.url());
    config.setRequestRetryBackoffLimit(0);
    proxied = new KubernetesClientBuilder().withConfig(config).build();
  }

  @AfterEach
  void stop() {
    proxied.close();
    direct.close();
    proxy.close();
    cluster.close();
  }

  @Test
  void requestsAndWatchesPassThrough() {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    try (var informer = proxied.resources(DynamoBackup.class).inNamespace("default").inform()) {
      informer.addEventHandler(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
        @Override
        public void onAdd(DynamoBackup obj) {
          seen.add(obj.getMetadata().getName());
        }

        @Override
        public void onUpdate(DynamoBackup oldObj, DynamoBackup newObj) {}

        @Override
        public void onDelete(DynamoBackup obj, boolean deletedFinalStateUnknown) {}
      });
      create(direct, "one");
      create(proxied, "two");

      await().atMost(Duration.ofSeconds(10)).until(() -> seen.containsAll(Set.of("one", "two")));
      assertThat(proxied.resources(DynamoBackup.class).inNamespace("default").list().getItems()).hasSize(2);
    }
  }

  @Test
  void watchesResumeAfterAnOutage() {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    try (var informer = proxied.resources(DynamoBackup.class).inNamespace("default").inform()) {
      informer.addEventHandler(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
        @Override
        public void onAdd(DynamoBackup obj) {
          seen.add(obj.getMetadata().getName());
        }

        @Override
        public void onUpdate(DynamoBackup oldObj, DynamoBackup newObj) {
          seen.add(newObj.getMetadata().getName() + "@" + newObj.getMetadata().getResourceVersion());
        }

        @Override
        public void onDelete(DynamoBackup obj, boolean deletedFinalStateUnknown) {}
      });
      create(direct, "before");
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("before"));
      proxy.down();
      await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
      proxy.up();
      create(direct, "after");

      await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("after"));
    }
  }

  @Test
  void downRefusesUntilUpAgain() {
    proxy.down();
    assertThatThrownBy(() -> proxied.resources(DynamoBackup.class).inNamespace("default").list())
        .isInstanceOf(KubernetesClientException.class);
    proxy.up();
    assertThat(proxied.resources(DynamoBackup.class).inNamespace("default").list().getItems()).isEmpty();
  }

  @Test
  void statusUpdatesAnswerConflictAtTheGivenFraction() {
    var object = create(direct, "three");
    proxy.statusConflicts(1.0);
    object.setStatus(new DynamoBackupStatus());
    object.getStatus().backupStatus = "AVAILABLE";

    assertThatThrownBy(() -> proxied.resources(DynamoBackup.class).inNamespace("default").resource(object)
        .updateStatus()).isInstanceOfSatisfying(KubernetesClientException.class,
            e -> assertThat(e.getCode()).isEqualTo(409));
    proxy.statusConflicts(0);
    proxied.resources(DynamoBackup.class).inNamespace("default").resource(object).updateStatus();
    assertThat(direct.resources(DynamoBackup.class).inNamespace("default").withName("three").get().getStatus()
        .backupStatus).isEqualTo("AVAILABLE");
    assertThat(proxy.conflictsAnswered()).isEqualTo(1);
  }

  @Test
  void staleStatusUpdatesAreRefusedAsAnApiServerWould() {
    var stale = create(direct, "four");
    var fresh = direct.resources(DynamoBackup.class).inNamespace("default").withName("four").get();
    fresh.setStatus(new DynamoBackupStatus());
    fresh.getStatus().backupStatus = "AVAILABLE";
    proxied.resources(DynamoBackup.class).inNamespace("default").resource(fresh).updateStatus();
    stale.setStatus(new DynamoBackupStatus());
    stale.getStatus().backupStatus = "CREATING";

    assertThatThrownBy(() -> proxied.resources(DynamoBackup.class).inNamespace("default").resource(stale)
        .updateStatus()).isInstanceOfSatisfying(KubernetesClientException.class,
            e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(direct.resources(DynamoBackup.class).inNamespace("default").withName("four").get().getStatus()
        .backupStatus).isEqualTo("AVAILABLE");
    assertThat(proxy.staleWritesRefused()).isEqualTo(1);
  }

  private static DynamoBackup create(KubernetesClient client, String name) {
    var backup = new DynamoBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("default").build());
    backup.setSpec(new DynamoBackupSpec("orders"));
    return client.resources(DynamoBackup.class).inNamespace("default").resource(backup).create();
  }
}
