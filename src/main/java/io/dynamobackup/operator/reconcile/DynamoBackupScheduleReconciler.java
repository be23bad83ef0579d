package io.dynamobackup.operator.reconcile;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoBackupScheduleSpec;
import io.dynamobackup.operator.api.DynamoBackupScheduleStatus;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a schedule's DynamoBackup children on time and prunes them to its retention. Children carry an owner
 * reference (Kubernetes garbage-collects them with the schedule) and are pruned by deleting the objects, so each
 * child's own finalizer deletes its backup, per its deletionPolicy.
 */
@ControllerConfiguration(name = DynamoBackupScheduleReconciler.NAME)
public class DynamoBackupScheduleReconciler implements Reconciler<DynamoBackupSchedule> {

  public static final String NAME = "dynamobackupschedule";
  private static final Logger log = LoggerFactory.getLogger(DynamoBackupScheduleReconciler.class);

  private final ReconcileSettings settings;
  private final EventRecorder events;
  private final Clock clock;

  public DynamoBackupScheduleReconciler(ReconcileSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.events = new EventRecorder(clock);
  }

  @Override
  public UpdateControl<DynamoBackupSchedule> reconcile(DynamoBackupSchedule schedule,
      Context<DynamoBackupSchedule> context) {
    var client = context.getClient();
    String before = StatusRecorder.snapshot(schedule.getStatus());
    var status = Optional.ofNullable(schedule.getStatus()).orElseGet(DynamoBackupScheduleStatus::new);
    Instant now = clock.instant();
    Long generation = schedule.getMetadata().getGeneration();

    Optional<String> problem = SchedulePlanner.problem(schedule.getSpec());
    if (problem.isPresent()) {
      Conditions.set(status.conditions, Conditions.READY, false, "InvalidSchedule", problem.get(), generation, now);
      record(schedule, context, status, before, "InvalidSchedule", problem.get());
      return UpdateControl.noUpdate(); // a spec change reconciles again
    }

    List<DynamoBackup> children = children(schedule, context);
    var plan = SchedulePlanner.plan(schedule.getSpec(),
        Instant.parse(schedule.getMetadata().getCreationTimestamp()),
        status.lastScheduleTime == null ? null : Instant.parse(status.lastScheduleTime),
        children.stream().map(DynamoBackupScheduleReconciler::asPlannerChild).toList(), now);

    if (plan.create().isPresent()) {
      Instant at = plan.create().get();
      DynamoBackup child = child(schedule, at);
      try {
        client.resource(child).create();
        children.add(child);
        log.info("{}/{}: created {} for the run at {}", schedule.getMetadata().getNamespace(),
            schedule.getMetadata().getName(), child.getMetadata().getName(), at);
        events.normal(client, schedule, "BackupScheduled", "created DynamoBackup " + child.getMetadata().getName()
            + " for the run at " + at);
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        // made by an earlier attempt whose status write was lost: names are per run, so nothing is doubled
      }
      status.lastScheduleTime = at.toString();
    }
    for (String name : plan.prune()) {
      client.resources(DynamoBackup.class).inNamespace(schedule.getMetadata().getNamespace()).withName(name)
          .delete();
      log.info("{}/{}: pruned {}", schedule.getMetadata().getNamespace(), schedule.getMetadata().getName(), name);
      events.normal(client, schedule, "Pruned", "deleted DynamoBackup " + name + " (beyond the retention policy)");
    }

    status.nextScheduleTime = plan.next().map(Instant::toString).orElse(null);
    status.children = counts(children, plan.prune());
    status.protectedFromPruning = plan.protectedKept().isEmpty() ? null : plan.protectedKept();
    String message = plan.missed().map(t -> "missed the run at " + t + " (later than startingDeadlineSeconds); ")
        .orElse("") + (Boolean.TRUE.equals(schedule.getSpec().suspend) ? "suspended"
        : "next run at " + status.nextScheduleTime);
    if (!plan.protectedKept().isEmpty()) {
      message += "; kept by deletionProtection beyond retention: " + String.join(", ", plan.protectedKept());
    }
    Conditions.set(status.conditions, Conditions.READY, true,
        Boolean.TRUE.equals(schedule.getSpec().suspend) ? "Suspended" : "Scheduled", message, generation, now);
    record(schedule, context, status, before, plan.missed().isPresent() ? "MissedSchedule" : null, message);

    Duration untilNext = plan.next().map(t -> Duration.between(now, t)).orElse(settings.scheduleRecheck());
    return UpdateControl.<DynamoBackupSchedule>noUpdate().rescheduleAfter(
        untilNext.compareTo(settings.scheduleRecheck()) < 0 && !untilNext.isNegative() ? untilNext
            : settings.scheduleRecheck());
  }

