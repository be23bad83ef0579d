package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.reconcile.SpecRules;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.api.DynamoRestoreSpec.TableSettings;
import io.dynamobackup.operator.aws.ContinuousBackups;
import io.dynamobackup.operator.aws.TimeToLive;
import io.dynamobackup.operator.reconcile.restore.TableSettingsPlan.Observed;
import io.dynamobackup.operator.reconcile.restore.TableSettingsPlan.Setting;
import io.dynamobackup.operator.reconcile.restore.TableSettingsPlan.Verdict;
import io.dynamobackup.operator.support.UnitTest;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@UnitTest
class TableSettingsPlanTest {

  static final Observed RESTORED = new Observed(new ContinuousBackups("DISABLED", null, null),
      new TimeToLive("DISABLED", null), false, Map.of(), null);

  /** One row per setting and state: what AWS reports, and what the plan does about it. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "PITR wanted, off               | pitr=true        | pitr=DISABLED            | Change   | DISABLED",
      "PITR wanted, on                | pitr=true        | pitr=ENABLED             | InPlace  | ENABLED",
      "PITR wanted, enabling          | pitr=true        | pitr=ENABLING            | Pending  | ENABLING",
      "PITR unwanted, on              | pitr=false       | pitr=ENABLED             | Change   | ENABLED",
      "PITR unwanted, off             | pitr=false       | pitr=DISABLED            | InPlace  | DISABLED",
      "TTL wanted, off                | ttl=expiresAt    | ttl=DISABLED             | Change   | DISABLED",
      "TTL on the attribute           | ttl=expiresAt    | ttl=ENABLED:expiresAt    | InPlace  | ENABLED on expiresAt",
      "TTL enabling on the attribute  | ttl=expiresAt    | ttl=ENABLING:expiresAt   | Pending  | ENABLING on expiresAt",
      "TTL on another attribute       | ttl=expiresAt    | ttl=ENABLED:ttl          | Conflict | ENABLED on ttl",
      "TTL being disabled             | ttl=expiresAt    | ttl=DISABLING:ttl        | Pending  | DISABLING on ttl",
      "protection wanted, off         | protection=true  | protection=false         | Change   | false",
      "protection wanted, on          | protection=true  | protection=true          | InPlace  | true",
      "protection unwanted, on        | protection=false | protection=true          | Change   | true",
      "stream wanted, none            | stream=NEW_IMAGE | stream=                  | Change   | NONE",
      "stream of the view type        | stream=NEW_IMAGE | stream=NEW_IMAGE         | InPlace  | NEW_IMAGE",
      "stream of another view type    | stream=NEW_IMAGE | stream=KEYS_ONLY         | Conflict | KEYS_ONLY",
      "tags missing                   | tags=team:a      | tags=                    | Change   | {}",
      "tag of another value           | tags=team:a      | tags=team:b              | Change   | {team=b}",
      "tags there, and others too     | tags=team:a      | tags=team:a,owner:x      | InPlace  | {team=a}",
  })
  void eachSettingIsChangedOnlyWhereItDiffers(String title, String desired, String observed, String verdict,
      String shown) {
    Map<Setting, Verdict> verdicts = TableSettingsPlan.decide(desired(desired), observed(observed));

    assertThat(verdicts).hasSize(1);
    Verdict only = verdicts.values().iterator().next();
    assertThat(only.getClass().getSimpleName()).isEqualTo(verdict);
    assertThat(only.observed()).isEqualTo(shown);
  }

  @Test
  void settingsComeInTheOrderTheyAreAppliedUpdateTableLast() {
    var desired = new TableSettings();
    desired.stream = new DynamoRestoreSpec.Stream();
    desired.stream.viewType = DynamoRestoreSpec.StreamViewType.KEYS_ONLY;
    desired.deletionProtection = true;
    desired.tags = Map.of("team", "a");
    desired.timeToLive = new DynamoRestoreSpec.TimeToLive();
    desired.timeToLive.attributeName = "expiresAt";
    desired.pointInTimeRecovery = true;

    assertThat(TableSettingsPlan.decide(desired, RESTORED).keySet()).containsExactly(
        Setting.POINT_IN_TIME_RECOVERY, Setting.TIME_TO_LIVE, Setting.TAGS, Setting.DELETION_PROTECTION,
        Setting.STREAM);
    assertThat(TableSettingsPlan.decide(new TableSettings(), RESTORED)).isEmpty();
    assertThat(TableSettingsPlan.decide(null, RESTORED)).isEmpty();
  }

  @Test
  void onlyTheTagsThatDifferAreSet() {
    assertThat(TableSettingsPlan.missingTags(Map.of("team", "a", "env", "prod", "cost", "42"),
        Map.of("team", "a", "env", "staging", "owner", "x")))
        .containsExactlyInAnyOrderEntriesOf(Map.of("env", "prod", "cost", "42"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "TTL without an attribute | ttl=          | timeToLive.attributeName must be 1-255",
      "a tag key of aws:        | tags=aws:x:1  | key 'aws:x' must be 1-128 characters and not start with aws:",
      "stream without a type    | stream=       | stream.viewType is required",
  })
  void badSettingsAreInvalidSpecs(String title, String desired, String message) {
    assertThat(TableSettingsPlan.check(desired(desired))).hasValueSatisfying(problem -> {
      assertThat(problem.reason()).isEqualTo(SpecRules.INVALID_SPEC);
      assertThat(problem.message()).contains(message);
    });
  }

  @Test
  void moreThanFiftyTagsAreAnInvalidSpec() {
    var desired = new TableSettings();
    desired.tags = IntStream.range(0, 51).boxed()
        .collect(Collectors.toMap(i -> "k" + i, i -> "v"));

    assertThat(TableSettingsPlan.check(desired)).hasValueSatisfying(problem ->
        assertThat(problem.message()).contains("51 tags"));
  }

  /** "pitr=true", "ttl=expiresAt", "protection=false", "stream=NEW_IMAGE", "tags=team:a,env:prod" */
  static TableSettings desired(String text) {
    var settings = new TableSettings();
    String value = text.substring(text.indexOf('=') + 1);
    switch (text.substring(0, text.indexOf('='))) {
      case "pitr" -> settings.pointInTimeRecovery = Boolean.parseBoolean(value);
      case "ttl" -> {
        settings.timeToLive = new DynamoRestoreSpec.TimeToLive();
        settings.timeToLive.attributeName = value.isEmpty() ? null : value;
      }
      case "protection" -> settings.deletionProtection = Boolean.parseBoolean(value);
      case "stream" -> {
        settings.stream = new DynamoRestoreSpec.Stream();
        settings.stream.viewType = value.isEmpty() ? null : DynamoRestoreSpec.StreamViewType.valueOf(value);
      }
      case "tags" -> settings.tags = tags(value);
      default -> throw new IllegalArgumentException(text);
    }
    return settings;
  }

