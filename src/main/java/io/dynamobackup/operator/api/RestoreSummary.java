package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** DynamoDB's RestoreSummary of a restored table, in lowerCamelCase; the time is RFC 3339. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RestoreSummary {
  public String sourceBackupArn;
  public String sourceTableArn;
  public String restoreDateTime;
  public Boolean restoreInProgress;
}
