package io.dynamobackup.operator.sandbox.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dynamobackup.operator.support.UnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every {@code x-kubernetes-validations} rule of every CRD in crds/ compiles (against the types its schema gives
 * {@code self} and {@code oldSelf}, with the functions the sandbox evaluates) and has a bounded cost within the API
 * server's limits, so that a bad rule fails the build instead of a user's {@code kubectl apply -f crds/}.
 *
 * <p>Cost is estimated by {@link CelCostEstimate}, cel-go's model: a rule's worst case from the declared maxLength,
 * maxItems and maxProperties, times the number of times it may run (the product of maxItems of the lists above it),
 * against the per-rule limit (10,000,000) and the per-CRD total (100,000,000). A rule whose cost depends on a string,
 * list or map the schema leaves unbounded fails too, however small its estimate: add the bound to the api class.
 */
@UnitTest
class CrdCelRulesTest {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  record Found(String crd, String path, JsonNode schema, long cardinality, boolean unboundedCardinality) {}

  @Test
  void everyRuleOfEveryCrdCompilesAndHasABoundedCost() throws IOException {
    List<Found> nodes = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("crds"))) {
      for (Path file : files.filter(f -> f.toString().endsWith("-v1.yml")).sorted().toList()) {
        JsonNode crd = YAML.readTree(file.toFile());
        for (JsonNode version : crd.path("spec").path("versions")) {
          collect(crd.path("metadata").path("name").asText() + "/" + version.path("name").asText(), "",
              version.path("schema").path("openAPIV3Schema"), 1, false, nodes);
        }
      }
    }
    List<String> problems = new ArrayList<>();
    int rules = 0;
    Map<String, Long> totals = new HashMap<>();
    for (Found node : nodes) {
      List<CelRules.Rule> compiled;
      try {
        compiled = CelRules.compile(node.schema());
      } catch (CelRules.CompileError e) {
        problems.add(node.crd() + " " + node.path() + ": " + e.getMessage());
        continue;
      }
      for (CelRules.Rule rule : compiled) {
        rules++;
        var estimate = CelCostEstimate.of(rule.ast(), node.schema());
        long cost = Math.multiplyExact(estimate.cost(), node.cardinality());
        totals.merge(node.crd(), cost, Long::sum);
        if (estimate.unbounded() || node.unboundedCardinality()) {
          problems.add(node.crd() + " " + node.path() + ": rule " + rule.expression() + " reads a string, list or"
              + " map without maxLength, maxItems or maxProperties" + (node.unboundedCardinality()
              ? " (or sits in a list without maxItems)" : "") + "; add the bound to the api class");
        } else if (cost > CelCostEstimate.PER_RULE_LIMIT) {
          problems.add(node.crd() + " " + node.path() + ": rule " + rule.expression() + " has an estimated cost of "
              + cost + ", over the API server's limit of " + CelCostEstimate.PER_RULE_LIMIT);
        }
      }
    }
    totals.forEach((crd, total) -> {
      if (total > CelCostEstimate.PER_CRD_LIMIT) {
        problems.add(crd + ": the rules' estimated costs add up to " + total + ", over the API server's limit of "
            + CelCostEstimate.PER_CRD_LIMIT);
      }
    });

    assertThat(rules).as("rules found in crds/").isGreaterThanOrEqualTo(10);
    assertThat(problems).as("CEL rules of crds/ (fix the @ValidationRule or the bounds in the api classes, then"
        + " regenerate crds/)").isEmpty();
  }

  /** Rules over schemas made up for the purpose: the estimate tells bounded from unbounded and cheap from costly. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "bounded string equality   | {type: string, maxLength: 255}                        | self == oldSelf"
          + "                      | false | 53",
      "unbounded string equality | {type: string}                                        | self == oldSelf"
          + "                      | true  | 629148",
      "bounded list, each item   | {type: array, maxItems: 10, items: {type: string, maxLength: 20}}"
          + " | self.all(x, x.startsWith('a')) | false | 82",
      "unbounded list            | {type: array, items: {type: string, maxLength: 20}} | self.all(x, x.size() < 5)"
          + " | true | 22020098",
      "nested loops              | {type: array, maxItems: 5000, items: {type: string, maxLength: 1000}}"
          + " | self.all(x, self.all(y, x == y)) | false | 5150030002",
      "presence only             | {type: object, properties: {a: {type: string}}}     | has(self.a)"
          + "                      | false | 2"})
  void costEstimate(String name, String schema, String rule, boolean unbounded, long cost) throws IOException {
    JsonNode node = YAML.readTree(schema);
    ((ObjectNode) node).putArray("x-kubernetes-validations").addObject()
        .put("rule", rule);

    var estimate = CelCostEstimate.of(CelRules.compile(node).get(0).ast(), node);

    assertThat(estimate.unbounded()).isEqualTo(unbounded);
    assertThat(estimate.cost()).isEqualTo(cost);
  }

  @Test
  void aRuleThatDoesNotCompileIsReportedWithCelsExplanation() throws IOException {
    JsonNode schema = YAML.readTree("""
        type: object
        properties: {tableName: {type: string, maxLength: 255}}
        x-kubernetes-validations: [{rule: "self.tabelName == oldSelf.tableName", message: typo}]
        """);

    assertThatThrownBy(() -> CelRules.compile(schema)).isInstanceOf(CelRules.CompileError.class)
        .hasMessageContaining("undefined field 'tabelName'");
  }

  private static void collect(String crd, String path, JsonNode schema, long cardinality, boolean unbounded,
      List<Found> into) {
    if (schema.has("x-kubernetes-validations")) {
      into.add(new Found(crd, path.isEmpty() ? "<root>" : path, schema, cardinality, unbounded));
    }
    schema.path("properties").fields().forEachRemaining(e -> collect(crd, StructuralSchema.child(path, e.getKey()),
        e.getValue(), cardinality, unbounded, into));
    for (String repeated : List.of("items", "additionalProperties")) {
      JsonNode child = schema.path(repeated);
      if (child.isObject()) {
        var bound = CelCostEstimate.maxSize(schema);
        collect(crd, path + (repeated.equals("items") ? "[*]" : ".*"), child,
            cardinality * (bound.isPresent() ? bound.getAsLong() : 1), unbounded || bound.isEmpty(), into);
      }
    }
  }
}
