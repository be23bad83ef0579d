package io.dynamobackup.operator.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One field's validation error, worded as apimachinery's field.Error (Kubernetes 1.32): its {@link #body()} is the
 * Status cause's message, {@code field + ": " + body} the line kubectl prints.
 *
 * @param value the bad value as the API server shows it: a JSON value, or for CEL rules the schema's type name
 */
record FieldError(Type type, String field, Object value, String detail) {

  /** Cause types (StatusCause.reason) and the words that open the message. */
  enum Type {
    REQUIRED("FieldValueRequired", "Required value", false),
    INVALID("FieldValueInvalid", "Invalid value", true),
    TYPE_INVALID("FieldValueTypeInvalid", "Invalid value", true),
    NOT_SUPPORTED("FieldValueNotSupported", "Unsupported value", true),
    TOO_LONG("FieldValueTooLong", "Too long", false),
    TOO_MANY("FieldValueTooMany", "Too many", true),
    FORBIDDEN("FieldValueForbidden", "Forbidden", false);

    final String reason;
    final String words;
    final boolean showsValue;

    Type(String reason, String words, boolean showsValue) {
      this.reason = reason;
      this.words = words;
      this.showsValue = showsValue;
    }

    /**
     * Errors after which the API server does not evaluate CEL rules (hasBlockingErr): their values may not have the
     * type the rules were compiled for.
     */
    boolean blocksRules() {
      return this == REQUIRED || this == TYPE_INVALID || this == NOT_SUPPORTED || this == TOO_LONG || this == TOO_MANY;
    }
  }

  /** What the API server reports instead of CEL errors when the object is already invalid. */
  static final FieldError RULES_NOT_CHECKED = new FieldError(Type.INVALID, "<nil>", null,
      "some validation rules were not checked because the object was invalid; correct the existing errors to"
          + " complete validation");

  static FieldError required(String field) {
    return new FieldError(Type.REQUIRED, field, null, "");
  }

  static FieldError invalid(String field, Object value, String detail) {
    return new FieldError(Type.INVALID, field, value, detail);
  }

  static FieldError notSupported(String field, Object value, List<String> supported) {
    return new FieldError(Type.NOT_SUPPORTED, field, value, "supported values: "
        + supported.stream().map(FieldError::quote).collect(Collectors.joining(", ")));
  }

  /** The API server says bytes but counts characters (go-openapi's maxLength), as here. */
  static FieldError tooLong(String field, long maxLength) {
    return new FieldError(Type.TOO_LONG, field, null, "may not be more than " + maxLength + " bytes");
  }

  static FieldError tooMany(String field, int actual, long maxItems) {
    return new FieldError(Type.TOO_MANY, field, (long) actual, "must have at most " + maxItems + " items");
  }

  /** The message without the field: "Invalid value: \"bad name!\": spec.tableName in body should match '...'". */
  String body() {
    String body = type.words;
    if (type.showsValue) {
      body += ": " + show(value);
    }
    return detail.isEmpty() ? body : body + ": " + detail;
  }

  @Override
  public String toString() {
    return field + ": " + body();
  }

  ObjectNode cause(ObjectNode into) {
    return into.put("reason", type.reason).put("message", body()).put("field", field);
  }

  /** Go's %v for numbers and booleans, %q for strings, JSON for anything else. */
  static String show(Object value) {
    if (value == null) {
      return quote("null");
    }
    if (value instanceof String text) {
      return quote(text);
    }
    if (value instanceof JsonNode node) {
      if (node.isTextual()) {
        return quote(node.asText());
      }
      if (node.isNull()) {
        return quote("null");
      }
      return node.isValueNode() ? number(node) : node.toString();
    }
    return String.valueOf(value);
  }

  private static String number(JsonNode node) {
    return node.isFloatingPointNumber() && node.asDouble() == Math.rint(node.asDouble())
        ? Long.toString((long) node.asDouble()) : node.asText();
  }

  /** Go's strconv.Quote, for the printable text that manifests hold: quotes and backslashes escaped. */
  static String quote(String text) {
    var out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
