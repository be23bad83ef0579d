package io.dynamobackup.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.reconcile.schedule.ShardLabel;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** deploy/ renders with kustomize into typed objects, and the Deployment and Dockerfile keep their promises. */
class DeployManifestsTest {

  @ParameterizedTest
  @ValueSource(strings = {"deploy/base", "deploy/overlays/single-namespace"})
  void kustomizationRendersIntoTypedObjects(String kustomization) throws Exception {
    List<HasMetadata> objects = render(kustomization);

    assertThat(objects).extracting(HasMetadata::getKind).contains("Namespace", "CustomResourceDefinition",
        "ServiceAccount", "Deployment");
    assertThat(objects).noneMatch(GenericKubernetesResource.class::isInstance);
    assertThat(objects).filteredOn(o -> o.getKind().equals("CustomResourceDefinition"))
        .extracting(o -> o.getMetadata().getName())
        .containsExactlyInAnyOrder("dynamobackups.dynamobackup.io", "dynamobackupschedules.dynamobackup.io",
            "dynamorestores.dynamobackup.io", "dynamobackuppolicies.dynamobackup.io");

    Deployment deployment = (Deployment) objects.stream().filter(Deployment.class::isInstance).findFirst()
        .orElseThrow();
    var pod = deployment.getSpec().getTemplate().getSpec();
    var container = pod.getContainers().get(0);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("AWS_REGION"));
    assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("HEALTH_PORT")).singleElement()
        .satisfies(e -> assertThat(Integer.valueOf(e.getValue()))
            .isEqualTo(container.getPorts().get(0).getContainerPort()));
    assertThat(container.getResources().getLimits()).containsKey("memory");

    // several replicas, one leader; metrics reachable through the Service on the container's HTTP port
    assertThat(deployment.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
    assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("LEADER_ELECTION")).singleElement()
        .satisfies(e -> assertThat(e.getValue()).isEqualTo("true"));
    assertThat(objects).filteredOn(o -> o.getKind().equals("Role"))
        .anySatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo("dynamo-backup-operator"));
    Service metrics = (Service) objects.stream().filter(Service.class::isInstance).findFirst().orElseThrow();
    assertThat(metrics.getSpec().getSelector())
        .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(metrics.getSpec().getPorts().get(0).getTargetPort().getStrVal())
        .isEqualTo(container.getPorts().get(0).getName());
    assertThat(objects).extracting(HasMetadata::getKind).contains("PodDisruptionBudget");
  }

  @Test
  void theMonitoringComponentScrapesTheMetricsServiceAndShipsTheRulesAndTheDashboard() throws Exception {
    List<HasMetadata> objects = render("deploy/overlays/monitoring");

    Service metrics = (Service) objects.stream().filter(Service.class::isInstance).findFirst().orElseThrow();
    var monitor = (GenericKubernetesResource) single(objects, "ServiceMonitor");
    @SuppressWarnings("unchecked")
    var selector = (Map<String, String>) monitor.get("spec", "selector", "matchLabels");
    assertThat(metrics.getMetadata().getLabels()).containsAllEntriesOf(selector);
    assertThat(monitor.getMetadata().getNamespace()).isEqualTo(metrics.getMetadata().getNamespace());
    assertThat((String) monitor.get("spec", "endpoints", 0, "port"))
        .isEqualTo(metrics.getSpec().getPorts().get(0).getName());
    // the fleet metrics' own namespace label must survive the scrape
    assertThat((Boolean) monitor.get("spec", "endpoints", 0, "honorLabels")).isTrue();
    // Prometheus names the job after the Service; the operator-down alert selects that job
    assertThat(MonitoringManifests.rules()).anySatisfy(rule -> assertThat(rule.expr())
        .contains("up{job=\"" + metrics.getMetadata().getName() + "\"}"));

    var rule = (GenericKubernetesResource) single(objects, "PrometheusRule");
    assertThat(rule.getMetadata().getNamespace()).isEqualTo(metrics.getMetadata().getNamespace());
    var dashboard = (ConfigMap) single(objects, "ConfigMap");
    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(dashboard.getData()).containsExactly(Map.entry(MonitoringManifests.DASHBOARD.getFileName().toString(),
        Files.readString(MonitoringManifests.DASHBOARD)));
  }

  static HasMetadata single(List<HasMetadata> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(o.getKind())).reduce((a, b) -> {
      throw new AssertionError("more than one " + kind);
    }).orElseThrow(() -> new AssertionError("no " + kind));
  }

  @Test
  void theShardedOverlayRunsTwoShardsOfTheBaseOnDisjointSelectorsAndTheirOwnLeases() throws Exception {
    List<HasMetadata> base = render("deploy/base");
    List<HasMetadata> sharded = render("deploy/overlays/sharded");
    Deployment baseDeployment = (Deployment) base.stream().filter(Deployment.class::isInstance).findFirst()
        .orElseThrow();

    // everything but the Deployment and its PodDisruptionBudget once, as in the base
    assertThat(sharded).filteredOn(o -> !(o instanceof Deployment) && !o.getKind().equals("PodDisruptionBudget"))
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactlyInAnyOrderElementsOf(base.stream().filter(o -> !(o instanceof Deployment)
            && !o.getKind().equals("PodDisruptionBudget")).map(o -> o.getKind() + "/" + o.getMetadata().getName())
            .toList());
    List<Deployment> shards = sharded.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
        .toList();
    assertThat(shards).extracting(d -> d.getMetadata().getName())
        .containsExactlyInAnyOrder("dynamo-backup-operator-shard-a", "dynamo-backup-operator-shard-b");

    Set<String> selectors = new HashSet<>();
    Set<String> leases = new HashSet<>();
    for (Deployment shard : shards) {
      String name = shard.getMetadata().getName().substring("dynamo-backup-operator-".length());
      Map<String, String> env = new HashMap<>();
      shard.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
          .filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
      var config = OperatorConfig.fromEnvironment(env); // as the operator reads it: a malformed value fails here
      assertThat(config.labelSelector()).isEqualTo(ShardLabel.KEY + "=" + name);
      assertThat(config.leaderElection().leaseName()).isEqualTo("dynamo-backup-operator-" + name);
      selectors.add(config.labelSelector());
      leases.add(config.leaderElection().leaseName());

      // the base's pod, with only the shard's variables and labels added
      var pod = shard.getSpec().getTemplate().getSpec();
      var basePod = baseDeployment.getSpec().getTemplate().getSpec();
      assertThat(pod.getContainers().get(0).getEnv()).hasSize(basePod.getContainers().get(0).getEnv().size() + 2)
          .containsAll(basePod.getContainers().get(0).getEnv());
      assertThat(pod.getContainers().get(0)).usingRecursiveComparison().ignoringFields("env")
          .isEqualTo(basePod.getContainers().get(0));
      assertThat(pod.getServiceAccountName()).isEqualTo(basePod.getServiceAccountName());
      assertThat(shard.getSpec().getSelector().getMatchLabels()).containsEntry("dynamobackup.io/shard", name)
          .containsAllEntriesOf(baseDeployment.getSpec().getSelector().getMatchLabels());
      assertThat(sharded).filteredOn(o -> o.getKind().equals("PodDisruptionBudget"))
          .anySatisfy(pdb -> assertThat(((PodDisruptionBudget) pdb).getSpec().getSelector())
              .isEqualTo(shard.getSpec().getSelector()));
    }
    assertThat(selectors).as("one selector per shard").hasSize(2);
    assertThat(leases).as("one Lease per shard").hasSize(2);
    Service metrics = (Service) sharded.stream().filter(Service.class::isInstance).findFirst().orElseThrow();
    assertThat(shards).as("the metrics Service selects every shard's pods").allSatisfy(shard -> assertThat(
        shard.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(metrics.getSpec().getSelector()));
  }

  @Test
  void dockerfileRunsTheJarOnAJreAsANonRootUser() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("Dockerfile"));

    assertThat(lines).anyMatch(l -> l.matches("FROM eclipse-temurin:17[^ ]*-jre"));
    assertThat(lines).anyMatch(l -> l.startsWith("COPY target/dynamo-backup-operator.jar "));
    assertThat(lines).anyMatch(l -> l.matches("USER [1-9][0-9]*:[1-9][0-9]*"));
    assertThat(lines).filteredOn(l -> l.startsWith("ENTRYPOINT")).singleElement()
        .satisfies(l -> assertThat(l).startsWith("ENTRYPOINT [\"java\"").contains("\"-jar\""));
  }

  static List<HasMetadata> render(String kustomization) throws Exception {
    Process process;
    try {
      process = new ProcessBuilder("kubectl", "kustomize", kustomization).redirectErrorStream(false).start();
    } catch (IOException e) {
      Assumptions.abort("kubectl is not installed (Debian package kubectl); it renders the kustomizations");
      return List.of();
    }
    String yaml = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(new String(process.getErrorStream().readAllBytes())).isZero();
    Object parsed = Serialization.unmarshal(yaml);
    @SuppressWarnings("unchecked")
    List<HasMetadata> objects = parsed instanceof List<?> list ? (List<HasMetadata>) list : List.of((HasMetadata) parsed);
    return objects;
  }
}
