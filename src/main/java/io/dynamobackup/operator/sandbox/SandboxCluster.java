package io.dynamobackup.operator.sandbox;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;

/**
 * A Kubernetes API on loopback: Fabric8's mock server in CRUD mode, with this operator's CRDs and a
 * {@code default} namespace applied, and a garbage collector for owner references and deleted namespaces. It stands
 * in for a cluster in the sandbox and in tests.
 *
 * <p>It stores what it is given, as an API server would with CRDs that carry no schema or rules: tests that show the
 * operator survives such objects write through {@link #newClient()}. For an API that validates as a real one does
 * (schema, pruning, defaults, CEL rules), put {@code sandbox.api.SandboxApi} in front of it, as {@link Sandbox} does.
 */
public final class SandboxCluster implements AutoCloseable {

  /** CRD manifests generated at build time from the api classes (see crds/). */
  public static final List<String> CRD_RESOURCES = List.of("META-INF/fabric8/dynamobackups.dynamobackup.io-v1.yml",
      "META-INF/fabric8/dynamobackupschedules.dynamobackup.io-v1.yml",
      "META-INF/fabric8/dynamorestores.dynamobackup.io-v1.yml",
      "META-INF/fabric8/dynamobackuppolicies.dynamobackup.io-v1.yml");

  /** The mock server logs every request at INFO through java.util.logging; held so the level sticks. */
  private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger(
      "io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private GarbageCollector garbageCollector;
  private KubernetesClient garbageCollectorClient;

  private SandboxCluster(KubernetesMockServer server) {
    this.server = server;
  }

  /** Starts on a loopback port (0: a free one) and installs the CRDs. */
  public static SandboxCluster start(int port) {
    var cluster = startWithoutGarbageCollector(port);
    cluster.garbageCollectorClient = cluster.newClient();
    cluster.garbageCollector = new GarbageCollector(cluster.garbageCollectorClient);
    return cluster;
  }

  /**
   * The same without the garbage collector, which lists every object a few times a second: for benchmarks of tens
   * of thousands of objects without owners, where those lists would take the cores the operator is measured on.
   */
  public static SandboxCluster startWithoutGarbageCollector(int port) {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    var server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new SandboxDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), port);
    var cluster = new SandboxCluster(server);
    try (KubernetesClient client = cluster.newClient()) {
      for (String resource : CRD_RESOURCES) {
        client.apiextensions().v1().customResourceDefinitions().resource(crd(resource)).create();
      }
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("default").endMetadata()
          .build()).create();
    }
    return cluster;
  }

  public int port() {
    return server.getPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  /** A new client for this API; the caller closes it. */
  public KubernetesClient newClient() {
    return new KubernetesClientBuilder().withConfig(config()).build();
  }

  /** A client whose requests carry {@code userAgent}, to tell them apart in {@link #takeRequest}. */
  public KubernetesClient newClient(String userAgent) {
    Config config = config();
    config.setUserAgent(userAgent);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** How many requests the API has received so far. */
  public int requestCount() {
    return server.getRequestCount();
  }

  /** The next request the API received, in order, or null after {@code millis} without one. */
  public io.fabric8.mockwebserver.http.RecordedRequest takeRequest(long millis) throws InterruptedException {
    return server.takeRequest(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  public Config config() {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(url())
        .withNamespace("default")
        .withOauthToken("sandbox")
        .withRequestRetryBackoffLimit(3)
        .build();
  }

  /** Writes a kubeconfig for kubectl and other clients. */
  public Path writeKubeconfig(Path path) {
    return writeKubeconfig(path, url());
  }

  /** Writes a kubeconfig whose one context points at {@code server}. */
  public static Path writeKubeconfig(Path path, String server) {
    String kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: sandbox
          cluster:
            server: %s
        users:
        - name: sandbox
          user:
            token: sandbox
        contexts:
        - name: sandbox
          context:
            cluster: sandbox
            user: sandbox
            namespace: default
        current-context: sandbox
        """.formatted(server);
    try {
      Path absolute = path.toAbsolutePath();
      if (absolute.getParent() != null) {
        Files.createDirectories(absolute.getParent());
      }
      Files.writeString(absolute, kubeconfig, StandardCharsets.UTF_8);
      return absolute;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write kubeconfig " + path, e);
    }
  }

  private static CustomResourceDefinition crd(String resource) {
    try (InputStream in = SandboxCluster.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("CRD " + resource + " is not on the classpath; build with Maven first");
      }
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (garbageCollector != null) {
      garbageCollector.close();
      garbageCollectorClient.close();
    }
    server.destroy();
  }
}
