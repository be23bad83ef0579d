package io.dynamobackup.operator.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simple JSON paths of CRD printer columns: {@code .a.b}, {@code .a[0].b} and
 * {@code .conditions[?(@.type=="Ready")].status}.
 */
final class JsonPaths {

  private static final Pattern STEP =
      Pattern.compile("\\.([^.\\[]+)|\\[(\\d+)]|\\[\\?\\(@\\.([^=]+)==['\"]([^'\"]*)['\"]\\)]");

  private JsonPaths() {}

  static JsonNode find(JsonNode root, String path) {
    JsonNode node = root;
    Matcher matcher = STEP.matcher(path);
    int position = 0;
    while (node != null && matcher.find(position) && matcher.start() == position) {
      if (matcher.group(1) != null) {
        node = node.get(matcher.group(1));
      } else if (matcher.group(2) != null) {
        node = node.get(Integer.parseInt(matcher.group(2)));
      } else {
        JsonNode match = null;
        for (JsonNode element : node) {
          if (matcher.group(4).equals(element.path(matcher.group(3)).asText(null))) {
            match = element;
            break;
          }
        }
        node = match;
      }
      position = matcher.end();
    }
    return position == path.length() ? node : null;
  }
}
