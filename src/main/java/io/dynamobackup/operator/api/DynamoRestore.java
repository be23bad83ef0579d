package io.dynamobackup.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One restore of a DynamoDB backup into a new table, followed until the table is ACTIVE. */
@Group(DynamoBackup.GROUP)
@Version(DynamoBackup.VERSION)
@Kind("DynamoRestore")
@Plural("dynamorestores")
@ShortNames("ddbr")
@AdditionalPrinterColumn(name = "Backup", jsonPath = ".spec.backupRef.name", type = Type.STRING)
@AdditionalPrinterColumn(name = "Target table", jsonPath = ".spec.targetTableName", type = Type.STRING)
@AdditionalPrinterColumn(name = "Status", jsonPath = ".status.tableStatus", type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@AdditionalPrinterColumn(name = "Source ARN", jsonPath = ".status.sourceBackupArn", type = Type.STRING,
    priority = 1)
public class DynamoRestore extends CustomResource<DynamoRestoreSpec, DynamoRestoreStatus> implements Namespaced {
  public static final String FINALIZER = DynamoBackup.GROUP + "/restore-finalizer";
}
