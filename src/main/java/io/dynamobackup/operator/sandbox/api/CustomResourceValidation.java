package io.dynamobackup.operator.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * One write of a custom resource, judged as the API server judges it: pruning with the request's fieldValidation
 * (Strict refuses unknown fields, Warn, the default, prunes them with a warning, Ignore prunes silently), defaults,
 * the structural schema, then the CEL rules (transition rules only on update), unless the schema already found
 * errors that make them unsafe. Refusals carry the API server's Status: 422 Invalid with a cause per field, or, for a
 * strict decoding error, 400 BadRequest on create and update and 422 on patch.
 *
 * <p>Not done: ratcheting (an update that leaves an invalid value unchanged is refused here, where Kubernetes 1.30+
 * lets it pass), ObjectMeta validation, and list-type map correlation of transition rules in lists.
 */
final class CustomResourceValidation {

  /** fieldValidation: what to do with fields the schema does not declare. */
  enum Directive {
    STRICT, WARN, IGNORE;

    static Directive of(String fieldValidation) {
      return fieldValidation == null || fieldValidation.isEmpty() ? WARN : valueOf(fieldValidation.toUpperCase());
    }
  }

  /** How the object came: the shape of a strict decoding refusal differs. */
  enum Write { CREATE, UPDATE, PATCH }

  /** The object to store (pruned and defaulted) and the warnings to send, or the refusal to answer. */
  record Outcome(ObjectNode object, List<String> warnings, int code, ObjectNode status) {
    boolean accepted() {
      return status == null;
    }
  }

  private final ObjectMapper json;
  /** Compiled rules by schema node: compiling takes milliseconds, a request should not. */
  private final Map<JsonNode, List<CelRules.Rule>> rules = new ConcurrentHashMap<>();

  CustomResourceValidation(ObjectMapper json) {
    this.json = json;
  }

  /** Judges {@code object} (changed in place) against {@code resource}'s schema; {@code old} is null on create. */
  Outcome judge(ApiCatalog.Resource resource, ObjectNode object, JsonNode old, Directive directive, Write write) {
    JsonNode schema = resource.schema();
    List<String> unknown = StructuralSchema.prune(object, schema);
    if (!unknown.isEmpty() && directive == Directive.STRICT) {
      return strictDecodingError(resource, object, unknown, write);
    }
    List<String> warnings = directive == Directive.WARN
        ? unknown.stream().map(field -> "unknown field " + FieldError.quote(field)).toList() : List.of();
    StructuralSchema.applyDefaults(object, schema);
    List<FieldError> errors = new ArrayList<>(StructuralSchema.validate(object, schema, ""));
    if (errors.stream().anyMatch(e -> e.type().blocksRules())) {
      errors.add(FieldError.RULES_NOT_CHECKED);
    } else {
      checkRules(object, old, schema, "", errors);
    }
    if (!errors.isEmpty()) {
      String name = object.path("metadata").path("name").asText("");
      return new Outcome(object, warnings, 422, invalid(resource.group(), resource.kind(), name, errors));
    }
    return new Outcome(object, warnings, 0, null);
  }

  private void checkRules(JsonNode value, JsonNode old, JsonNode schema, String path, List<FieldError> errors) {
    if (value == null || value.isNull() || schema.isMissingNode()) {
      return;
    }
    String type = schema.path("type").asText("");
    // the API server's path of the object itself is a nil field.Path, printed "<nil>"
    String field = path.isEmpty() ? "<nil>" : path;
    List<CelRules.Rule> compiled;
    try {
      compiled = rules.computeIfAbsent(schema, CelRules::compile);
    } catch (CelRules.CompileError e) {
      errors.add(FieldError.invalid(field, type, "rule compile error: " + e.getMessage()));
      return;
    }
    for (CelRules.Rule rule : compiled) {
      if (rule.transition() && (old == null || old.isNull())) {
        continue;
      }
      Object result = CelRules.evaluate(rule, value, old);
      if (result instanceof Exception e) {
        errors.add(FieldError.invalid(field, type, e.getMessage() + " evaluating rule: " + rule.name()));
      } else if (!Boolean.TRUE.equals(result)) {
        errors.add(FieldError.invalid(field, type, rule.failure()));
      }
    }
    if (value instanceof ObjectNode object) {
      JsonNode properties = schema.path("properties");
      JsonNode additional = schema.path("additionalProperties");
      object.fields().forEachRemaining(entry -> {
        JsonNode entrySchema = properties.has(entry.getKey()) ? properties.get(entry.getKey()) : additional;
        JsonNode oldEntry = old == null ? null : old.get(entry.getKey());
        checkRules(entry.getValue(), oldEntry, entrySchema, StructuralSchema.child(path, entry.getKey()), errors);
      });
    } else if (value instanceof ArrayNode array) {
      // list items have no old value to compare with unless the list is a map keyed by fields (none of ours is)
      for (int i = 0; i < array.size(); i++) {
        checkRules(array.get(i), null, schema.path("items"), path + "[" + i + "]", errors);
      }
    }
  }

  /** 422 Invalid with one cause per field error: what kubectl prints as "The KIND "NAME" is invalid: ...". */
  ObjectNode invalid(String group, String kind, String name, List<FieldError> errors) {
    Set<String> lines = new LinkedHashSet<>();
    errors.forEach(e -> lines.add(e.toString()));
    String aggregate = lines.size() == 1 ? lines.iterator().next() : "[" + String.join(", ", lines) + "]";
    String qualifiedKind = group.isEmpty() ? kind : kind + "." + group;
    ObjectNode status = status(422, "Invalid", qualifiedKind + " " + FieldError.quote(name) + " is invalid: "
        + aggregate);
    ObjectNode details = status.putObject("details");
    // empty ones are left out, as Go's omitempty does; kubectl then says "The request is invalid"
    for (String[] field : new String[][] {{"name", name}, {"group", group}, {"kind", kind}}) {
      if (!field[1].isEmpty()) {
        details.put(field[0], field[1]);
      }
    }
    ArrayNode causes = details.putArray("causes");
    errors.forEach(e -> e.cause(causes.addObject()));
    return status;
  }

  private Outcome strictDecodingError(ApiCatalog.Resource resource, ObjectNode object, List<String> unknown,
      Write write) {
    String error = "strict decoding error: " + unknown.stream().map(f -> "unknown field " + FieldError.quote(f))
        .collect(Collectors.joining(", "));
    if (write == Write.PATCH) {
      // the patch handler reports the patched object as the invalid value of "patch", with no kind or name
      return new Outcome(object, List.of(), 422, invalid("", "", "", List.of(FieldError.invalid("patch",
          object.toString(), error))));
    }
    return new Outcome(object, List.of(), 400, status(400, "BadRequest", resource.kind() + " in version "
        + FieldError.quote(resource.version()) + " cannot be handled as a " + resource.kind() + ": " + error));
  }

  private ObjectNode status(int code, String reason, String message) {
    ObjectNode status = json.createObjectNode().put("kind", "Status").put("apiVersion", "v1");
    status.putObject("metadata");
    return status.put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
  }
}
