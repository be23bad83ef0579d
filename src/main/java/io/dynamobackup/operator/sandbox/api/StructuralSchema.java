package io.dynamobackup.operator.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * What the API server does to a custom resource with its CRD's structural schema (OpenAPI v3 as apiextensions
 * restricts it), in its order: prune fields the schema does not declare (except under
 * {@code x-kubernetes-preserve-unknown-fields}), drop nulls of non-nullable fields, apply defaults, then validate
 * types, required, enum, pattern, format (date-time, date), minimum/maximum, minLength/maxLength, minItems/maxItems
 * and maxProperties, worded as kube-openapi's validator and apiextensions word them.
 *
 * <p>Hand-written rather than a JSON Schema library: Kubernetes is not a JSON Schema validator (no
 * {@code additionalProperties: false}; int-or-string, preserve-unknown-fields and embedded resources; its own
 * messages and field paths), and pruning, defaulting and the CEL rules walk the same schema tree, so one small walk
 * does all four where a library would do the checks only and need its errors translated back.
 */
final class StructuralSchema {

  /** Fields every object of a kind has, whatever its schema says. */
  private static final Set<String> ROOT_FIELDS = Set.of("apiVersion", "kind", "metadata");
  private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

  private StructuralSchema() {}

  /** Removes undeclared fields from {@code object} and returns their paths ("spec.foo"), as the API server prunes. */
  static List<String> prune(ObjectNode object, JsonNode schema) {
    List<String> pruned = new ArrayList<>();
    pruneObject(object, schema, "", true, pruned);
    return pruned;
  }

