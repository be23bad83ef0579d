package io.dynamobackup.operator.observability;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.reconcile.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The fleet reduced to low-cardinality series: per namespace (backups by status, not-ready backups by reason,
 * pending deletions by reason, restores by state) and per schedule (its newest AVAILABLE backup, expected interval,
 * suspension and last run). A pure function of the cached objects and the time, one pass over the backups.
 */
final class FleetFigures {

  /** One series: its labels, in order, and its value. */
  record Sample(Map<String, String> labels, double value) {}

  /** One metric: its Prometheus name, help text, and series. */
  record Family(String name, String help, List<Sample> samples) {}

  static final String BACKUPS = "dynamobackup_backups";
  static final String NOT_READY = "dynamobackup_backups_not_ready";
  static final String NOT_READY_SINCE = "dynamobackup_backups_not_ready_since_timestamp_seconds";
  static final String DELETIONS = "dynamobackup_deletions_pending";
  static final String DELETIONS_SINCE = "dynamobackup_deletions_pending_since_timestamp_seconds";
  static final String RESTORES = "dynamobackup_restores";
  static final String SCHEDULE_LAST_AVAILABLE = "dynamobackup_schedule_last_available_backup_timestamp_seconds";
  static final String SCHEDULE_INTERVAL = "dynamobackup_schedule_interval_seconds";
  static final String SCHEDULE_SUSPENDED = "dynamobackup_schedule_suspended";
  static final String SCHEDULE_CREATED = "dynamobackup_schedule_created_timestamp_seconds";
  static final String SCHEDULE_LAST_RUN = "dynamobackup_schedule_last_run_timestamp_seconds";

  /** Every namespace with backups has a series for each of these, zero or not, so that graphs have no gaps. */
  static final List<String> KNOWN_STATUSES = List.of("PENDING", "CREATING", "AVAILABLE", "DELETED");

  private final Map<List<String>, Long> backups = new TreeMap<>(FleetFigures::compare);
  private final Map<List<String>, Oldest> notReady = new TreeMap<>(FleetFigures::compare);
  private final Map<List<String>, Oldest> deletions = new TreeMap<>(FleetFigures::compare);
  private final Map<List<String>, Long> restores = new TreeMap<>(FleetFigures::compare);
  private final Map<String, Runs> runsBySchedule = new HashMap<>();

  private FleetFigures() {}

  static List<Family> of(Stream<DynamoBackup> backups, Stream<DynamoBackupSchedule> schedules,
      Stream<DynamoRestore> restores, Instant now) {
    var figures = new FleetFigures();
    backups.forEach(figures::addBackup);
    restores.forEach(figures::addRestore);
    return figures.families(schedules.toList(), now);
  }

  private void addBackup(DynamoBackup backup) {
    String namespace = backup.getMetadata().getNamespace();
    DynamoBackupStatus status = backup.getStatus();
    String backupStatus = status != null && status.backupStatus != null ? status.backupStatus : "PENDING";
    backups.merge(List.of(namespace, backupStatus), 1L, Long::sum);
    KNOWN_STATUSES.forEach(known -> backups.putIfAbsent(List.of(namespace, known), 0L));
    List<Condition> conditions = status == null ? List.of() : status.conditions;

    if (backup.isMarkedForDeletion()) {
      String reason = Conditions.find(conditions, Conditions.DELETION_BLOCKED)
          .filter(c -> "True".equals(c.getStatus()))
          .or(() -> Conditions.find(conditions, Conditions.DELETING).filter(c -> "True".equals(c.getStatus())))
          .map(Condition::getReason)
          .orElse("Requested");
      deletions.computeIfAbsent(List.of(namespace, "DynamoBackup", reason), k -> new Oldest())
          .add(time(backup.getMetadata().getDeletionTimestamp()));
    } else if (!Conditions.isTrue(conditions, Conditions.EXPIRED) && !Conditions.isTrue(conditions,
        Conditions.READY)) {
      // an expired backup is DELETED by design; every other object that is not Ready needs someone's attention
      Optional<Condition> ready = Conditions.find(conditions, Conditions.READY);
      notReady.computeIfAbsent(List.of(namespace, ready.map(Condition::getReason).orElse("Pending")),
              k -> new Oldest())
          .add(ready.map(Condition::getLastTransitionTime).map(FleetFigures::time)
              .orElse(time(backup.getMetadata().getCreationTimestamp())));
    }

    scheduleOf(backup).ifPresent(uid -> {
      if (!backup.isMarkedForDeletion()) {
        runsBySchedule.computeIfAbsent(uid, k -> new Runs()).add(backup, conditions);
      }
    });
  }

