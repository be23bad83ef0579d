package io.dynamobackup.operator.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Server-side printing: the meta.k8s.io/v1 Table a real API server answers for a custom resource when kubectl asks
 * with {@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}. Columns come from the CRD's
 * additionalPrinterColumns, after a Name column; date columns become ages the way the API server writes them.
 */
final class Tables {

  /** One printer column of a CRD version. */
  record Column(String name, String type, String format, String description, int priority, String jsonPath) {}

  /** A column path of our own for events' OBJECT column: kind/name, as kubectl shows it. */
  static final String INVOLVED_OBJECT = "@involvedObject";

  private final ObjectMapper json;
  private final Clock clock;

  Tables(ObjectMapper json, Clock clock) {
    this.json = json;
    this.clock = clock;
  }

  /** A Table of the given objects (the items of a list, or one object). */
  ObjectNode table(List<Column> columns, List<JsonNode> objects, String resourceVersion) {
    ObjectNode table = json.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    ObjectNode metadata = table.putObject("metadata");
    if (resourceVersion != null) {
      metadata.put("resourceVersion", resourceVersion);
    }
    ArrayNode definitions = table.putArray("columnDefinitions");
    definitions.addObject().put("name", "Name").put("type", "string").put("format", "name")
        .put("description", "Name must be unique within a namespace.").put("priority", 0);
    for (Column column : columns) {
      definitions.addObject().put("name", column.name()).put("type", column.type())
          .put("format", column.format() == null ? "" : column.format())
          .put("description", column.description() == null ? "" : column.description())
          .put("priority", column.priority());
    }
    ArrayNode rows = table.putArray("rows");
    for (JsonNode object : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      cells.add(object.path("metadata").path("name").asText());
      for (Column column : columns) {
        if (column.jsonPath().equals(INVOLVED_OBJECT)) {
          JsonNode involved = object.path("involvedObject");
          cells.add(involved.path("kind").asText().toLowerCase() + "/" + involved.path("name").asText());
        } else {
          cells.add(cell(column.type(), JsonPaths.find(object, column.jsonPath())));
        }
      }
      ObjectNode partial = row.putObject("object").put("kind", "PartialObjectMetadata")
          .put("apiVersion", "meta.k8s.io/v1");
      partial.set("metadata", object.path("metadata"));
    }
    return table;
  }

  private JsonNode cell(String type, JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return json.nullNode();
    }
    return switch (type) {
      case "integer" -> value.isNumber() ? json.getNodeFactory().numberNode(value.asLong()) : json.nullNode();
      case "number" -> value.isNumber() ? json.getNodeFactory().numberNode(value.asDouble()) : json.nullNode();
      case "boolean" -> value.isBoolean() ? value : json.nullNode();
      case "date" -> json.getNodeFactory().textNode(age(value.asText()));
      default -> json.getNodeFactory().textNode(value.isValueNode() ? value.asText() : value.toString());
    };
  }

  private String age(String timestamp) {
    try {
      return humanDuration(Duration.between(Instant.parse(timestamp), clock.instant()));
    } catch (DateTimeParseException e) {
      return "<invalid>";
    }
  }

  /** The API server's human-readable duration (apimachinery's HumanDuration): 45s, 3m20s, 5h, 12d ... */
  static String humanDuration(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds < -1) {
      return "<invalid>";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 120) {
      return seconds + "s";
    }
    long minutes = duration.toMinutes();
    if (minutes < 10) {
      long rest = seconds % 60;
      return rest == 0 ? minutes + "m" : minutes + "m" + rest + "s";
    } else if (minutes < 180) {
      return minutes + "m";
    }
    long hours = duration.toHours();
    if (hours < 8) {
      long rest = minutes % 60;
      return rest == 0 ? hours + "h" : hours + "h" + rest + "m";
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      long rest = hours % 24;
      return rest == 0 ? hours / 24 + "d" : hours / 24 + "d" + rest + "h";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      long days = (hours / 24) % 365;
      return days == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + days + "d";
    }
    return hours / 24 / 365 + "y";
  }
}
