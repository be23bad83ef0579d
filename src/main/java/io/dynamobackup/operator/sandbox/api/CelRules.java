package io.dynamobackup.operator.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelException;
import dev.cel.common.CelOptions;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code x-kubernetes-validations} rules of a CRD, compiled and evaluated with Google's CEL-Java as the API server
 * does with cel-go: {@code self} is the value at the rule's schema node, typed from the structural schema (objects
 * with properties as struct types, so that a misspelt field does not compile; maps, lists, strings, integers,
 * numbers, booleans; int-or-string and preserve-unknown-fields objects as dyn), and {@code oldSelf} its value before
 * an update. A rule that uses {@code oldSelf} is a transition rule: evaluated only on update, where the old object has
 * a value at the same place.
 *
 * <p>The environment is CEL's standard one with its macros ({@code has}, {@code all}, {@code exists}, ...), which is
 * all our CRDs' rules use; the Kubernetes library's extension functions ({@code isURL}, {@code quantity}, regex
 * {@code find}, list {@code indexOf}, ...) are not declared, so a rule needing one fails to compile here first
 * ({@code CrdCelRulesTest}). Strings with {@code format: date-time} stay strings, where the API server makes them
 * timestamps; a rule comparing one with a timestamp fails to compile here rather than pass wrongly.
 */
final class CelRules {

  /** The API server's per-call cost limit lets a comprehension run about this long; a runaway rule stops there. */
  private static final CelOptions OPTIONS = CelOptions.current().comprehensionMaxIterations(100_000).build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

  /** One rule of one schema node, compiled. */
  record Rule(String expression, String message, CelAbstractSyntaxTree ast,
      CelRuntime.Program program, boolean transition) {

    /** The API server's message for a failed rule: its message, else "failed rule: " and the rule. */
    String failure() {
      return message.isBlank() ? "failed rule: " + expression.strip() : message.strip();
    }

    /** How the API server names the rule in evaluation errors: its message, else the rule. */
    String name() {
      return message.isBlank() ? expression.strip() : message.strip();
    }
  }

  /** A rule that does not compile, with CEL's explanation. */
  static final class CompileError extends RuntimeException {
    CompileError(String expression, String issues) {
      super("rule " + expression + " does not compile: " + issues);
    }
  }

  private CelRules() {}

  /** The rules of {@code schema} (one node of a structural schema), compiled; none when it has none. */
  static List<Rule> compile(JsonNode schema) {
    JsonNode rules = schema.path("x-kubernetes-validations");
    if (rules.isEmpty()) {
      return List.of();
    }
    var types = new SchemaTypes();
    CelType self = types.of(schema, "self");
    CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
        .setOptions(OPTIONS)
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .setTypeProvider(types)
        .addVar("self", self)
        .addVar("oldSelf", self)
        .setResultType(SimpleType.BOOL)
        .build();
    List<Rule> compiled = new ArrayList<>();
    for (JsonNode rule : rules) {
      String expression = rule.path("rule").asText();
      for (String unsupported : List.of("messageExpression", "fieldPath", "reason", "optionalOldSelf")) {
        if (rule.has(unsupported)) {
          throw new CompileError(expression, unsupported + " is not evaluated by the sandbox");
        }
      }
      try {
        CelAbstractSyntaxTree ast = compiler.compile(expression).getAst();
        boolean transition = CelNavigableAst.fromAst(ast).getRoot().allNodes()
            .anyMatch(node -> node.getKind() == CelExpr.ExprKind.Kind.IDENT
                && node.expr().ident().name().equals("oldSelf"));
        compiled.add(new Rule(expression, rule.path("message").asText(""), ast, RUNTIME.createProgram(ast),
            transition));
      } catch (CelException e) {
        throw new CompileError(expression, e.getMessage());
      }
    }
    return List.copyOf(compiled);
  }

  /** True, false, or the evaluation error as the API server words it ("no such key: x"). */
  static Object evaluate(Rule rule, JsonNode self, JsonNode oldSelf) {
    Map<String, Object> variables = new HashMap<>();
    variables.put("self", value(self));
    if (oldSelf != null) {
      variables.put("oldSelf", value(oldSelf));
    }
    try {
      return rule.program().eval(variables);
    } catch (CelEvaluationException e) {
      // cel-go's words for the errors a rule over absent fields or bad arithmetic meets
      return new IllegalArgumentException(e.getMessage().replaceFirst("^evaluation error( at <input>:\\d+)?: ", "")
          .replaceFirst("^key '(.*)' is not present in map\\.$", "no such key: $1")
          .replaceFirst("^/ by zero$", "division by zero"));
    }
  }

  /** A JSON value as CEL sees it: maps, lists, strings, 64-bit integers, doubles, booleans, null. */
  static Object value(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return NullValue.NULL_VALUE;
    }
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> map.put(e.getKey(), value(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(item -> list.add(value(item)));
      return list;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }

  /**
   * CEL types for the nodes of a structural schema. Object types are named by their path under a prefix: a type named
   * like an expression ("self.retention") would make the checker read that expression as the type.
   */
  static final class SchemaTypes implements CelTypeProvider {

    private static final String PREFIX = "crdschema.";

    private final Map<String, StructType> structs = new LinkedHashMap<>();

    CelType of(JsonNode schema, String path) {
      if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
        return SimpleType.DYN;
      }
      return switch (schema.path("type").asText("")) {
        case "string" -> SimpleType.STRING;
        case "integer" -> SimpleType.INT;
        case "number" -> SimpleType.DOUBLE;
        case "boolean" -> SimpleType.BOOL;
        case "array" -> ListType.create(of(schema.path("items"), path + ".@idx"));
        case "object" -> objectType(schema, path);
        default -> SimpleType.DYN;
      };
    }

    private CelType objectType(JsonNode schema, String path) {
      if (schema.path("additionalProperties").isObject()) {
        return MapType.create(SimpleType.STRING, of(schema.path("additionalProperties"), path + ".@prop"));
      }
      if (!schema.has("properties")) {
        return schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false) ? SimpleType.DYN
            : MapType.create(SimpleType.STRING, SimpleType.DYN);
      }
      Map<String, CelType> fields = new LinkedHashMap<>();
      schema.path("properties").fields().forEachRemaining(e -> fields.put(e.getKey(),
          of(e.getValue(), path + "." + e.getKey())));
      StructType struct = StructType.create(PREFIX + path, ImmutableSet.copyOf(fields.keySet()),
          name -> Optional.ofNullable(fields.get(name)));
      structs.put(struct.name(), struct);
      return struct;
    }

    @Override
    public ImmutableCollection<CelType> types() {
      return ImmutableList.copyOf(structs.values());
    }

    @Override
    public Optional<CelType> findType(String name) {
      return Optional.ofNullable(structs.get(name));
    }
  }
}