  private void addRestore(DynamoRestore restore) {
    String namespace = restore.getMetadata().getNamespace();
    List<Condition> conditions = restore.getStatus() == null ? List.of() : restore.getStatus().conditions;
    restores.merge(List.of(namespace, Conditions.find(conditions, Conditions.READY).map(Condition::getReason)
        .orElse("Pending")), 1L, Long::sum);
    if (restore.isMarkedForDeletion()) {
      String reason = Conditions.find(conditions, Conditions.DELETING).filter(c -> "True".equals(c.getStatus()))
          .map(Condition::getReason).orElse("Requested");
      deletions.computeIfAbsent(List.of(namespace, "DynamoRestore", reason), k -> new Oldest())
          .add(time(restore.getMetadata().getDeletionTimestamp()));
    }
  }

  /** The uid of the schedule that made this backup: its label and an owner reference to that schedule. */
  private static Optional<String> scheduleOf(DynamoBackup backup) {
    var labels = backup.getMetadata().getLabels();
    if (labels == null || !labels.containsKey(DynamoBackupSchedule.SCHEDULE_LABEL)) {
      return Optional.empty();
    }
    return backup.getMetadata().getOwnerReferences().stream()
        .filter(o -> "DynamoBackupSchedule".equals(o.getKind()))
        .map(o -> o.getUid())
        .findFirst();
  }

  private List<Family> families(List<DynamoBackupSchedule> scheduleList, Instant now) {
    var lastAvailable = new ArrayList<Sample>();
    var interval = new ArrayList<Sample>();
    var suspended = new ArrayList<Sample>();
    var created = new ArrayList<Sample>();
    var lastRun = new ArrayList<Sample>();
    for (DynamoBackupSchedule schedule : scheduleList) {
      Map<String, String> labels = labels("namespace", schedule.getMetadata().getNamespace(), "schedule",
          schedule.getMetadata().getName());
      var spec = schedule.getSpec();
      created.add(new Sample(labels, seconds(time(schedule.getMetadata().getCreationTimestamp()))));
      suspended.add(new Sample(labels, spec != null && Boolean.TRUE.equals(spec.suspend) ? 1 : 0));
      if (spec != null) {
        CronInterval.of(spec.schedule, spec.timeZone, now)
            .ifPresent(d -> interval.add(new Sample(labels, d.toMillis() / 1000.0)));
      }
      Runs runs = runsBySchedule.get(schedule.getMetadata().getUid());
      if (runs != null && runs.newestAvailable != null) {
        lastAvailable.add(new Sample(labels, seconds(runs.newestAvailable)));
      }
      if (runs != null && runs.lastRunAt != null) {
        var runLabels = new LinkedHashMap<>(labels);
        runLabels.put("outcome", runs.lastRunOutcome);
        runLabels.put("reason", runs.lastRunReason);
        lastRun.add(new Sample(runLabels, seconds(runs.lastRunAt)));
      }
    }

    var families = new ArrayList<Family>();
    families.add(new Family(BACKUPS, "DynamoBackups by namespace and status.backupStatus (PENDING before the first"
        + " reconcile; DELETED includes expired backups)", counts(backups, "namespace", "status")));
    families.add(new Family(NOT_READY, "DynamoBackups whose Ready condition is not True, by namespace and reason"
        + " (objects being deleted and expired backups excluded)", counts(notReady, "namespace", "reason")));
    families.add(new Family(NOT_READY_SINCE, "Since when the longest not-ready DynamoBackup of this namespace and"
        + " reason has been not ready (its Ready condition's lastTransitionTime, Unix time)",
        oldest(notReady, "namespace", "reason")));
    families.add(new Family(DELETIONS, "DynamoBackups and DynamoRestores whose deletion waits for their finalizer,"
        + " by namespace, kind and reason (the DeletionBlocked or Deleting condition's reason)",
        counts(deletions, "namespace", "kind", "reason")));
    families.add(new Family(DELETIONS_SINCE, "Since when the oldest pending deletion of this namespace, kind and"
        + " reason has waited (its deletionTimestamp, Unix time)", oldest(deletions, "namespace", "kind", "reason")));
    families.add(new Family(RESTORES, "DynamoRestores by namespace and state (their Ready condition's reason:"
        + " Restored, Restoring, BackupNotAvailable, ...; Pending before the first reconcile)",
        counts(restores, "namespace", "state")));
    families.add(new Family(SCHEDULE_LAST_AVAILABLE, "Creation time of the newest AVAILABLE backup a schedule made"
        + " (Unix time); absent until it has one", lastAvailable));
    families.add(new Family(SCHEDULE_INTERVAL, "A schedule's expected interval between backups: the gap between"
        + " its latest scheduled run and the one before, from its cron", interval));
    families.add(new Family(SCHEDULE_SUSPENDED, "1 while a schedule's spec.suspend is true, else 0", suspended));
    families.add(new Family(SCHEDULE_CREATED, "When a schedule was created (Unix time): the reference for its"
        + " freshness until it has an AVAILABLE backup", created));
    families.add(new Family(SCHEDULE_LAST_RUN, "Scheduled time of a schedule's latest run (Unix time), with its"
        + " outcome (succeeded, running, failed, deleted) and the reason of its backup's Ready condition", lastRun));
    return families;
  }

