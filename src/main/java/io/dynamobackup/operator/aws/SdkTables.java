package io.dynamobackup.operator.aws;

import io.dynamobackup.operator.api.BackupDescription;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.api.RestoreSummary;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.model.ContinuousBackupsDescription;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;
import software.amazon.awssdk.services.dynamodb.model.RestoreTableFromBackupRequest;
import software.amazon.awssdk.services.dynamodb.model.RestoreTableToPointInTimeRequest;
import software.amazon.awssdk.services.dynamodb.model.SSESpecification;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * Maps restore requests onto the SDK's, and its TableDescription and ContinuousBackupsDescription onto our types;
 * absent stays null.
 */
final class SdkTables {

  private SdkTables() {}

  static RestoreTableFromBackupRequest toSdk(RestoreRequest request) {
    return RestoreTableFromBackupRequest.builder()
        .backupArn(request.backupArn())
        .targetTableName(request.targetTableName())
        .billingModeOverride(billingMode(request.billingMode()))
        .provisionedThroughputOverride(throughput(request.provisionedThroughput()))
        .sseSpecificationOverride(sse(request.sseSpecification()))
        .globalSecondaryIndexOverride(globalIndexes(request.globalSecondaryIndexes()))
        .localSecondaryIndexOverride(localIndexes(request.localSecondaryIndexes()))
        .build();
  }

  /** By source table name, which moto also understands (it answers SourceTableNotFound to SourceTableArn). */
  static RestoreTableToPointInTimeRequest toSdk(PointInTimeRequest request) {
    var builder = RestoreTableToPointInTimeRequest.builder()
        .sourceTableName(request.sourceTableName())
        .targetTableName(request.targetTableName())
        .billingModeOverride(billingMode(request.billingMode()))
        .provisionedThroughputOverride(throughput(request.provisionedThroughput()))
        .sseSpecificationOverride(sse(request.sseSpecification()))
        .globalSecondaryIndexOverride(globalIndexes(request.globalSecondaryIndexes()))
        .localSecondaryIndexOverride(localIndexes(request.localSecondaryIndexes()));
    if (request.restoreDateTime() == null) {
      builder.useLatestRestorableTime(true);
    } else {
      builder.restoreDateTime(request.restoreDateTime());
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
    var stream = table.streamSpecification();
    return new TableState(table.tableName(), table.tableArn(), table.tableId(), table.tableStatusAsString(),
        summary, table.creationDateTime(), Boolean.TRUE.equals(table.deletionProtectionEnabled()),
        stream != null && Boolean.TRUE.equals(stream.streamEnabled()) ? stream.streamViewTypeAsString() : null);
  }

  static ContinuousBackups toState(ContinuousBackupsDescription description) {
    var pitr = description.pointInTimeRecoveryDescription();
    if (pitr == null) {
      return new ContinuousBackups("DISABLED", null, null);
    }
    return new ContinuousBackups(pitr.pointInTimeRecoveryStatusAsString(), pitr.earliestRestorableDateTime(),
        pitr.latestRestorableDateTime());
  }

  private static String billingMode(DynamoRestoreSpec.BillingMode mode) {
    return mode == null ? null : mode.name();
  }

  private static SSESpecification sse(DynamoRestoreSpec.SseSpecification sse) {
    return sse == null ? null : SSESpecification.builder().enabled(sse.enabled).sseType(sse.sseType)
        .kmsMasterKeyId(sse.kmsMasterKeyId).build();
  }

  private static List<GlobalSecondaryIndex> globalIndexes(List<BackupDescription.GlobalSecondaryIndexInfo> indexes) {
    return indexes == null ? null : indexes.stream()
        .map(index -> GlobalSecondaryIndex.builder()
            .indexName(index.indexName)
            .keySchema(keys(index.keySchema))
            .projection(projection(index.projection))
            .provisionedThroughput(throughput(index.provisionedThroughput))
            .build())
        .toList();
  }

  private static List<LocalSecondaryIndex> localIndexes(List<BackupDescription.LocalSecondaryIndexInfo> indexes) {
    return indexes == null ? null : indexes.stream()
        .map(index -> LocalSecondaryIndex.builder()
            .indexName(index.indexName)
            .keySchema(keys(index.keySchema))
            .projection(projection(index.projection))
            .build())
        .toList();
  }

  private static ProvisionedThroughput throughput(BackupDescription.ProvisionedThroughput throughput) {
    return throughput == null ? null : ProvisionedThroughput.builder().readCapacityUnits(throughput.readCapacityUnits)
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
