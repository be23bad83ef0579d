package io.dynamobackup.operator.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Reads a DynamoBackup spec field by field: a field of the wrong type is left out and named in
 * {@link DynamoBackupSpec#typeErrors()}, so that the one object is refused with InvalidSpec. Failing instead would
 * fail the informer's watch and list of every DynamoBackup, and the operator with them. The API server's schema
 * refuses such objects; API servers without one (the mock, the sandbox) do not. Unknown fields are ignored, as the
 * API server prunes them.
 */
final class LenientSpecDeserializer extends StdDeserializer<DynamoBackupSpec> {

  LenientSpecDeserializer() {
    super(DynamoBackupSpec.class);
  }

  @Override
  public DynamoBackupSpec deserialize(JsonParser parser, DeserializationContext context) throws IOException {
    JsonNode node = context.readTree(parser);
    var spec = new DynamoBackupSpec();
    if (!node.isObject()) {
      spec.typeErrors().add("spec must be an object, not " + shown(node));
      return spec;
    }
    spec.tableName = field(node, "tableName", String.class, "a string", spec, context);
    spec.backupName = field(node, "backupName", String.class, "a string", spec, context);
    spec.backupArn = field(node, "backupArn", String.class, "a string", spec, context);
    spec.region = field(node, "region", String.class, "a string", spec, context);
    spec.deletionPolicy = field(node, "deletionPolicy", DeletionPolicy.class, "one of "
        + Arrays.stream(DeletionPolicy.values()).map(Enum::name).collect(Collectors.joining(", ")), spec, context);
    spec.retention = field(node, "retention", Retention.class, "an object with expireAfter or expiresAt (strings)",
        spec, context);
    spec.deletionProtection = field(node, "deletionProtection", Boolean.class, "true or false", spec, context);
    return spec;
  }

  private static <T> T field(JsonNode spec, String name, Class<T> type, String expected, DynamoBackupSpec into,
      DeserializationContext context) {
    JsonNode value = spec.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    try {
      return context.readTreeAsValue(value, type);
    } catch (IOException | IllegalArgumentException e) {
      into.typeErrors().add("spec." + name + " must be " + expected + ", not " + shown(value));
      return null;
    }
  }

  /** The value as JSON, cut short: a wrong value may be large. */
  private static String shown(JsonNode value) {
    String json = value.toString();
    return json.length() > 80 ? json.substring(0, 80) + "..." : json;
  }
}