  private List<DynamoBackup> children(DynamoBackupSchedule schedule, Context<DynamoBackupSchedule> context) {
    String uid = schedule.getMetadata().getUid();
    return new ArrayList<>(context.getClient().resources(DynamoBackup.class)
        .inNamespace(schedule.getMetadata().getNamespace())
        .withLabel(DynamoBackupSchedule.SCHEDULE_LABEL, schedule.getMetadata().getName())
        .list().getItems().stream()
        .filter(b -> b.getMetadata().getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid())))
        .toList());
  }

  private static SchedulePlanner.Child asPlannerChild(DynamoBackup child) {
    String at = child.getMetadata().getAnnotations().get(DynamoBackupSchedule.SCHEDULED_AT);
    return new SchedulePlanner.Child(child.getMetadata().getName(),
        at != null ? Instant.parse(at) : Instant.parse(child.getMetadata().getCreationTimestamp()),
        child.isMarkedForDeletion(), SpecRules.deletionProtected(child.getSpec()));
  }

  private static DynamoBackup child(DynamoBackupSchedule schedule, Instant at) {
    DynamoBackupScheduleSpec spec = schedule.getSpec();
    var child = new DynamoBackup();
    child.setMetadata(new ObjectMetaBuilder()
        .withName(SchedulePlanner.childName(schedule.getMetadata().getName(), at))
        .withNamespace(schedule.getMetadata().getNamespace())
        .withLabels(Map.of(DynamoBackupSchedule.SCHEDULE_LABEL, schedule.getMetadata().getName()))
        .withAnnotations(Map.of(DynamoBackupSchedule.SCHEDULED_AT, at.toString()))
        .withOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion(schedule.getApiVersion())
            .withKind(schedule.getKind())
            .withName(schedule.getMetadata().getName())
            .withUid(schedule.getMetadata().getUid())
            .withController(true)
            .withBlockOwnerDeletion(true)
            .build())
        .build());
    var childSpec = new DynamoBackupSpec(spec.tableName);
    if (spec.template != null) {
      childSpec.region = spec.template.region;
      childSpec.deletionPolicy = spec.template.deletionPolicy;
      childSpec.deletionProtection = spec.template.deletionProtection;
    }
    child.setSpec(childSpec);
    ShardLabel.follow(schedule, child);
    return child;
  }

  private static DynamoBackupScheduleStatus.ChildCounts counts(List<DynamoBackup> children, List<String> pruned) {
    var counts = new DynamoBackupScheduleStatus.ChildCounts();
    for (DynamoBackup child : children) {
      if (pruned.contains(child.getMetadata().getName()) || child.isMarkedForDeletion()) {
        continue;
      }
      counts.total++;
      String state = child.getStatus() == null ? null : child.getStatus().backupStatus;
      if ("AVAILABLE".equals(state)) {
        counts.available++;
      } else if ("DELETED".equals(state)) {
        counts.deleted++;
      } else if (child.getStatus() != null
          && !Conditions.find(child.getStatus().conditions, Conditions.READY).map(c -> "Creating".equals(c.getReason()))
              .orElse(true)) {
        counts.notReady++;
      } else {
        counts.creating++;
      }
    }
    return counts;
  }

  private void record(DynamoBackupSchedule schedule, Context<DynamoBackupSchedule> context,
      DynamoBackupScheduleStatus status, String before, String warningReason, String message) {
    status.observedGeneration = schedule.getMetadata().getGeneration();
    if (StatusRecorder.record(schedule, context, status, before) && warningReason != null) {
      events.warning(context.getClient(), schedule, warningReason, message);
    }
  }

}
