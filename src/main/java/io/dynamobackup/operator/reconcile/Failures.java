package io.dynamobackup.operator.reconcile;

import io.dynamobackup.operator.aws.AwsFailure;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a failed AWS call becomes status, an Event and a requeue, for every kind and for reconcile and
 * cleanup alike (ACK's HandleReconcileError). A call the rate limit held back is no failure: it waits for its slot
 * with nothing counted and nothing raised.
 */
public final class Failures {

  /** Where a failure shows: Ready while the object is reconciled, Deleting while it is cleaned up. */
  public enum Path { RECONCILE, CLEANUP }

  private static final Logger log = LoggerFactory.getLogger(Failures.class);

  private final ReconcileSettings settings;

  public Failures(ReconcileSettings settings) {
    this.settings = settings;
  }

  /** Records the failure of {@code call} and answers when to try again. */
  public Duration handle(ReconcileStep<?, ?> step, Path path, String call, AwsFailure failure) {
    if (failure.retryAfter().isPresent()) {
      step.record(); // what this step changed before the held-back call, if anything
      return failure.retryAfter().get();
    }
    int attempts = step.status().attempts() == null ? 1 : step.status().attempts() + 1;
    step.status().attempts(attempts);
    Duration delay = failure.kind() == AwsFailure.Kind.TERMINAL ? settings.terminalRetry()
        : settings.retryBackoff().delay(attempts);
    String message = call + " failed: " + failure + "; retry " + attempts + " at "
        + step.now().plus(delay).truncatedTo(ChronoUnit.SECONDS);
    if (path == Path.RECONCILE) {
      step.notReady(failure.reason(), message);
      step.recordWithWarning(eventReason(call), message);
    } else {
      step.set(Conditions.DELETING, true, failure.reason(), message);
      step.recordWithWarning("DeleteFailed", message);
    }
    log.info("{}: {}", step.id(), message);
    return delay;
  }

  /**
   * A reconcile that threw (an API error, a bug): said in Ready (ReconcileError) unless the operator is stopping or
   * another writer won a status write, which say nothing about the object. JOSDK then retries with backoff.
   *
   * @param step the step to record into, made only when there is something to record
   */
  public void unexpected(String id, Exception e, java.util.function.Supplier<ReconcileStep<?, ?>> step) {
    if (Interruption.causedBy(e)) {
      log.debug("{}: reconcile interrupted by shutdown: {}", id, e.toString()); // the next leader starts afresh
      return;
    }
    if (e instanceof StatusConflict || e.getCause() instanceof StatusConflict) {
      log.info("{}: {}", id, (e instanceof StatusConflict ? e : e.getCause()).getMessage());
      return;
    }
    log.warn("{}: reconcile failed: {}", id, Interruption.describe(e));
    var recorded = step.get();
    recorded.notReady(Reasons.RECONCILE_ERROR, String.valueOf(e.getMessage()));
    try {
      recorded.record();
    } catch (StatusConflict conflict) {
      log.info("{}: {}", id, conflict.getMessage());
    }
  }

  /**
   * A status with wrongly typed fields (only another writer can put them there): acting on what is left could lose
   * or double what AWS holds, and writing it back would drop those fields. Nothing is asked of AWS or written; a
   * Warning event and a log line say why.
   */
  public void unreadableStatus(ReconcileStep<?, ?> step, java.util.List<String> typeErrors) {
    String message = "the status cannot be read (" + String.join("; ", typeErrors) + "); nothing is"
        + " done until it is fixed (kubectl edit --subresource=status) or removed";
    log.warn("{}: {}", step.id(), message);
    step.warning(Reasons.INVALID_STATUS, message);
  }

  /** CreateBackup: CreateFailed; RestoreTableFromBackup: RestoreTableFailed; DescribeTable: DescribeTableFailed. */
  static String eventReason(String call) {
    String name = call.contains(" ") ? call.substring(0, call.indexOf(' ')) : call;
    return name.replaceAll("(FromBackup|Backups?)$", "") + "Failed";
  }
}
