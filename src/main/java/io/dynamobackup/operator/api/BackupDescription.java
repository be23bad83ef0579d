package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The AWS BackupDescription (as DescribeBackup and DeleteBackup return it) in lowerCamelCase. Timestamps are
 * RFC 3339 strings.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupDescription {
  public BackupDetails backupDetails;
  public SourceTableDetails sourceTableDetails;
  public SourceTableFeatureDetails sourceTableFeatureDetails;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class BackupDetails {
    public String backupArn;
    public String backupName;
    public Long backupSizeBytes;
    public String backupStatus;
    public String backupType;
    public String backupCreationDateTime;
    public String backupExpiryDateTime;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SourceTableDetails {
    public String tableName;
    public String tableId;
    public String tableArn;
    public Long tableSizeBytes;
    public List<KeySchemaElement> keySchema;
    public String tableCreationDateTime;
    public ProvisionedThroughput provisionedThroughput;
    public Long itemCount;
    public String billingMode;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SourceTableFeatureDetails {
    public List<LocalSecondaryIndexInfo> localSecondaryIndexes;
    public List<GlobalSecondaryIndexInfo> globalSecondaryIndexes;
    public StreamDescription streamDescription;
    public TimeToLiveDescription timeToLiveDescription;
    public SseDescription sseDescription;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class KeySchemaElement {
    public String attributeName;
    public String keyType;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ProvisionedThroughput {
    public Long readCapacityUnits;
    public Long writeCapacityUnits;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Projection {
    public String projectionType;
    public List<String> nonKeyAttributes;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class LocalSecondaryIndexInfo {
    public String indexName;
    public List<KeySchemaElement> keySchema;
    public Projection projection;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class GlobalSecondaryIndexInfo {
    public String indexName;
    public List<KeySchemaElement> keySchema;
    public Projection projection;
    public ProvisionedThroughput provisionedThroughput;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class StreamDescription {
    public Boolean streamEnabled;
    public String streamViewType;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class TimeToLiveDescription {
    public String timeToLiveStatus;
    public String attributeName;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SseDescription {
    public String status;
    public String sseType;
    public String kmsMasterKeyArn;
    public String inaccessibleEncryptionDateTime;
  }
}
