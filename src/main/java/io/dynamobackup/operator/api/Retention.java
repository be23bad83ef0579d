package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** When a backup expires: after a duration from its creation, or at a fixed time. At most one of the two. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Retention {

  @JsonPropertyDescription("Delete the backup this long after it was created: 90m, 720h, 30d (or ISO-8601, PT720H).")
  @Pattern("^(\\d+(ms|s|m|h|d)|P.+)$")
  public String expireAfter;

  @JsonPropertyDescription("Delete the backup at this time (RFC 3339, e.g. 2027-01-01T00:00:00Z).")
  public String expiresAt;
}
