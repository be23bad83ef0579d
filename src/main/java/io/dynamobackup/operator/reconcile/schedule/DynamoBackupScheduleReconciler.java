package io.dynamobackup.operator.reconcile.schedule;

import io.dynamobackup.operator.reconcile.SpecRules;
import io.dynamobackup.operator.reconcile.Interruption;
import io.dynamobackup.operator.reconcile.CreateIntent;
import io.dynamobackup.operator.reconcile.Reasons;
import io.dynamobackup.operator.reconcile.StatusRecorder;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.EventRecorder;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import io.dynamobackup.operator.api.BackupState;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoBackupScheduleSpec;
import io.dynamobackup.operator.api.DynamoBackupScheduleStatus;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.reconcile.schedule.SchedulePlanner.Holding;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a schedule's DynamoBackup children on time (and at once on a run-now request) and prunes them to its
 * retention. Children carry an owner reference (Kubernetes garbage-collects them with the schedule) and are pruned
 * by deleting the objects, so each child's own finalizer deletes its backup, per its deletionPolicy and guard. The
 * children are watched, so a child that becomes AVAILABLE prunes the one it supersedes at once, not a run later.
 */
@ControllerConfiguration(name = DynamoBackupScheduleReconciler.NAME)
public class DynamoBackupScheduleReconciler implements Reconciler<DynamoBackupSchedule> {

  public static final String NAME = "dynamobackupschedule";
  /** Ready reason when the Kubernetes API refused a child's creation or deletion. */
  static final String API_ERROR = "KubernetesApiError";
  private static final Logger log = LoggerFactory.getLogger(DynamoBackupScheduleReconciler.class);

  private final ReconcileSettings settings;
  private final EventRecorder events;
  private final Clock clock;

  public DynamoBackupScheduleReconciler(ReconcileSettings settings, Clock clock, EventRecorder events) {
    this.settings = settings;
    this.clock = clock;
    this.events = events;
  }

