package io.dynamobackup.operator.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The worst-case cost of one compiled rule, estimated as the API server estimates it with cel-go's cost estimator
 * (CEL-Java has none): every node costs 1, except that comparing, concatenating or searching strings, lists and maps
 * costs a tenth of their size, and a comprehension ({@code all}, {@code exists}, {@code map}, {@code filter}) costs
 * its body once per element. Sizes come from the schema: {@code maxLength}, {@code maxItems}, {@code maxProperties}.
 *
 * <p>Where the schema declares no bound, the API server assumes the largest value a request can carry (3 MiB); this
 * estimate does too, and also reports the rule as {@link #unbounded}: its cost then grows with whatever a user
 * writes, and the remedy is the bound the API server asks for ("adding maxItems, maxProperties, and maxLength where
 * arrays, maps, and strings are declared").
 */
record CelCostEstimate(long cost, boolean unbounded) {

  /** The API server's limit for one rule times the number of times it may run (StaticEstimatedCostLimit). */
  static final long PER_RULE_LIMIT = 10_000_000L;
  /** The API server's limit for all rules of one CRD (StaticEstimatedCRDCostLimit). */
  static final long PER_CRD_LIMIT = 100_000_000L;
  /** The size the API server assumes for an unbounded string or list: its request size limit. */
  static final long MAX_REQUEST_BYTES = 3L * 1024 * 1024;

  private static final Set<String> SIZE_COSTED = Set.of("_==_", "_!=_", "_+_", "_<_", "_<=_", "_>_", "_>=_",
      "contains", "startsWith", "endsWith", "matches", "@in");

  /** Estimates {@code ast}, a rule compiled for the schema node {@code schema}. */
  static CelCostEstimate of(CelAbstractSyntaxTree ast, JsonNode schema) {
    var walk = new Walk(ast);
    walk.scope.put("self", schema);
    walk.scope.put("oldSelf", schema);
    long cost = walk.cost(ast.getExpr());
    return new CelCostEstimate(cost, walk.unbounded);
  }

  /** The largest size a value of {@code schema} can have, if the schema bounds it. */
  static OptionalLong maxSize(JsonNode schema) {
    return switch (schema.path("type").asText("")) {
      case "string" -> bound(schema, "maxLength");
      case "array" -> bound(schema, "maxItems");
      case "object" -> schema.has("properties") ? OptionalLong.of(schema.get("properties").size())
          : bound(schema, "maxProperties");
      default -> OptionalLong.of(1);
    };
  }

  private static OptionalLong bound(JsonNode schema, String keyword) {
    return schema.has(keyword) ? OptionalLong.of(schema.get(keyword).asLong()) : OptionalLong.empty();
  }

  private static final class Walk {
    final CelAbstractSyntaxTree ast;
    final Map<String, JsonNode> scope = new HashMap<>();
    boolean unbounded;

    Walk(CelAbstractSyntaxTree ast) {
      this.ast = ast;
    }

    long cost(CelExpr expr) {
      return switch (expr.getKind()) {
        case CONSTANT, NOT_SET -> 0;
        case IDENT -> 1;
        case SELECT -> 1 + cost(expr.select().operand());
        case LIST -> 10 + expr.list().elements().stream().mapToLong(this::cost).sum();
        case MAP -> 30 + expr.map().entries().stream().mapToLong(e -> cost(e.key()) + cost(e.value())).sum();
        case STRUCT -> 40 + expr.struct().entries().stream().mapToLong(e -> cost(e.value())).sum();
        case CALL -> call(expr);
        case COMPREHENSION -> comprehension(expr.comprehension());
      };
    }

    private long call(CelExpr expr) {
      var call = expr.call();
      long cost = call.target().map(this::cost).orElse(0L) + call.args().stream().mapToLong(this::cost).sum();
      if (!SIZE_COSTED.contains(call.function())) {
        return cost + 1;
      }
      long size = 0;
      for (CelExpr operand : operands(call)) {
        if (sized(operand)) {
          size += size(operand);
        }
      }
      return cost + Math.max(1, (size + 9) / 10);
    }

    private List<CelExpr> operands(CelExpr.CelCall call) {
      List<CelExpr> operands = new ArrayList<>(call.args());
      call.target().ifPresent(target -> operands.add(0, target));
      return operands;
    }

    /** Strings, bytes, lists and maps: the values whose comparison costs grow with their size. */
    private boolean sized(CelExpr expr) {
      return ast.getType(expr.id()).map(t -> Set.of(CelKind.STRING, CelKind.BYTES, CelKind.LIST, CelKind.MAP,
          CelKind.STRUCT, CelKind.DYN).contains(t.kind())).orElse(true);
    }

    private long comprehension(CelExpr.CelComprehension loop) {
      long range = cost(loop.iterRange());
      JsonNode rangeSchema = schema(loop.iterRange());
      JsonNode element = rangeSchema.path("type").asText("").equals("array") ? rangeSchema.path("items")
          : MissingNode.getInstance();
      scope.put(loop.iterVar(), element);
      long body = cost(loop.loopCondition()) + cost(loop.loopStep());
      scope.remove(loop.iterVar());
      return range + cost(loop.accuInit()) + size(loop.iterRange()) * body + cost(loop.result());
    }

    /** The schema of the value {@code expr} yields, when it is a path from self, oldSelf or a loop variable. */
    private JsonNode schema(CelExpr expr) {
      if (expr.getKind() == CelExpr.ExprKind.Kind.IDENT) {
        return scope.getOrDefault(expr.ident().name(), MissingNode.getInstance());
      }
      if (expr.getKind() == CelExpr.ExprKind.Kind.SELECT && !expr.select().testOnly()) {
        JsonNode operand = schema(expr.select().operand());
        JsonNode property = operand.path("properties").path(expr.select().field());
        return property.isMissingNode() ? operand.path("additionalProperties") : property;
      }
      return MissingNode.getInstance();
    }

    /** The size the estimate assumes for {@code expr}'s value; unbounded sizes count as the request size limit. */
    private long size(CelExpr expr) {
      if (expr.getKind() == CelExpr.ExprKind.Kind.CONSTANT) {
        return expr.constant().getKind() == CelConstant.Kind.STRING_VALUE ? expr.constant().stringValue().length()
            : 1;
      }
      if (expr.getKind() == CelExpr.ExprKind.Kind.LIST) {
        return expr.list().elements().size();
      }
      JsonNode schema = schema(expr);
      OptionalLong size = schema.isMissingNode() ? OptionalLong.empty() : maxSize(schema);
      if (size.isEmpty()) {
        unbounded = true;
        return MAX_REQUEST_BYTES;
      }
      return size.getAsLong();
    }
  }
}
