package io.dynamobackup.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.support.PrometheusTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The PrometheusRule's groups pass {@code promtool check rules}, and each alert passes its {@code promtool test rules}
 * unit tests (src/test/resources/monitoring/ALERT.test.yaml): it fires when it should and stays quiet when it should
 * not.
 */
class PrometheusRulesTest {

  static final Path UNIT_TESTS = Path.of("src", "test", "resources", "monitoring");
  static final Duration PROMTOOL_TIMEOUT = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  @Test
  void theRuleGroupsAreValid() throws IOException {
    Files.writeString(dir.resolve("rules.yaml"), MonitoringManifests.rulesFile());

    var result = PrometheusTools.promtool(dir, PROMTOOL_TIMEOUT, "check", "rules", "rules.yaml");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS: " + MonitoringManifests.rules().size() + " rules found");
  }

  @Test
  void everyAlertHasUnitTestsAndEveryUnitTestAnAlert() throws IOException {
    try (Stream<Path> files = Files.list(UNIT_TESTS)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".test.yaml")))
          .containsExactlyInAnyOrderElementsOf(alerts().stream().map(a -> a + ".test.yaml").toList());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("alerts")
  void theAlertFiresWhenItShouldAndStaysQuietWhenItShouldNot(String alert) throws IOException {
    String tests = Files.readString(UNIT_TESTS.resolve(alert + ".test.yaml"));
    assertThat(tests).as("a case where it fires").containsPattern("alertname: " + alert + "\\s+exp_alerts:\\s+- ");
    assertThat(tests).as("a case where it stays quiet").containsPattern("alertname: " + alert
        + "\\s+exp_alerts: \\[]");
    Files.writeString(dir.resolve("rules.yaml"), MonitoringManifests.rulesFile());
    Files.writeString(dir.resolve("alert.test.yaml"), tests);

    var result = PrometheusTools.promtool(dir, PROMTOOL_TIMEOUT, "test", "rules", "alert.test.yaml");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS");
  }

  static List<String> alerts() {
    return MonitoringManifests.rules().stream().map(MonitoringManifests.Rule::name).toList();
  }
}
