package io.dynamobackup.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Cluster-scoped: which namespaces may touch which tables, in which regions, through which AWS role. Once one
 * policy exists, an object in a namespace no policy covers is refused; several policies covering one namespace add
 * up. Only cluster administrators should be able to write these.
 */
@Group(DynamoBackup.GROUP)
@Version(DynamoBackup.VERSION)
@Kind("DynamoBackupPolicy")
@Plural("dynamobackuppolicies")
@ShortNames("ddbp")
@AdditionalPrinterColumn(name = "Tables", jsonPath = ".spec.tables", type = Type.STRING)
@AdditionalPrinterColumn(name = "Role", jsonPath = ".spec.roleArn", type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class DynamoBackupPolicy extends CustomResource<DynamoBackupPolicySpec, Void> {
}
