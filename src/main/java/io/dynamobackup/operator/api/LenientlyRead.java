package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.ArrayList;
import java.util.List;

/**
 * A spec or status read field by field ({@link LenientDeserializer}): a field of the wrong type is left out and named
 * in {@link #typeErrors()}, so that the one object is refused instead of the informer failing for every object of its
 * kind (an API server without the schema, or an older CRD, stores anything). Unknown fields are ignored, as the API
 * server prunes them.
 */
@JsonDeserialize(using = LenientDeserializer.class)
public abstract class LenientlyRead {

  @JsonIgnore
  private final List<String> typeErrors = new ArrayList<>();
  @JsonIgnore
  private final String path;

  /** @param path where this stands in its object, for the messages: "spec" or "status" */
  protected LenientlyRead(String path) {
    this.path = path;
  }

  String path() {
    return path;
  }

  /** "spec.field: expected ..., got ..." for each field that was left out; empty when all were read. */
  public List<String> typeErrors() {
    return typeErrors;
  }
}
