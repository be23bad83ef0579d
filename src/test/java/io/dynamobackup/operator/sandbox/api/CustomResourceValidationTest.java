package io.dynamobackup.operator.sandbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dynamobackup.operator.sandbox.api.CustomResourceValidation.Directive;
import io.dynamobackup.operator.sandbox.api.CustomResourceValidation.Write;
import io.dynamobackup.operator.support.UnitTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Writes of our custom resources judged with the CRDs of crds/, and the answers in the shapes of the Kubernetes 1.32
 * API server (apimachinery's field errors and NewInvalid, kube-openapi's messages, apiextensions' CEL validator).
 */
@UnitTest
class CustomResourceValidationTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ApiCatalog CATALOG = catalog();
  static final String BACKUP = "apiVersion: dynamobackup.io/v1alpha1\nkind: DynamoBackup\nmetadata: {name: x}\n";
  static final String POLICY = "apiVersion: dynamobackup.io/v1alpha1\nkind: DynamoBackupPolicy\nmetadata: {name: p}\n";

  final CustomResourceValidation validation = new CustomResourceValidation(JSON);

  /** name, manifest, the stored object before (null: a create), the causes as field: message. */
  static Stream<Arguments> refusals() {
    String orders = BACKUP + "spec: {tableName: orders}";
    String rulesNotChecked = "<nil>: Invalid value: \"null\": some validation rules were not checked because the"
        + " object was invalid; correct the existing errors to complete validation";
    return Stream.of(
        Arguments.of("pattern", BACKUP + "spec: {tableName: 'bad name!'}", null, List.of(
            "spec.tableName: Invalid value: \"bad name!\": spec.tableName in body should match '^[a-zA-Z0-9_.-]+$'")),
        Arguments.of("type, and the rules left unchecked", BACKUP + "spec: {tableName: orders, deletionProtection: yes"
            + "please}", null, List.of("spec.deletionProtection: Invalid value: \"string\": spec.deletionProtection"
            + " in body must be of type boolean: \"string\"", rulesNotChecked)),
        Arguments.of("enum", BACKUP + "spec: {tableName: orders, deletionPolicy: Keep}", null, List.of(
            "spec.deletionPolicy: Unsupported value: \"Keep\": supported values: \"Delete\", \"Retain\"",
            rulesNotChecked)),
        Arguments.of("maxLength", BACKUP + "spec: {tableName: " + "t".repeat(256) + "}", null, List.of(
            "spec.tableName: Too long: may not be more than 255 bytes", rulesNotChecked)),
        Arguments.of("minLength", BACKUP + "spec: {tableName: ab}", null, List.of(
            "spec.tableName: Invalid value: \"ab\": spec.tableName in body should be at least 3 chars long")),
        Arguments.of("required", POLICY + "spec: {namespaces: [team-a]}", null, List.of(
            "spec.tables: Required value", rulesNotChecked)),
        Arguments.of("rule on an object", BACKUP + "spec: {deletionPolicy: Retain}", null, List.of(
            "spec: Invalid value: \"object\": spec.tableName is required unless spec.backupArn is set")),
        Arguments.of("transition rule: immutable field", BACKUP + "spec: {tableName: payments}", orders, List.of(
            "spec.tableName: Invalid value: \"string\": tableName is immutable")),
        Arguments.of("transition rule: field removed", BACKUP + "spec: {backupArn: 'arn:aws:dynamodb:eu-west-1:"
            + "000000000000:table/orders/backup/01795616496923-404f91f6', tableName: orders, region: eu-west-1}",
            orders, List.of("spec: Invalid value: \"object\": tableName, backupName, backupArn and region cannot be"
                + " added or removed after creation")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void refusedWithTheApiServersCauses(String name, String manifest, String before, List<String> causes)
      throws IOException {
    var outcome = judge(manifest, before, Directive.STRICT, before == null ? Write.CREATE : Write.UPDATE);

    assertThat(outcome.accepted()).isFalse();
    assertThat(outcome.code()).isEqualTo(422);
    assertThat(outcome.status().path("reason").asText()).isEqualTo("Invalid");
    List<String> actual = new ArrayList<>();
    outcome.status().path("details").path("causes").forEach(c -> actual.add(c.path("field").asText() + ": "
        + c.path("message").asText()));
    assertThat(actual).containsExactlyElementsOf(causes);
    String kind = outcome.status().path("details").path("kind").asText();
    assertThat(outcome.status().path("message").asText()).isEqualTo(kind + ".dynamobackup.io \""
        + outcome.status().path("details").path("name").asText() + "\" is invalid: "
        + (causes.size() == 1 ? causes.get(0) : "[" + String.join(", ", causes) + "]"));
  }

  @Test
  void validWritesPassAndTransitionRulesWaitForAnOldValue() throws IOException {
    assertThat(judge(BACKUP + "spec: {tableName: orders}", null, Directive.STRICT, Write.CREATE).accepted()).isTrue();
    assertThat(judge(BACKUP + "spec: {tableName: orders, deletionPolicy: Retain}", BACKUP
        + "spec: {tableName: orders}", Directive.STRICT, Write.PATCH).accepted()).isTrue();
  }

  @Test
  void defaultsAreApplied() throws IOException {
    var outcome = judge(POLICY + "spec: {tables: ['orders-*'], namespaces: [team-a]}", null, Directive.STRICT,
        Write.CREATE);

    assertThat(outcome.accepted()).isTrue();
    assertThat(outcome.object().path("spec").path("allowDeletion").asBoolean(false)).isTrue();
    assertThat(outcome.object().path("spec").path("allowAdoption").isBoolean()).isTrue();
  }

  @Test
  void unknownFieldsArePrunedWithAWarningByDefaultAndSilentlyWhenIgnored() throws IOException {
    String manifest = BACKUP + "spec: {tableName: orders, tablename: typo, retention: {keep: 3}}\nextra: 1";

    var warned = judge(manifest, null, Directive.of(null), Write.CREATE);
    var ignored = judge(manifest, null, Directive.of("Ignore"), Write.CREATE);

    assertThat(warned.accepted()).isTrue();
    assertThat(warned.object().toString()).doesNotContain("tablename", "keep", "extra").contains("\"orders\"");
    assertThat(warned.warnings()).containsExactlyInAnyOrder("unknown field \"extra\"",
        "unknown field \"spec.tablename\"",
        "unknown field \"spec.retention.keep\"");
    assertThat(ignored.accepted()).isTrue();
    assertThat(ignored.warnings()).isEmpty();
    assertThat(ignored.object()).isEqualTo(warned.object());
  }

  @Test
  void strictRefusesUnknownFieldsAsTheApiServerDoes() throws IOException {
    String manifest = BACKUP + "spec: {tableName: orders, tablename: typo}";

    var created = judge(manifest, null, Directive.of("Strict"), Write.CREATE);
    var patched = judge(manifest, BACKUP + "spec: {tableName: orders}", Directive.of("Strict"), Write.PATCH);

    assertThat(created.code()).isEqualTo(400);
    assertThat(created.status().path("reason").asText()).isEqualTo("BadRequest");
    assertThat(created.status().path("message").asText()).isEqualTo("DynamoBackup in version \"v1alpha1\" cannot be"
        + " handled as a DynamoBackup: strict decoding error: unknown field \"spec.tablename\"");
    assertThat(patched.code()).isEqualTo(422);
    assertThat(patched.status().path("details").path("causes").get(0).path("field").asText()).isEqualTo("patch");
    assertThat(patched.status().path("message").asText()).startsWith(" \"\" is invalid: patch: Invalid value: \"{")
        .endsWith("\": strict decoding error: unknown field \"spec.tablename\"");
  }

  @Test
  void aRuleThatFailsToEvaluateIsAFieldErrorInCelGosWords() throws IOException {
    JsonNode schema = YAML.readTree("""
        type: object
        properties:
          spec:
            type: object
            properties: {retention: {type: object, properties: {expireAfter: {type: string, maxLength: 9}}}}
            x-kubernetes-validations: [{rule: "self.retention.expireAfter != ''"}]
        """);
    var resource = new ApiCatalog.Resource("example.io", "v1", "things", "thing", "Thing", List.of(), true, false,
        List.of(), schema);

    var outcome = validation.judge(resource, (ObjectNode) YAML.readTree("metadata: {name: t}\nspec: {}"), null,
        Directive.STRICT, Write.CREATE);

    assertThat(outcome.status().path("message").asText()).isEqualTo("Thing.example.io \"t\" is invalid: spec:"
        + " Invalid value: \"object\": no such key: retention evaluating rule: self.retention.expireAfter != ''");
  }

  CustomResourceValidation.Outcome judge(String manifest, String before, Directive directive, Write write)
      throws IOException {
    ObjectNode object = (ObjectNode) YAML.readTree(manifest);
    JsonNode old = before == null ? null : YAML.readTree(before);
    var resource = CATALOG.resources().stream().filter(r -> r.kind().equals(object.path("kind").asText()))
        .findFirst().orElseThrow();
    return validation.judge(resource, object, old, directive, write);
  }

  /** The API as the sandbox serves it with the CRDs of crds/. */
  static ApiCatalog catalog() {
    try (Stream<Path> files = Files.list(Path.of("crds"))) {
      ObjectNode list = JSON.createObjectNode();
      var items = list.putArray("items");
      for (Path file : files.filter(f -> f.toString().endsWith("-v1.yml")).sorted().toList()) {
        items.add(YAML.readTree(file.toFile()));
      }
      return ApiCatalog.of(JSON, list);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