  private static void prune(JsonNode value, JsonNode schema, String path, List<String> pruned) {
    if (value instanceof ObjectNode object) {
      pruneObject(object, schema, path, schema.path("x-kubernetes-embedded-resource").asBoolean(false), pruned);
    } else if (value instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        prune(array.get(i), schema.path("items"), path + "[" + i + "]", pruned);
      }
    }
  }

  private static void pruneObject(ObjectNode object, JsonNode schema, String path, boolean resource,
      List<String> pruned) {
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.path("additionalProperties");
    boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    for (Iterator<Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext(); ) {
      var field = fields.next();
      String key = field.getKey();
      String child = path.isEmpty() ? key : path + "." + key;
      if (properties.has(key)) {
        prune(field.getValue(), properties.get(key), child, pruned);
      } else if (additional.isObject()) {
        prune(field.getValue(), additional, child, pruned);
      } else if (!(resource && ROOT_FIELDS.contains(key)) && !preserve) {
        pruned.add(child);
        fields.remove();
      }
    }
  }

  /** Drops nulls where the schema allows none and no default replaces them, then applies the defaults. */
  static void applyDefaults(JsonNode value, JsonNode schema) {
    if (value instanceof ObjectNode object) {
      schema.path("properties").fields().forEachRemaining(property -> {
        JsonNode field = object.get(property.getKey());
        JsonNode fieldSchema = property.getValue();
        boolean nullable = fieldSchema.path("nullable").asBoolean(false);
        if ((field == null || (field.isNull() && !nullable)) && fieldSchema.has("default")) {
          object.set(property.getKey(), fieldSchema.get("default").deepCopy());
        } else if (field != null && field.isNull() && !nullable) {
          object.remove(property.getKey());
        }
        applyDefaults(object.get(property.getKey()), fieldSchema);
      });
      if (schema.path("additionalProperties").isObject()) {
        object.forEach(item -> applyDefaults(item, schema.get("additionalProperties")));
      }
    } else if (value instanceof ArrayNode array) {
      array.forEach(item -> applyDefaults(item, schema.path("items")));
    }
  }

  /** The schema's errors for {@code value} at {@code path} ("" for the object itself). */
  static List<FieldError> validate(JsonNode value, JsonNode schema, String path) {
    List<FieldError> errors = new ArrayList<>();
    validate(value, schema, path, errors);
    return errors;
  }

  private static void validate(JsonNode value, JsonNode schema, String path, List<FieldError> errors) {
    String type = schema.path("type").asText("");
    if (value.isNull()) {
      if (!schema.path("nullable").asBoolean(false) && !type.isEmpty()) {
        errors.add(new FieldError(FieldError.Type.TYPE_INVALID, path, "null", inBody(path)
            + " must be of type " + type + ": \"null\""));
      }
      return;
    }
    boolean intOrString = schema.path("x-kubernetes-int-or-string").asBoolean(false);
    if (intOrString ? !(value.isTextual() || isInteger(value)) : !type.isEmpty() && !hasType(value, type)) {
      String expected = intOrString ? "integer,string" : type;
      errors.add(new FieldError(FieldError.Type.TYPE_INVALID, path, jsonType(value), inBody(path)
          + " must be of type " + expected + ": " + FieldError.quote(jsonType(value))));
      return;
    }
    if (schema.has("enum") && !contains(schema.get("enum"), value)) {
      List<String> supported = new ArrayList<>();
      schema.get("enum").forEach(v -> supported.add(v.isTextual() ? v.asText() : v.toString()));
      errors.add(FieldError.notSupported(path, value, supported));
    }
    if (value.isTextual()) {
      validateString(value.asText(), value, schema, path, errors);
    } else if (value.isNumber()) {
      validateNumber(value, schema, path, errors);
    } else if (value instanceof ArrayNode array) {
      if (schema.has("maxItems") && array.size() > schema.get("maxItems").asLong()) {
        errors.add(FieldError.tooMany(path, array.size(), schema.get("maxItems").asLong()));
      }
      if (schema.has("minItems") && array.size() < schema.get("minItems").asLong()) {
        errors.add(FieldError.invalid(path, (long) array.size(), inBody(path) + " should have at least "
            + schema.get("minItems").asLong() + " items"));
      }
      for (int i = 0; i < array.size(); i++) {
        validate(array.get(i), schema.path("items"), path + "[" + i + "]", errors);
      }
    } else if (value instanceof ObjectNode object) {
      validateObject(object, schema, path, errors);
    }
  }

  private static void validateObject(ObjectNode object, JsonNode schema, String path, List<FieldError> errors) {
    if (schema.has("maxProperties") && object.size() > schema.get("maxProperties").asLong()) {
      errors.add(FieldError.tooMany(path, object.size(), schema.get("maxProperties").asLong()));
    }
    for (JsonNode required : schema.path("required")) {
      if (!object.has(required.asText())) {
        errors.add(FieldError.required(child(path, required.asText())));
      }
    }
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.path("additionalProperties");
    object.fields().forEachRemaining(field -> {
      if (properties.has(field.getKey())) {
        validate(field.getValue(), properties.get(field.getKey()), child(path, field.getKey()), errors);
      } else if (additional.isObject()) {
        validate(field.getValue(), additional, child(path, field.getKey()), errors);
      }
    });
  }

  private static void validateString(String text, JsonNode value, JsonNode schema, String path,
      List<FieldError> errors) {
    long length = text.codePointCount(0, text.length());
    if (schema.has("maxLength") && length > schema.get("maxLength").asLong()) {
      errors.add(FieldError.tooLong(path, schema.get("maxLength").asLong()));
    }
    if (schema.has("minLength") && length < schema.get("minLength").asLong()) {
      errors.add(FieldError.invalid(path, value, inBody(path) + " should be at least "
          + schema.get("minLength").asLong() + " chars long"));
    }
    if (schema.has("pattern")) {
      String pattern = schema.get("pattern").asText();
      if (!PATTERNS.computeIfAbsent(pattern, Pattern::compile).matcher(text).find()) {
        errors.add(FieldError.invalid(path, value, inBody(path) + " should match '" + pattern + "'"));
      }
    }
    String format = schema.path("format").asText("");
    if (!format.isEmpty() && !validFormat(format, text)) {
      errors.add(new FieldError(FieldError.Type.TYPE_INVALID, path, value, inBody(path) + " must be of type "
          + format + ": " + FieldError.quote(text)));
    }
  }

  private static void validateNumber(JsonNode value, JsonNode schema, String path, List<FieldError> errors) {
    double number = value.asDouble();
    if (schema.has("maximum")) {
      double maximum = schema.get("maximum").asDouble();
      boolean exclusive = schema.path("exclusiveMaximum").asBoolean(false);
      if (exclusive ? number >= maximum : number > maximum) {
        errors.add(FieldError.invalid(path, value, inBody(path) + " should be less than "
            + (exclusive ? "" : "or equal to ") + FieldError.show(schema.get("maximum"))));
      }
    }
    if (schema.has("minimum")) {
      double minimum = schema.get("minimum").asDouble();
      boolean exclusive = schema.path("exclusiveMinimum").asBoolean(false);
      if (exclusive ? number <= minimum : number < minimum) {
        errors.add(FieldError.invalid(path, value, inBody(path) + " should be greater than "
            + (exclusive ? "" : "or equal to ") + FieldError.show(schema.get("minimum"))));
      }
    }
  }

  /** The formats whose values the API server checks and our CRDs could use; others are documentation only. */
  private static boolean validFormat(String format, String text) {
    try {
      switch (format) {
        case "date-time" -> {
          try {
            OffsetDateTime.parse(text);
          } catch (DateTimeParseException e) {
            LocalDateTime.parse(text);
          }
        }
        case "date" -> LocalDate.parse(text);
        default -> {
          return true;
        }
      }
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static boolean hasType(JsonNode value, String type) {
    return switch (type) {
      case "string" -> value.isTextual();
      case "integer" -> isInteger(value);
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      case "array" -> value.isArray();
      case "object" -> value.isObject();
      default -> true;
    };
  }

  /** JSON has no integers: 3.0 is one, as for go-openapi. */
  private static boolean isInteger(JsonNode value) {
    return value.isIntegralNumber() || value.isNumber() && value.asDouble() == Math.rint(value.asDouble());
  }

  private static boolean contains(JsonNode values, JsonNode value) {
    for (JsonNode allowed : values) {
      if (allowed.equals(value) || allowed.isNumber() && value.isNumber() && allowed.asDouble() == value.asDouble()) {
        return true;
      }
    }
    return false;
  }

  static String jsonType(JsonNode value) {
    if (value.isTextual()) {
      return "string";
    }
    if (value.isIntegralNumber()) {
      return "integer";
    }
    if (value.isNumber()) {
      return "number";
    }
    if (value.isBoolean()) {
      return "boolean";
    }
    return value.isArray() ? "array" : value.isObject() ? "object" : "null";
  }

  static String child(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** kube-openapi names the value "PATH in body". */
  private static String inBody(String path) {
    return path + " in body";
  }
}
