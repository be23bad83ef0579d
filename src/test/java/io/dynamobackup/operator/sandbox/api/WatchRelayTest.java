package io.dynamobackup.operator.sandbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.sandbox.SandboxCluster;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Watches over plain HTTP as a real API server streams them: one JSON watch event per line ({"type":...,
 * "object":...}), no replay of versions older than resourceVersion, field selectors, Tables with the column
 * definitions in the first event only, and the stream ends at timeoutSeconds.
 */
class WatchRelayTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String COLLECTION = "/apis/dynamobackup.io/v1alpha1/namespaces/default/dynamobackups";
  static SandboxCluster cluster;
  static SandboxApi api;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    cluster = SandboxCluster.start(0);
    api = SandboxApi.start(0, URI.create(cluster.url()), Clock.systemUTC());
    client = cluster.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    api.close();
    cluster.close();
  }

  @Test
  void watchStreamsOneEventPerLineFromTheRequestedVersionAndEndsAtTheTimeout() throws Exception {
    create("first");
    String listVersion = client.resources(DynamoBackup.class).inNamespace("default").list().getMetadata()
        .getResourceVersion();
    create("second");

    List<JsonNode> events = watch(COLLECTION + "?watch=true&resourceVersion=" + listVersion
        + "&timeoutSeconds=2", "application/json");

    assertThat(events).extracting(e -> e.path("type").asText() + " " + e.path("object").path("metadata")
        .path("name").asText()).containsExactly("ADDED second");
    assertThat(events.get(0).path("object").path("kind").asText()).isEqualTo("DynamoBackup");
  }

  @Test
  void watchAppliesTheFieldSelectorAndPrintsTablesWithColumnsOnceOnly() throws Exception {
    create("third");
    create("fourth");

    List<JsonNode> events = watch(COLLECTION + "?watch=1&fieldSelector=metadata.name%3Dfourth&timeoutSeconds=2",
        "application/json;as=Table;v=v1;g=meta.k8s.io");
    List<JsonNode> all = watch(COLLECTION + "?watch=1&timeoutSeconds=2",
        "application/json;as=Table;v=v1;g=meta.k8s.io");

    assertThat(events).hasSize(1);
    JsonNode table = events.get(0).path("object");
    assertThat(table.path("kind").asText()).isEqualTo("Table");
    assertThat(table.path("rows").get(0).path("cells").get(0).asText()).isEqualTo("fourth");
    assertThat(all.size()).isGreaterThanOrEqualTo(2);
    assertThat(all.get(0).path("object").path("columnDefinitions")).isNotEmpty();
    assertThat(all.get(1).path("object").path("columnDefinitions")).isEmpty();
  }

  @Test
  void watchOfAnObjectDeletedAfterTheRequestedVersionSeesItsDeletion() throws Exception {
    create("short-lived");
    String version = client.resources(DynamoBackup.class).inNamespace("default").withName("short-lived").get()
        .getMetadata().getResourceVersion();
    client.resources(DynamoBackup.class).inNamespace("default").withName("short-lived").delete();

    List<JsonNode> events = watch(COLLECTION + "?watch=true&fieldSelector=metadata.name%3Dshort-lived"
        + "&resourceVersion=" + version + "&timeoutSeconds=2", "application/json");

    assertThat(events).singleElement().satisfies(event -> {
      assertThat(event.path("type").asText()).isEqualTo("DELETED");
      assertThat(event.path("object").path("kind").asText()).isEqualTo("DynamoBackup");
      assertThat(event.path("object").path("metadata").path("name").asText()).isEqualTo("short-lived");
    });
  }

  static void create(String name) {
    var backup = new DynamoBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("default").build());
    backup.setSpec(new DynamoBackupSpec("orders"));
    client.resources(DynamoBackup.class).inNamespace("default").resource(backup).create();
  }

  static List<JsonNode> watch(String pathAndQuery, String accept) throws Exception {
    var http = HttpClient.newHttpClient();
    var request = HttpRequest.newBuilder(URI.create(api.url() + pathAndQuery)).header("Accept", accept)
        .timeout(Duration.ofSeconds(20)).build();
    HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    List<JsonNode> events = new ArrayList<>();
    try (var lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        events.add(JSON.readTree(line));
      }
    }
    return events;
  }
}
