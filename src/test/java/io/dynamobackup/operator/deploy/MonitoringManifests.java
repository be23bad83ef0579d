package io.dynamobackup.operator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * deploy/monitoring as the tests read it: the rule groups of the PrometheusRule, written as the rules file Prometheus
 * and promtool load (one source of truth: no copy of the rules for tests), and the dashboard's queries.
 */
public final class MonitoringManifests {

  public static final Path DIRECTORY = Path.of("deploy", "monitoring");
  public static final Path RULE = DIRECTORY.resolve("prometheusrule.yaml");
  public static final Path DASHBOARD = DIRECTORY.resolve("dynamo-backup-operator-dashboard.json");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  private MonitoringManifests() {}

  /** One rule of the PrometheusRule: its alert (or recording) name and its PromQL. */
  public record Rule(String name, String expr) {}

  /** The PrometheusRule's spec (its groups), as a Prometheus rules file. */
  public static String rulesFile() {
    ObjectNode groups = YAML.createObjectNode();
    groups.set("groups", read(RULE, YAML).path("spec").path("groups"));
    try {
      return YAML.writeValueAsString(groups);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<Rule> rules() {
    List<Rule> rules = new ArrayList<>();
    for (JsonNode group : read(RULE, YAML).path("spec").path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        rules.add(new Rule(rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText(),
            rule.path("expr").asText().strip()));
      }
    }
    return rules;
  }

  /** Every query of the dashboard's panels, with Grafana's variables as they are when "All" is chosen. */
  public static List<String> dashboardQueries(String rateInterval) {
    List<String> queries = new ArrayList<>();
    collectQueries(read(DASHBOARD, JSON).path("panels"), queries);
    return queries.stream().map(q -> q.replace("$namespace", ".*").replace("$__rate_interval", rateInterval))
        .toList();
  }

  private static void collectQueries(JsonNode panels, List<String> queries) {
    for (JsonNode panel : panels) {
      panel.path("targets").forEach(target -> queries.add(target.path("expr").asText()));
      collectQueries(panel.path("panels"), queries);
    }
  }

  private static final Pattern METRIC = Pattern.compile("\\b((?:dynamobackup|operator_sdk)_[a-z0-9_]*[a-z0-9])\\b");

  /** The operator's metric names a query reads (its own and JOSDK's; a name given as a regex is not one). */
  public static List<String> metricNames(String query) {
    List<String> names = new ArrayList<>();
    Matcher matcher = METRIC.matcher(query);
    while (matcher.find()) {
      if (!names.contains(matcher.group(1))) {
        names.add(matcher.group(1));
      }
    }
    return names;
  }

  private static JsonNode read(Path file, ObjectMapper mapper) {
    try {
      return mapper.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
