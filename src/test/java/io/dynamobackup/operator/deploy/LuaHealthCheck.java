package io.dynamobackup.operator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * An Argo CD resource health check (Lua) run as Argo CD runs it: the object as the global {@code obj}, the script's
 * returned table read as {status, message}. Each call gets fresh globals, so one evaluation cannot leak into the next.
 */
final class LuaHealthCheck {

  /** The statuses Argo CD accepts from a health script. */
  static final Set<String> STATUSES = Set.of("Healthy", "Progressing", "Degraded", "Suspended", "Missing");

  record Health(String status, String message) {}

  private final Path script;
  private final String source;

  private LuaHealthCheck(Path script, String source) {
    this.script = script;
    this.source = source;
  }

  static LuaHealthCheck load(Path script) {
    try {
      return new LuaHealthCheck(script, Files.readString(script));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Health run(JsonNode object) {
    var globals = JsePlatform.standardGlobals();
    globals.set("obj", toLua(object));
    LuaValue result = globals.load(source, script.getFileName().toString()).call();
    if (!result.istable()) {
      throw new AssertionError(script + " returned " + result.typename() + ", not a table");
    }
    String status = result.get("status").optjstring(null);
    if (!STATUSES.contains(status)) {
      throw new AssertionError(script + " returned status " + status + ", which Argo CD does not accept");
    }
    return new Health(status, result.get("message").optjstring(""));
  }

  /** JSON as Argo CD hands it to Lua: objects and arrays become tables (arrays 1-based), null becomes nil. */
  static LuaValue toLua(JsonNode node) {
    if (node.isObject()) {
      var table = new LuaTable();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        table.set(field.getKey(), toLua(field.getValue()));
      }
      return table;
    }
    if (node.isArray()) {
      var table = new LuaTable();
      for (int i = 0; i < node.size(); i++) {
        table.set(i + 1, toLua(node.get(i)));
      }
      return table;
    }
    if (node.isTextual()) {
      return LuaValue.valueOf(node.textValue());
    }
    if (node.isBoolean()) {
      return LuaValue.valueOf(node.booleanValue());
    }
    if (node.isIntegralNumber() && node.canConvertToInt()) {
      return LuaValue.valueOf(node.intValue());
    }
    if (node.isNumber()) {
      return LuaValue.valueOf(node.doubleValue());
    }
    return LuaValue.NIL;
  }
}
