package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** When a backup expires: after a duration from its creation, or at a fixed time. At most one of the two. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Retention {

  /**
   * A duration longer than zero, in the forms Durations reads: digits with one that is not 0, and a unit; or ISO-8601
   * without a minus sign and with a digit that is not 0. (RE2, as the API server evaluates it: no look-ahead.)
   */
  public static final String POSITIVE_DURATION = "^([0-9]*[1-9][0-9]*(ms|s|m|h|d)|P[^-]*[1-9][^-]*)$";

  @JsonPropertyDescription("Delete the backup this long after it was created: 90m, 720h, 30d (or ISO-8601, PT720H);"
      + " longer than zero.")
  @Pattern(POSITIVE_DURATION)
  public String expireAfter;

  @JsonPropertyDescription("Delete the backup at this time (RFC 3339, e.g. 2027-01-01T00:00:00Z).")
  public String expiresAt;
}