  private static List<Sample> counts(Map<List<String>, ?> groups, String... names) {
    var samples = new ArrayList<Sample>();
    groups.forEach((key, value) -> samples.add(new Sample(labels(names, key),
        value instanceof Oldest oldest ? oldest.count : ((Long) value).doubleValue())));
    return samples;
  }

  private static List<Sample> oldest(Map<List<String>, Oldest> groups, String... names) {
    var samples = new ArrayList<Sample>();
    groups.forEach((key, value) -> samples.add(new Sample(labels(names, key), seconds(value.since))));
    return samples;
  }

  private static Map<String, String> labels(String[] names, List<String> values) {
    var labels = new LinkedHashMap<String, String>();
    for (int i = 0; i < names.length; i++) {
      labels.put(names[i], values.get(i));
    }
    return labels;
  }

  private static Map<String, String> labels(String... namesAndValues) {
    var labels = new LinkedHashMap<String, String>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      labels.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return labels;
  }

  private static int compare(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  private static Instant time(String rfc3339) {
    return parsed(rfc3339).orElse(Instant.EPOCH);
  }

  /** A time as Kubernetes and the operator write them; empty when absent or not a time (an annotation edited). */
  private static Optional<Instant> parsed(String rfc3339) {
    try {
      return Optional.ofNullable(rfc3339).map(Instant::parse);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static double seconds(Instant instant) {
    return instant.toEpochMilli() / 1000.0;
  }

  /** How many, and the earliest time among them. */
  private static final class Oldest {
    long count;
    Instant since;

    void add(Instant at) {
      count++;
      since = since == null || at.isBefore(since) ? at : since;
    }
  }

  /** A schedule's children as the freshness figures need them: the newest AVAILABLE backup, and the latest run. */
  private static final class Runs {
    Instant newestAvailable;
    Instant lastRunAt;
    String lastRunOutcome;
    String lastRunReason;

    void add(DynamoBackup child, List<Condition> conditions) {
      String backupStatus = child.getStatus() == null ? null : child.getStatus().backupStatus;
      Instant scheduledAt = Optional.ofNullable(child.getMetadata().getAnnotations())
          .flatMap(a -> parsed(a.get(DynamoBackupSchedule.SCHEDULED_AT)))
          .orElseGet(() -> time(child.getMetadata().getCreationTimestamp()));
      if ("AVAILABLE".equals(backupStatus)) {
        Instant created = Optional.ofNullable(child.getStatus().backupDescription).map(d -> d.backupDetails)
            .flatMap(d -> parsed(d.backupCreationDateTime)).orElse(scheduledAt);
        newestAvailable = newestAvailable == null || created.isAfter(newestAvailable) ? created : newestAvailable;
      }
      if (lastRunAt == null || scheduledAt.isAfter(lastRunAt)) {
        Optional<Condition> ready = Conditions.find(conditions, Conditions.READY);
        lastRunAt = scheduledAt;
        lastRunReason = ready.map(Condition::getReason).orElse("Pending");
        lastRunOutcome = outcome(backupStatus, ready);
      }
    }

    private static String outcome(String backupStatus, Optional<Condition> ready) {
      if ("AVAILABLE".equals(backupStatus)) {
        return "succeeded";
      }
      if ("DELETED".equals(backupStatus)) {
        return "deleted";
      }
      return ready.map(Condition::getReason).filter(r -> !"Creating".equals(r)).isPresent() ? "failed" : "running";
    }
  }
}
