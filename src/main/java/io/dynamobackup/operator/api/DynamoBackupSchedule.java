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

/** Backups of one table on a cron schedule, pruned to a retention policy. */
@Group(DynamoBackup.GROUP)
@Version(DynamoBackup.VERSION)
@Kind("DynamoBackupSchedule")
@Plural("dynamobackupschedules")
@ShortNames("ddbs")
@AdditionalPrinterColumn(name = "Table", jsonPath = ".spec.tableName", type = Type.STRING)
@AdditionalPrinterColumn(name = "Schedule", jsonPath = ".spec.schedule", type = Type.STRING)
@AdditionalPrinterColumn(name = "Suspend", jsonPath = ".spec.suspend", type = Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Available", jsonPath = ".status.children.available", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Last", jsonPath = ".status.lastScheduleTime", type = Type.DATE)
@AdditionalPrinterColumn(name = "Next", jsonPath = ".status.nextScheduleTime", type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class DynamoBackupSchedule extends CustomResource<DynamoBackupScheduleSpec, DynamoBackupScheduleStatus>
    implements Namespaced {
  /** Label on every child: the name of the schedule that made it. */
  public static final String SCHEDULE_LABEL = DynamoBackup.GROUP + "/schedule";
  /** Annotation on every child: the scheduled time it stands for (RFC 3339). */
  public static final String SCHEDULED_AT = DynamoBackup.GROUP + "/scheduled-at";
}