  @Override
  public List<EventSource<?, DynamoBackupSchedule>> prepareEventSources(
      EventSourceContext<DynamoBackupSchedule> context) {
    // only schedule children (they carry the label) of this shard (they carry its label too), mapped to their
    // schedule by owner reference
    String shard = context.getControllerConfiguration().getInformerConfig().getLabelSelector();
    return List.of(new InformerEventSource<>(InformerEventSourceConfiguration
        .from(DynamoBackup.class, DynamoBackupSchedule.class)
        .withName("children")
        .withNamespacesInheritedFromController()
        .withLabelSelector(DynamoBackupSchedule.SCHEDULE_LABEL + (shard == null || shard.isBlank() ? "" : "," + shard))
        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(DynamoBackupSchedule.class))
        .build(), context));
  }

  @Override
  public UpdateControl<DynamoBackupSchedule> reconcile(DynamoBackupSchedule schedule,
      Context<DynamoBackupSchedule> context) {
    String before = StatusRecorder.snapshot(schedule.getStatus());
    var status = Optional.ofNullable(schedule.getStatus()).orElseGet(DynamoBackupScheduleStatus::new);
    Instant now = clock.instant();
    Long generation = schedule.getMetadata().getGeneration();
    if (!status.typeErrors().isEmpty()) {
      String message = "the status cannot be read (" + String.join("; ", status.typeErrors()) + "); nothing is"
          + " done until it is fixed or removed";
      log.warn("{}: {}", id(schedule), message);
      events.warning(context.getClient(), schedule, Reasons.INVALID_STATUS, message);
      return UpdateControl.noUpdate();
    }

    Optional<String> problem = SchedulePlanner.problem(schedule.getSpec());
    if (problem.isPresent()) {
      Conditions.set(status.conditions, Conditions.READY, false, "InvalidSchedule", problem.get(), generation, now);
      record(schedule, context, status, before, "InvalidSchedule", problem.get());
      return UpdateControl.noUpdate(); // a spec change reconciles again
    }

    List<DynamoBackup> children = new ArrayList<>(children(schedule, context));
    var plan = SchedulePlanner.plan(schedule.getSpec(),
        Instant.parse(schedule.getMetadata().getCreationTimestamp()),
        status.lastScheduleTime == null ? null : Instant.parse(status.lastScheduleTime),
        children.stream().map(DynamoBackupScheduleReconciler::asPlannerChild).toList(), now);
    Optional<RunNow.Request> runNow = RunNow.pending(schedule, status);
    try {
      if (plan.create().isPresent()) {
        Instant at = plan.create().get();
        create(schedule, context, children, child(schedule, SchedulePlanner.childName(
            schedule.getMetadata().getName(), at), at, Map.of()), "the run at " + at);
        status.lastScheduleTime = at.toString();
      }
      if (runNow.isPresent()) {
        create(schedule, context, children, child(schedule, runNow.get().childName(), now,
            Map.of(RunNow.ANNOTATION, runNow.get().value())), RunNow.ANNOTATION + "=" + runNow.get().value());
        status.lastRunNow = runNow.get().value();
      }
      for (String name : plan.prune()) {
        context.getClient().resources(DynamoBackup.class).inNamespace(schedule.getMetadata().getNamespace())
            .withName(name).delete();
        log.info("{}: pruned {}", id(schedule), name);
        events.normal(context.getClient(), schedule, "Pruned", "deleted DynamoBackup " + name
            + " (beyond the retention policy)");
      }
    } catch (KubernetesClientException e) {
      // The next run comes back by its own time at the latest, whatever the API server does now.
      String message = "the Kubernetes API refused a change of this schedule's children (HTTP " + e.getCode() + ": "
          + e.getMessage() + "); trying again";
      Conditions.set(status.conditions, Conditions.READY, false, API_ERROR, message, generation, now);
      record(schedule, context, status, before, API_ERROR, message);
      log.warn("{}: {}", id(schedule), message);
      return UpdateControl.<DynamoBackupSchedule>noUpdate().rescheduleAfter(untilNextLook(plan, now));
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
    return UpdateControl.<DynamoBackupSchedule>noUpdate().rescheduleAfter(untilNextLook(plan, now));
  }

  /** At the next run, and at least every scheduleRecheck: the children's states change meanwhile. */
  private Duration untilNextLook(SchedulePlanner.Plan plan, Instant now) {
    Duration untilNext = plan.next().map(t -> Duration.between(now, t)).orElse(settings.scheduleRecheck());
    return untilNext.compareTo(settings.scheduleRecheck()) < 0 && !untilNext.isNegative() ? untilNext
        : settings.scheduleRecheck();
  }

  @Override
  public ErrorStatusUpdateControl<DynamoBackupSchedule> updateErrorStatus(DynamoBackupSchedule schedule,
      Context<DynamoBackupSchedule> context, Exception e) {
    if (!Interruption.causedBy(e)) {
      log.warn("{}: reconcile failed: {}", id(schedule), Interruption.describe(e));
    }
    // retried by JOSDK without a limit and at least every scheduleRecheck (BackupOperator): never stops for hours
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  /** Creates a child; one that exists already (same run, made by an earlier attempt) is not made twice. */
  private void create(DynamoBackupSchedule schedule, Context<DynamoBackupSchedule> context,
      List<DynamoBackup> children, DynamoBackup child, String forWhat) {
    try {
      context.getClient().resource(child).create();
      children.add(child);
      log.info("{}: created {} for {}", id(schedule), child.getMetadata().getName(), forWhat);
      events.normal(context.getClient(), schedule, "BackupScheduled", "created DynamoBackup "
          + child.getMetadata().getName() + " for " + forWhat);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      // made by an earlier attempt whose status write was lost: names are per run, so nothing is doubled
    }
  }

  private static List<DynamoBackup> children(DynamoBackupSchedule schedule, Context<DynamoBackupSchedule> context) {
    String uid = schedule.getMetadata().getUid();
    return context.getSecondaryResources(DynamoBackup.class).stream()
        .filter(b -> b.getMetadata().getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid())))
        .toList();
  }

  private static SchedulePlanner.Child asPlannerChild(DynamoBackup child) {
    String at = child.getMetadata().getAnnotations().get(DynamoBackupSchedule.SCHEDULED_AT);
    return new SchedulePlanner.Child(child.getMetadata().getName(),
        at != null ? Instant.parse(at) : Instant.parse(child.getMetadata().getCreationTimestamp()),
        child.isMarkedForDeletion(), SpecRules.deletionProtected(child.getSpec()), holding(child));
  }

  /**
   * What a child holds in AWS, from its status: an AVAILABLE backup; one being made or that may exist (an ARN not yet
   * AVAILABLE, an intent whose answer is not recorded, or no status yet); or nothing (no ARN and no intent, its run
   * failed; or its backup is gone).
   */
  static Holding holding(DynamoBackup child) {
    var status = child.getStatus();
    if (status == null) {
      return Holding.PENDING;
    }
    if (BackupState.AVAILABLE.is(status.backupStatus)) {
      return Holding.AVAILABLE;
    }
    if (status.backupArn != null) {
      return BackupState.DELETED.is(status.backupStatus) ? Holding.NOTHING : Holding.PENDING;
    }
    if (CreateIntent.of(status.conditions, Conditions.CREATING, Reasons.CREATE_REQUESTED).isPresent()) {
      return Holding.PENDING;
    }
    return Conditions.find(status.conditions, Conditions.READY)
        .map(c -> Reasons.BACKUP_CREATING.equals(c.getReason()) ? Holding.PENDING : Holding.NOTHING)
        .orElse(Holding.PENDING);
  }

  private static DynamoBackup child(DynamoBackupSchedule schedule, String name, Instant at,
      Map<String, String> annotations) {
    DynamoBackupScheduleSpec spec = schedule.getSpec();
    var child = new DynamoBackup();
    Map<String, String> childAnnotations = new HashMap<>(annotations);
    childAnnotations.put(DynamoBackupSchedule.SCHEDULED_AT, at.toString());
    child.setMetadata(new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(schedule.getMetadata().getNamespace())
        .withLabels(Map.of(DynamoBackupSchedule.SCHEDULE_LABEL,
            SchedulePlanner.labelValue(schedule.getMetadata().getName())))
        .withAnnotations(childAnnotations)
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
      if (BackupState.AVAILABLE.is(state)) {
        counts.available++;
      } else if (BackupState.DELETED.is(state)) {
        counts.deleted++;
      } else if (holding(child) == Holding.NOTHING) {
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

  private static String id(DynamoBackupSchedule schedule) {
    return schedule.getMetadata().getNamespace() + "/" + schedule.getMetadata().getName();
  }
}
