package io.dynamobackup.operator.reconcile;

import io.dynamobackup.operator.reconcile.backup.Recreate;
import static io.dynamobackup.operator.support.OperatorHarness.NAMESPACE;
import static io.dynamobackup.operator.support.OperatorHarness.REGION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.config.OperatorConfig;
import io.dynamobackup.operator.sandbox.DynamoDbEmulator;
import io.dynamobackup.operator.support.OperatorHarness;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input, as users and tools write it: each case is applied as raw JSON (typed classes cannot hold a wrong type
 * or an unknown field) and must end in one specific Ready reason and message, without a crash and with a bounded
 * number of AWS calls. The mock API runs no schema or CEL validation, so this is the operator's own judgement.
 *
 * <p>All objects are created at once and watched over one window: terminal errors are retried every 3 s here (60 s
 * in production), so {@value #MAX_CALLS} calls in {@link #WINDOW} is a far stricter bound than 10 in 30 s would be
 * with production settings.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputCatalogueTest {

  static final Duration WINDOW = Duration.ofSeconds(15);
  static final int MAX_CALLS = 10;
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final String API_VERSION = "dynamobackup.io/v1alpha1";
  static final String KIND = "DynamoBackup";
  static final List<String> AWS_OPERATIONS = List.of("CreateBackup", "DescribeBackup", "DeleteBackup",
      "ListBackups");
  static final String ARN_ID = "01700000000000-abcdef12";

  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create(OperatorConfig.quickReconcile()
      .withTerminalRetry(Duration.ofSeconds(3)));

  static Instant windowStart;

  /**
   * One bad input. {@code table} is a name unique to the case, so that its AWS calls can be counted by subject.
   *
   * @param spec the spec as JSON (null: no spec at all); may use wrong types and unknown fields
   * @param prepare what the emulator holds before (default: the table exists)
   * @param changeOnceAvailable a change of the spec after the backup is recorded (identity changes)
   * @param readyStatus the expected Ready status ("False" for every refusal)
   */
  record Case(String title, Function<String, Object> spec, Consumer<String> prepare,
      UnaryOperator<Map<String, Object>> changeOnceAvailable, Map<String, String> annotations, String readyStatus,
      String reason, String message) {

    static Case of(String title, Function<String, Object> spec, String reason, String message) {
      return new Case(title, spec, table -> harness.emulator.createTable(REGION, table), null, Map.of(), "False",
          reason, message);
    }

    Case prepared(Consumer<String> preparation) {
      return new Case(title, spec, preparation, changeOnceAvailable, annotations, readyStatus, reason, message);
    }

    Case changedOnceAvailable(UnaryOperator<Map<String, Object>> change) {
      return new Case(title, spec, prepare, change, annotations, readyStatus, reason, message);
    }

    Case annotated(Map<String, String> more) {
      return new Case(title, spec, prepare, changeOnceAvailable, more, readyStatus, reason, message);
    }

    Case ready() {
      return new Case(title, spec, prepare, changeOnceAvailable, annotations, "True", reason, message);
    }

    @Override
    public String toString() {
      return title;
    }
  }

  static final List<Case> CASES = List.of(
      Case.of("tableName empty", t -> spec("tableName", ""),
          "InvalidSpec", "spec.tableName is required unless spec.backupArn is set"),
      Case.of("tableName too long (256)", t -> spec("tableName", t + "x".repeat(256 - t.length())),
          "InvalidSpec", "must be 3-255 characters of [a-zA-Z0-9_.-]"),
      Case.of("tableName too short", t -> spec("tableName", "ab"),
          "InvalidSpec", "spec.tableName 'ab' must be 3-255 characters"),
      Case.of("tableName wrong characters", t -> spec("tableName", t + "/orders"),
          "InvalidSpec", "/orders' must be 3-255 characters of [a-zA-Z0-9_.-]"),
      Case.of("tableName wrong type (number)", t -> spec("tableName", 42),
          "InvalidSpec", "spec.tableName '42' must be 3-255 characters"),
      Case.of("tableName wrong type (object)", t -> spec("tableName", Map.of("name", t)),
          "InvalidSpec", "spec.tableName must be a string, not {\"name\":"),
      Case.of("backupName empty", t -> spec("tableName", t, "backupName", ""),
          "InvalidSpec", "spec.backupName '' must be 3-255 characters"),
      Case.of("backupName too long (256)", t -> spec("tableName", t, "backupName", "b".repeat(256)),
          "InvalidSpec", "must be 3-255 characters of [a-zA-Z0-9_.-]"),
      Case.of("backupName wrong characters", t -> spec("tableName", t, "backupName", "nightly backup"),
          "InvalidSpec", "spec.backupName 'nightly backup' must be 3-255 characters of [a-zA-Z0-9_.-]"),
      Case.of("backupName wrong type (list)", t -> spec("tableName", t, "backupName", List.of("a", "b")),
          "InvalidSpec", "spec.backupName must be a string, not [\"a\",\"b\"]"),
      Case.of("region empty", t -> spec("tableName", t, "region", ""),
          "InvalidSpec", "spec.region '' is not an AWS region name"),
      Case.of("region typo", t -> spec("tableName", t, "region", "eu-wset-1"),
          "InvalidSpec", "spec.region 'eu-wset-1' is not a known AWS region; did you mean eu-west-1?"),
      Case.of("region wrong characters", t -> spec("tableName", t, "region", "EU-WEST-1"),
          "InvalidSpec", "spec.region 'EU-WEST-1' is not an AWS region name"),
      Case.of("region too long", t -> spec("tableName", t, "region", "eu-west-" + "1".repeat(300)),
          "InvalidSpec", "is not a known AWS region"),
      Case.of("region wrong type (number)", t -> spec("tableName", t, "region", 1),
          "InvalidSpec", "spec.region '1' is not an AWS region name"),
      Case.of("backupArn empty", t -> spec("backupArn", ""),
          "InvalidSpec", "spec.backupArn is empty"),
      Case.of("backupArn malformed (an S3 ARN)", t -> spec("backupArn", "arn:aws:s3:::" + t),
          "InvalidSpec", "is not a DynamoDB backup ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/backup/ID)"),
      Case.of("backupArn too long (table of 300)", t -> spec("backupArn", arn(REGION, t + "x".repeat(300))),
          "InvalidSpec", "is not a DynamoDB backup ARN"),
      Case.of("backupArn wrong characters", t -> spec("backupArn", arn(REGION, t) + " x"),
          "InvalidSpec", "is not a DynamoDB backup ARN"),
      Case.of("backupArn account of 11 digits", t -> spec("backupArn",
          "arn:aws:dynamodb:eu-west-1:12345678901:table/" + t + "/backup/" + ARN_ID),
          "InvalidSpec", "is not a DynamoDB backup ARN"),
      Case.of("backupArn of another region than spec.region", t -> spec("backupArn", arn("us-east-1", t),
          "region", REGION), "InvalidSpec", "spec.region 'eu-west-1' differs from the region 'us-east-1'"),
      Case.of("backupArn region typo", t -> spec("backupArn", arn("us-esat-1", t)),
          "InvalidSpec", "the region of spec.backupArn 'us-esat-1' is not a known AWS region; did you mean"
              + " us-east-1?"),
      // issue 15, item 5: never asked with the operator's own credentials, whose "not found" would mislead
      Case.of("backupArn of another account", t -> spec("backupArn",
          "arn:aws:dynamodb:eu-west-1:999999999999:table/" + t + "/backup/" + ARN_ID),
          "AccountUnreachable", "the backup is in account 999999999999"),
      Case.of("backupArn of no existing backup", t -> spec("backupArn", arn(REGION, t)),
          "BackupNotFound", "spec.backupArn names no existing backup"),
      Case.of("backupArn and tableName disagree", t -> spec("backupArn", arn(REGION, "payments"), "tableName", t),
          "BackupTableMismatch", "spec.backupArn is a backup of table 'payments', not of spec.tableName"),
      Case.of("table missing", t -> spec("tableName", t),
          "TableNotFound", "CreateBackup failed: TableNotFoundException").prepared(t -> { }),
      Case.of("access denied", t -> spec("tableName", t),
          "AccessDenied", "CreateBackup failed: AccessDeniedException")
          .prepared(t -> {
            harness.emulator.createTable(REGION, t);
            harness.emulator.failFor("CreateBackup", t, "AccessDeniedException");
          }),
      Case.of("tableName changed once recorded", t -> spec("tableName", t),
          "ImmutableFieldChanged", "spec.tableName changed from")
          .changedOnceAvailable(s -> with(s, "tableName", "payments")),
      Case.of("backupName changed once recorded", t -> spec("tableName", t, "backupName", t + "-a"),
          "ImmutableFieldChanged", "spec.backupName changed from")
          .changedOnceAvailable(s -> with(s, "backupName", "renamed")),
      Case.of("region changed once recorded", t -> spec("tableName", t, "region", REGION),
          "ImmutableFieldChanged", "spec.region changed from 'eu-west-1' to 'eu-central-1'")
          .changedOnceAvailable(s -> with(s, "region", "eu-central-1")),
      Case.of("backupArn changed once recorded", t -> spec("backupArn", arn(REGION, t)),
          "ImmutableFieldChanged", "spec.backupArn changed from")
          .prepared(t -> harness.emulator.putBackup(arn(REGION, t)))
          .changedOnceAvailable(s -> with(s, "backupArn", arn(REGION, "payments"))),
      // issue 15, item 4: removal is judged like a change; the adoption's default Retain stays
      Case.of("backupArn removed once adopted", t -> spec("backupArn", arn(REGION, t)),
          "ImmutableFieldChanged", "spec.backupArn was removed after backup")
          .prepared(t -> harness.emulator.putBackup(arn(REGION, t)))
          .changedOnceAvailable(s -> with(new LinkedHashMap<>(), "tableName", "orders-adopted")),
      Case.of("backupArn added once created", t -> spec("tableName", t),
          "ImmutableFieldChanged", "spec.backupArn was added after the backup was created")
          .changedOnceAvailable(s -> with(s, "backupArn", arn(REGION, String.valueOf(s.get("tableName"))))),
      Case.of("tableName removed once recorded", t -> spec("tableName", t),
          "InvalidSpec", "spec.tableName is required unless spec.backupArn is set")
          .changedOnceAvailable(s -> new LinkedHashMap<>()),
      Case.of("unknown field instead of tableName (a typo)", t -> spec("tabelName", t),
          "InvalidSpec", "spec.tableName is required unless spec.backupArn is set"),
      // A real API server prunes unknown fields; the operator ignores them the same way.
      Case.of("unknown field beside a valid spec", t -> spec("tableName", t, "colour", "blue"),
          "Available", "is AVAILABLE").ready(),
      Case.of("spec missing", t -> null, "InvalidSpec", "spec is required"),
      Case.of("spec wrong type (string)", t -> t, "InvalidSpec", "spec must be an object, not \"bad-input-table-"),
      Case.of("deletionPolicy unknown value", t -> spec("tableName", t, "deletionPolicy", "Destroy"),
          "InvalidSpec", "spec.deletionPolicy must be one of Delete, Retain, not \"Destroy\""),
      Case.of("deletionProtection wrong type", t -> spec("tableName", t, "deletionProtection", "maybe"),
          "InvalidSpec", "spec.deletionProtection must be true or false, not \"maybe\""),
      Case.of("retention wrong type", t -> spec("tableName", t, "retention", "30d"),
          "InvalidSpec", "spec.retention must be an object with expireAfter, expiresAt, not \"30d\""),
      Case.of("retention.expireAfter not a duration", t -> spec("tableName", t, "retention",
          Map.of("expireAfter", "forever")), "InvalidSpec", "spec.retention.expireAfter 'forever' is not a duration"),
      Case.of("retention.expireAfter beyond a long", t -> spec("tableName", t, "retention",
          Map.of("expireAfter", "99999999999999999999d")), "InvalidSpec", "is not a duration"),
      Case.of("retention.expireAfter too long", t -> spec("tableName", t, "retention",
          Map.of("expireAfter", "36501d")), "InvalidSpec", "is longer than 100 years"),
      // issue 15, item 9: zero and negative durations are never read as "delete now"
      Case.of("retention.expireAfter zero", t -> spec("tableName", t, "retention",
          Map.of("expireAfter", "0s")), "InvalidSpec", "spec.retention.expireAfter '0s' is not longer than zero"),
      Case.of("retention.expireAfter negative (ISO-8601)", t -> spec("tableName", t, "retention",
          Map.of("expireAfter", "PT-1H")), "InvalidSpec", "spec.retention.expireAfter 'PT-1H' is not longer than zero"),
      Case.of("retention.expiresAt not a time", t -> spec("tableName", t, "retention",
          Map.of("expiresAt", "tomorrow")), "InvalidSpec", "spec.retention.expiresAt 'tomorrow' is not an RFC 3339"),
      Case.of("retention with both", t -> spec("tableName", t, "retention",
          Map.of("expireAfter", "30d", "expiresAt", "2030-01-01T00:00:00Z")),
          "InvalidSpec", "spec.retention takes expireAfter or expiresAt, not both"),
      // The API server caps all annotations at 256 KiB; the mock has no cap. Nothing of ours reads them but one key.
      Case.of("huge annotations (200 KiB)", t -> spec("tableName", t), "Available", "is AVAILABLE")
          .annotated(Map.of("example.com/huge", "x".repeat(200 * 1024), Recreate.ANNOTATION, "x".repeat(1000)))
          .ready());

  static Stream<Case> cases() {
    return CASES.stream();
  }

  @BeforeAll
  static void applyAllAtOnce() {
    windowStart = Instant.now();
    for (int i = 0; i < CASES.size(); i++) {
      Case c = CASES.get(i);
      String table = table(i);
      c.prepare().accept(table);
      var object = new GenericKubernetesResource();
      object.setApiVersion(API_VERSION);
      object.setKind(KIND);
      object.setMetadata(new ObjectMetaBuilder().withName(name(i)).withNamespace(NAMESPACE)
          .withAnnotations(c.annotations()).build());
      Object spec = c.spec().apply(table);
      if (spec != null) {
        object.setAdditionalProperty("spec", spec);
      }
      harness.client.genericKubernetesResources(API_VERSION, KIND).inNamespace(NAMESPACE).resource(object)
          .create();
    }
    for (int i = 0; i < CASES.size(); i++) {
      var change = CASES.get(i).changeOnceAvailable();
      if (change != null) {
        int index = i;
        await(name(i) + " available").atMost(TIMEOUT).until(() -> ready(index).map(r -> r.get("reason"))
            .filter("Available"::equals).isPresent());
        // the operator writes status meanwhile: a conflict is retried on the fresh object
        await(name(i) + " changed").atMost(TIMEOUT).ignoreExceptionsInstanceOf(KubernetesClientException.class)
            .until(() -> resource(index).edit(o -> {
              @SuppressWarnings("unchecked")
              var spec = (Map<String, Object>) o.getAdditionalProperties().get("spec");
              o.setAdditionalProperty("spec", change.apply(new LinkedHashMap<>(spec)));
              return o;
            }) != null);
      }
    }
  }

  @Order(1)
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badInputEndsInASpecificReasonWithBoundedAwsCalls(Case c) {
    int index = CASES.indexOf(c);

    await(c.title()).atMost(TIMEOUT).untilAsserted(() -> assertThat(ready(index)).hasValueSatisfying(ready -> {
      assertThat(ready.get("reason")).isEqualTo(c.reason());
      assertThat(ready.get("status")).isEqualTo(c.readyStatus());
      assertThat((String) ready.get("message")).contains(c.message());
    }));
    // the reason holds until the window is over: no flapping, no crash loop rewriting it
    Duration left = Duration.between(Instant.now(), windowStart.plus(WINDOW));
    if (!left.isNegative()) {
      await().during(left).atMost(left.plusSeconds(5))
          .until(() -> ready(index).map(r -> r.get("reason")).filter(c.reason()::equals).isPresent());
    }
    int calls = awsCalls(table(index));
    System.out.printf("bad input | %s | %s | %d AWS calls in %s%n", c.title(), c.reason(), calls, WINDOW);
    assertThat(calls).as("AWS calls naming " + table(index) + " in " + WINDOW).isLessThanOrEqualTo(MAX_CALLS);
  }

  @Order(2)
  @Test
  void aValidObjectStillReconcilesAfterAllTheBadOnes() {
    String name = OperatorHarness.uniqueName("after-bad-input");
    harness.apply(name, new io.dynamobackup.operator.api.DynamoBackupSpec(harness.newTable()));

    await().atMost(TIMEOUT).until(() -> {
      DynamoBackup backup = harness.get(name);
      return backup.getStatus() != null && "AVAILABLE".equals(backup.getStatus().backupStatus);
    });
  }

  /** Calls naming {@code subject} within the window, the same window for every case. */
  private static int awsCalls(String subject) {
    Instant windowEnd = windowStart.plus(WINDOW);
    return AWS_OPERATIONS.stream().mapToInt(op -> (int) harness.emulator.calls(op, subject).stream()
        .filter(call -> call.at().isBefore(windowEnd)).count()).sum();
  }

  /** The Ready condition as the API holds it, read untyped: a typed read fails on the wrong-typed specs. */
  @SuppressWarnings("unchecked")
  private static Optional<Map<String, Object>> ready(int index) {
    GenericKubernetesResource object = resource(index).get();
    if (object == null || !(object.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
      return Optional.empty();
    }
    var conditions = (List<Map<String, Object>>) ((Map<String, Object>) status).getOrDefault("conditions",
        List.of());
    return conditions.stream().filter(c -> "Ready".equals(c.get("type"))).findFirst();
  }

  private static Resource<GenericKubernetesResource> resource(int index) {
    return harness.client.genericKubernetesResources(API_VERSION, KIND).inNamespace(NAMESPACE)
        .withName(name(index));
  }

  private static String name(int index) {
    return "bad-input-%02d".formatted(index);
  }

  /** Unique per case and no prefix of another case's, so that calls can be counted by it. */
  private static String table(int index) {
    return "bad-input-table-%02d-x".formatted(index);
  }

  private static String arn(String region, String table) {
    return "arn:aws:dynamodb:" + region + ":" + DynamoDbEmulator.ACCOUNT + ":table/" + table + "/backup/" + ARN_ID;
  }

  private static Map<String, Object> spec(Object... keysAndValues) {
    var spec = new LinkedHashMap<String, Object>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      spec.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return spec;
  }

  private static Map<String, Object> with(Map<String, Object> spec, String key, Object value) {
    spec.put(key, value);
    return spec;
  }
}
