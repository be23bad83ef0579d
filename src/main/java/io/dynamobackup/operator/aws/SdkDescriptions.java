package io.dynamobackup.operator.aws;

import io.dynamobackup.operator.api.BackupDescription;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.model.BackupDetails;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;

/** Maps the SDK's BackupDescription onto the mirrored api type, field by field; absent stays null. */
final class SdkDescriptions {

  private SdkDescriptions() {}

  /** CreateBackup answers only BackupDetails. */
  static BackupDescription toApi(BackupDetails details) {
    var description = new BackupDescription();
    description.backupDetails = details(details);
    return description;
  }

  static BackupDescription toApi(software.amazon.awssdk.services.dynamodb.model.BackupDescription sdk) {
    if (sdk == null) {
      return null;
    }
    var description = new BackupDescription();
    description.backupDetails = details(sdk.backupDetails());
    var source = sdk.sourceTableDetails();
    if (source != null) {
      var table = new BackupDescription.SourceTableDetails();
      table.tableName = source.tableName();
      table.tableId = source.tableId();
      table.tableArn = source.tableArn();
      table.tableSizeBytes = source.tableSizeBytes();
      table.keySchema = source.hasKeySchema() ? map(source.keySchema(), SdkDescriptions::key) : null;
      table.tableCreationDateTime = time(source.tableCreationDateTime());
      table.provisionedThroughput = throughput(source.provisionedThroughput());
      table.itemCount = source.itemCount();
      table.billingMode = source.billingModeAsString();
      description.sourceTableDetails = table;
    }
    var features = sdk.sourceTableFeatureDetails();
    if (features != null) {
      var out = new BackupDescription.SourceTableFeatureDetails();
      if (features.hasLocalSecondaryIndexes()) {
        out.localSecondaryIndexes = map(features.localSecondaryIndexes(), index -> {
          var lsi = new BackupDescription.LocalSecondaryIndexInfo();
          lsi.indexName = index.indexName();
          lsi.keySchema = index.hasKeySchema() ? map(index.keySchema(), SdkDescriptions::key) : null;
          lsi.projection = projection(index.projection());
          return lsi;
        });
      }
      if (features.hasGlobalSecondaryIndexes()) {
        out.globalSecondaryIndexes = map(features.globalSecondaryIndexes(), index -> {
          var gsi = new BackupDescription.GlobalSecondaryIndexInfo();
          gsi.indexName = index.indexName();
          gsi.keySchema = index.hasKeySchema() ? map(index.keySchema(), SdkDescriptions::key) : null;
          gsi.projection = projection(index.projection());
          gsi.provisionedThroughput = throughput(index.provisionedThroughput());
          return gsi;
        });
      }
      if (features.streamDescription() != null) {
        out.streamDescription = new BackupDescription.StreamDescription();
        out.streamDescription.streamEnabled = features.streamDescription().streamEnabled();
        out.streamDescription.streamViewType = features.streamDescription().streamViewTypeAsString();
      }
      if (features.timeToLiveDescription() != null) {
        out.timeToLiveDescription = new BackupDescription.TimeToLiveDescription();
        out.timeToLiveDescription.timeToLiveStatus = features.timeToLiveDescription().timeToLiveStatusAsString();
        out.timeToLiveDescription.attributeName = features.timeToLiveDescription().attributeName();
      }
      if (features.sseDescription() != null) {
        var sse = features.sseDescription();
        out.sseDescription = new BackupDescription.SseDescription();
        out.sseDescription.status = sse.statusAsString();
        out.sseDescription.sseType = sse.sseTypeAsString();
        out.sseDescription.kmsMasterKeyArn = sse.kmsMasterKeyArn();
        out.sseDescription.inaccessibleEncryptionDateTime = time(sse.inaccessibleEncryptionDateTime());
      }
      description.sourceTableFeatureDetails = out;
    }
    return description;
  }

  private static BackupDescription.BackupDetails details(BackupDetails sdk) {
    if (sdk == null) {
      return null;
    }
    var details = new BackupDescription.BackupDetails();
    details.backupArn = sdk.backupArn();
    details.backupName = sdk.backupName();
    details.backupSizeBytes = sdk.backupSizeBytes();
    details.backupStatus = sdk.backupStatusAsString();
    details.backupType = sdk.backupTypeAsString();
    details.backupCreationDateTime = time(sdk.backupCreationDateTime());
    details.backupExpiryDateTime = time(sdk.backupExpiryDateTime());
    return details;
  }

  private static BackupDescription.KeySchemaElement key(KeySchemaElement sdk) {
    var key = new BackupDescription.KeySchemaElement();
    key.attributeName = sdk.attributeName();
    key.keyType = sdk.keyTypeAsString();
    return key;
  }

  private static BackupDescription.ProvisionedThroughput throughput(ProvisionedThroughput sdk) {
    if (sdk == null) {
      return null;
    }
    var throughput = new BackupDescription.ProvisionedThroughput();
    throughput.readCapacityUnits = sdk.readCapacityUnits();
    throughput.writeCapacityUnits = sdk.writeCapacityUnits();
    return throughput;
  }

  private static BackupDescription.Projection projection(Projection sdk) {
    if (sdk == null) {
      return null;
    }
    var projection = new BackupDescription.Projection();
    projection.projectionType = sdk.projectionTypeAsString();
    projection.nonKeyAttributes = sdk.hasNonKeyAttributes() ? List.copyOf(sdk.nonKeyAttributes()) : null;
    return projection;
  }

  private static String time(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private static <A, B> List<B> map(List<A> items, Function<A, B> mapper) {
    return items.stream().map(mapper).toList();
  }
}
