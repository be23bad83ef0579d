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

/** One DynamoDB on-demand backup, managed through its lifecycle by the operator. */
@Group(DynamoBackup.GROUP)
@Version(DynamoBackup.VERSION)
@Kind("DynamoBackup")
@Plural("dynamobackups")
@ShortNames("ddbb")
@AdditionalPrinterColumn(name = "Table", jsonPath = ".spec.tableName", type = Type.STRING)
@AdditionalPrinterColumn(name = "Backup", jsonPath = ".status.backupDescription.backupDetails.backupName", type = Type.STRING)
@AdditionalPrinterColumn(name = "Status", jsonPath = ".status.backupStatus", type = Type.STRING)
@AdditionalPrinterColumn(name = "Size", jsonPath = ".status.backupDescription.backupDetails.backupSizeBytes", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Expires", jsonPath = ".status.expiresAt", type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@AdditionalPrinterColumn(name = "ARN", jsonPath = ".status.backupArn", type = Type.STRING, priority = 1)
public class DynamoBackup extends CustomResource<DynamoBackupSpec, DynamoBackupStatus> implements Namespaced {
  public static final String GROUP = "dynamobackup.io";
  public static final String VERSION = "v1alpha1";
  public static final String FINALIZER = GROUP + "/finalizer";
}
