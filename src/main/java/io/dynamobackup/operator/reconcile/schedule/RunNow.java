package io.dynamobackup.operator.reconcile.schedule;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoBackupScheduleStatus;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * "Back up now" on a schedule: every new value of the annotation dynamobackup.io/run-now asks for one run at once
 * (kubectl annotate ddbs nightly dynamobackup.io/run-now="$(date +%s)" --overwrite). The value handled last is
 * acknowledged in status.lastRunNow; the same value again asks for nothing. It works while the schedule is suspended:
 * suspend stops the clock, not a person asking for a backup.
 */
public final class RunNow {

  public static final String ANNOTATION = DynamoBackup.GROUP + "/run-now";

  private RunNow() {}

  /**
   * One request: its value, and the child it makes. The child's name comes from the request and the one handled
   * before it, so that a run made but not yet acknowledged (a crash between the two) is found by name, not doubled,
   * and an old value asked for again later is a new run.
   */
  public record Request(String value, String childName) {}

  public static Optional<Request> pending(DynamoBackupSchedule schedule, DynamoBackupScheduleStatus status) {
    String value = Optional.ofNullable(schedule.getMetadata().getAnnotations()).map(a -> a.get(ANNOTATION))
        .map(String::trim).filter(v -> !v.isEmpty()).orElse(null);
    if (value == null || Objects.equals(value, status.lastRunNow)) {
      return Optional.empty();
    }
    String handledBefore = status.lastRunNow == null ? "" : status.lastRunNow;
    String name = SchedulePlanner.fitted(schedule.getMetadata().getName(), "-now-"
        + SchedulePlanner.hash(handledBefore + "\n" + value).substring(0, 10), 253);
    return Optional.of(new Request(value, name));
  }

  /** Whether an update of a schedule carries a new run-now request (annotations are not in the generation). */
  public static boolean requestChanged(DynamoBackupSchedule updated, DynamoBackupSchedule previous) {
    return !Objects.equals(value(updated), value(previous));
  }

  private static String value(DynamoBackupSchedule schedule) {
    Map<String, String> annotations = schedule.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(ANNOTATION);
  }
}