  /** The same keys for what AWS reports: "ttl=ENABLED:attribute", "stream=" for none, "tags=" for none. */
  static Observed observed(String text) {
    String value = text.substring(text.indexOf('=') + 1);
    return switch (text.substring(0, text.indexOf('='))) {
      case "pitr" -> with(new ContinuousBackups(value, null, null), null, null, null, null);
      case "ttl" -> with(null, new TimeToLive(value.split(":")[0],
          value.contains(":") ? value.split(":")[1] : null), null, null, null);
      case "protection" -> with(null, null, Boolean.parseBoolean(value), null, null);
      case "stream" -> with(null, null, null, null, value.isEmpty() ? null : value);
      case "tags" -> with(null, null, null, tags(value), null);
      default -> throw new IllegalArgumentException(text);
    };
  }

  /** RESTORED, with the one setting a row reads. */
  static Observed with(ContinuousBackups pitr, TimeToLive ttl, Boolean protection, Map<String, String> tags,
      String stream) {
    return new Observed(pitr != null ? pitr : RESTORED.pointInTimeRecovery(), ttl != null ? ttl
        : RESTORED.timeToLive(), protection != null ? protection : RESTORED.deletionProtection(),
        tags != null ? tags : RESTORED.tags(), stream);
  }

  static Map<String, String> tags(String text) {
    return text.isEmpty() ? Map.of() : Arrays.stream(text.split(","))
        .collect(Collectors.toMap(t -> t.substring(0, t.lastIndexOf(':')), t -> t.substring(t.lastIndexOf(':') + 1)));
  }
}
