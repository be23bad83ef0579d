package io.dynamobackup.operator.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** A field selector (a=b,c!=d) evaluated on objects, as the API server does for list and watch. */
record FieldSelector(List<Term> terms) {

  record Term(String path, String value, boolean equal) {}

  static FieldSelector parse(String selector) {
    List<Term> terms = new ArrayList<>();
    if (selector != null && !selector.isBlank()) {
      for (String part : selector.split(",")) {
        boolean notEqual = part.contains("!=");
        String[] sides = part.split(notEqual ? "!=" : "==?", 2);
        terms.add(new Term(sides[0].trim(), sides.length > 1 ? sides[1].trim() : "", !notEqual));
      }
    }
    return new FieldSelector(terms);
  }

  boolean isEmpty() {
    return terms.isEmpty();
  }

  boolean matches(JsonNode object) {
    for (Term term : terms) {
      JsonNode node = object;
      for (String key : term.path().split("\\.")) {
        node = node == null ? null : node.get(key);
      }
      String actual = node == null || node.isNull() ? "" : node.asText();
      if (actual.equals(term.value()) != term.equal()) {
        return false;
      }
    }
    return true;
  }
}
