package io.dynamobackup.operator.aws;

import io.dynamobackup.operator.api.BackupDescription;
import io.dynamobackup.operator.api.RestoreSummary;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;
import software.amazon.awssdk.services.dynamodb.model.RestoreTableFromBackupRequest;
import software.amazon.awssdk.services.dynamodb.model.SSESpecification;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/** Maps restore requests onto the SDK's, and its TableDescription onto {@link TableState}; absent stays null. */
final class SdkTables {

  private SdkTables() {}

  static RestoreTableFromBackupRequest toSdk(RestoreRequest request) {
    var builder = RestoreTableFromBackupRequest.builder()
        .backupArn(request.backupArn())
        .targetTableName(request.targetTableName());
    if (request.billingMode() != null) {
      builder.billingModeOverride(request.billingMode().name());
    }
    if (request.provisionedThroughput() != null) {
      builder.provisionedThroughputOverride(throughput(request.provisionedThroughput()));
    }
    var sse = request.sseSpecification();
    if (sse != null) {
      builder.sseSpecificationOverride(SSESpecification.builder().enabled(sse.enabled).sseType(sse.sseType)
          .kmsMasterKeyId(sse.kmsMasterKeyId).build());
    }
    if (request.globalSecondaryIndexes() != null) {
      builder.globalSecondaryIndexOverride(request.globalSecondaryIndexes().stream()
          .map(index -> GlobalSecondaryIndex.builder()
              .indexName(index.indexName)
              .keySchema(keys(index.keySchema))
              .projection(projection(index.projection))
              .provisionedThroughput(index.provisionedThroughput == null ? null
                  : throughput(index.provisionedThroughput))
              .build())
          .toList());
    }
    if (request.localSecondaryIndexes() != null) {
      builder.localSecondaryIndexOverride(request.localSecondaryIndexes().stream()
          .map(index -> LocalSecondaryIndex.builder()
              .indexName(index.indexName)
              .keySchema(keys(index.keySchema))
              .projection(projection(index.projection))
              .build())
          .toList());
    }
    return builder.build();
  }

  static TableState toState(TableDescription table) {
    RestoreSummary summary = null;
    if (table.restoreSummary() != null) {
      var sdk = table.restoreSummary();
      summary = new RestoreSummary();
      summary.sourceBackupArn = sdk.sourceBackupArn();
      summary.sourceTableArn = sdk.sourceTableArn();
      summary.restoreDateTime = sdk.restoreDateTime() == null ? null : sdk.restoreDateTime().toString();
      summary.restoreInProgress = sdk.restoreInProgress();
    }
    return new TableState(table.tableName(), table.tableArn(), table.tableId(), table.tableStatusAsString(),
        summary);
  }

  private static ProvisionedThroughput throughput(BackupDescription.ProvisionedThroughput throughput) {
    return ProvisionedThroughput.builder().readCapacityUnits(throughput.readCapacityUnits)
        .writeCapacityUnits(throughput.writeCapacityUnits).build();
  }

  private static List<KeySchemaElement> keys(List<BackupDescription.KeySchemaElement> keys) {
    return keys == null ? null : keys.stream()
        .map(k -> KeySchemaElement.builder().attributeName(k.attributeName).keyType(k.keyType).build())
        .toList();
  }

  private static Projection projection(BackupDescription.Projection projection) {
    return projection == null ? null : Projection.builder().projectionType(projection.projectionType)
        .nonKeyAttributes(projection.nonKeyAttributes).build();
  }
}
