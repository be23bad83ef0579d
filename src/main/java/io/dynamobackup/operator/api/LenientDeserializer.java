package io.dynamobackup.operator.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads a {@link LenientlyRead} class's public fields one by one from the JSON object: a field that does not fit its
 * type is left null and named in {@link LenientlyRead#typeErrors()}; unknown fields, also inside nested objects, are
 * ignored. One reader for every kind, told its type by Jackson ({@link ContextualDeserializer}).
 */
public final class LenientDeserializer extends StdDeserializer<LenientlyRead> implements ContextualDeserializer {

  /** Nested values are read by the default rules, minus the failure on unknown fields. */
  private static final ObjectMapper NESTED = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final JavaType type;

  public LenientDeserializer() {
    this(null);
  }

  private LenientDeserializer(JavaType type) {
    super(LenientlyRead.class);
    this.type = type;
  }

  @Override
  public JsonDeserializer<?> createContextual(DeserializationContext context, BeanProperty property) {
    JavaType contextual = property != null ? property.getType() : context.getContextualType();
    return new LenientDeserializer(contextual);
  }

  @Override
  public LenientlyRead deserialize(JsonParser parser, DeserializationContext context) throws IOException {
    JsonNode node = context.readTree(parser);
    LenientlyRead value = newInstance(type.getRawClass());
    String path = value.path();
    if (!node.isObject()) {
      value.typeErrors().add(path + " must be an object, not " + shown(node));
      return value;
    }
    for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
      var entry = fields.next();
      Field field = publicField(value.getClass(), entry.getKey());
      if (field == null || entry.getValue().isNull()) {
        continue; // unknown fields are pruned by an API server; null means absent
      }
      try {
        field.set(value, NESTED.readerFor(NESTED.constructType(field.getGenericType()))
            .readValue(entry.getValue()));
      } catch (IOException | IllegalArgumentException | IllegalAccessException e) {
        value.typeErrors().add(path + "." + entry.getKey() + " must be " + expected(field) + ", not "
            + shown(entry.getValue()));
      }
    }
    return value;
  }

  private static Field publicField(Class<?> type, String name) {
    try {
      Field field = type.getField(name);
      return Modifier.isStatic(field.getModifiers()) ? null : field;
    } catch (NoSuchFieldException e) {
      return null;
    }
  }

  private static String expected(Field field) {
    Class<?> type = field.getType();
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class) {
      return "true or false";
    }
    if (type == Integer.class || type == Long.class) {
      return "an integer";
    }
    if (type.isEnum()) {
      return "one of " + String.join(", ", Arrays.stream(type.getEnumConstants()).map(Object::toString).toList());
    }
    if (java.util.List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "a map";
    }
    return "an object with " + String.join(", ", Arrays.stream(type.getFields())
        .filter(f -> !Modifier.isStatic(f.getModifiers())).map(Field::getName).toList());
  }

  private static LenientlyRead newInstance(Class<?> type) {
    try {
      return (LenientlyRead) type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(type + " needs a no-argument constructor", e);
    }
  }

  private static String shown(JsonNode value) {
    String json = value.toString();
    return json.length() > 80 ? json.substring(0, 80) + "..." : json;
  }
}
