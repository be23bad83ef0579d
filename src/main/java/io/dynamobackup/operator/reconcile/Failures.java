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

  /** CreateBackup: CreateFailed; RestoreTableFromBackup: RestoreTableFailed; DescribeTable: DescribeTableFailed. */
  static String eventReason(String call) {
    String name = call.contains(" ") ? call.substring(0, call.indexOf(' ')) : call;
    return name.replaceAll("(FromBackup|Backups?)$", "") + "Failed";
  }
}
