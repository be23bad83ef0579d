package io.dynamobackup.operator.sandbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynamobackup.operator.support.UnitTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Server-side printing in the shape a real API server answers (meta.k8s.io/v1 Table, as documented in the
 * Kubernetes API reference and as kubectl 1.32 decodes it).
 */
@UnitTest
class TablesTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  /** The Table a real API server answers for a custom resource with printer columns, trimmed to one row. */
  static final String REAL_SERVER_SHAPE = """
      {"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"42"},
       "columnDefinitions":[
         {"name":"Name","type":"string","format":"name","description":"Name must be unique within a namespace.","priority":0},
         {"name":"Table","type":"string","format":"","description":"","priority":0},
         {"name":"Size","type":"integer","format":"","description":"","priority":0},
         {"name":"Age","type":"date","format":"","description":"","priority":0},
         {"name":"ARN","type":"string","format":"","description":"","priority":1}],
       "rows":[{"cells":["orders-nightly","orders",2048,"5m",null],
                "object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",
                          "metadata":{"name":"orders-nightly","namespace":"default",
                                      "creationTimestamp":"2026-11-25T11:55:00Z"}}}]}
      """;

  final Tables tables = new Tables(JSON, Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void customResourceTableHasTheShapeOfARealApiServer() throws Exception {
    JsonNode object = JSON.readTree("""
        {"apiVersion":"dynamobackup.io/v1alpha1","kind":"DynamoBackup",
         "metadata":{"name":"orders-nightly","namespace":"default","creationTimestamp":"2026-11-25T11:55:00Z"},
         "spec":{"tableName":"orders"},
         "status":{"backupDescription":{"backupDetails":{"backupSizeBytes":2048}}}}
        """);
    List<Tables.Column> columns = List.of(
        new Tables.Column("Table", "string", "", "", 0, ".spec.tableName"),
        new Tables.Column("Size", "integer", "", "", 0, ".status.backupDescription.backupDetails.backupSizeBytes"),
        new Tables.Column("Age", "date", "", "", 0, ".metadata.creationTimestamp"),
        new Tables.Column("ARN", "string", "", "", 1, ".status.backupArn"));

    JsonNode table = tables.table(columns, List.of(object), "42");

    assertThat(JSON.readTree(JSON.writeValueAsString(table))).isEqualTo(JSON.readTree(REAL_SERVER_SHAPE));
  }

  @Test
  void conditionColumnsFollowTheFilterSyntaxOfPrinterColumns() throws Exception {
    JsonNode object = JSON.readTree("""
        {"status":{"conditions":[{"type":"Creating","status":"False"},{"type":"Ready","status":"True"}]}}
        """);

    assertThat(JsonPaths.find(object, ".status.conditions[?(@.type=='Ready')].status").asText())
        .isEqualTo("True");
    assertThat(JsonPaths.find(object, ".status.conditions[0].type").asText()).isEqualTo("Creating");
    assertThat(JsonPaths.find(object, ".status.missing")).isNull();
  }

  /** The values apimachinery's duration.HumanDuration gives, which the API server uses for date columns. */
  @ParameterizedTest(name = "{0}s is {1}")
  @CsvSource({
      "-5, <invalid>", "0, 0s", "59, 59s", "119, 119s", "120, 2m", "599, 9m59s", "600, 10m", "10799, 179m",
      "10800, 3h", "28799, 7h59m", "28800, 8h", "172799, 47h", "172800, 2d", "691199, 7d23h", "691200, 8d",
      "63071999, 729d", "63072000, 2y", "252287999, 7y364d", "252288000, 8y",
  })
  void agesReadAsTheApiServerWritesThem(long seconds, String expected) {
    assertThat(Tables.humanDuration(Duration.ofSeconds(seconds))).isEqualTo(expected);
  }
}
