package io.dynamobackup.operator.reconcile;

import io.dynamobackup.operator.aws.CallAbandoned;
import java.io.InterruptedIOException;
import java.util.concurrent.RejectedExecutionException;

/**
 * Whether a failed reconcile failed because the operator is stopping (its threads interrupted, its client closed):
 * that says nothing about the object, so it must not be written into its status as an error.
 */
public final class Interruption {

  private Interruption() {}

  public static boolean causedBy(Throwable failure) {
    if (Thread.currentThread().isInterrupted()) {
      return true;
    }
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof CallAbandoned || t instanceof InterruptedException || t instanceof InterruptedIOException
          || t instanceof RejectedExecutionException
          || t instanceof IllegalStateException && String.valueOf(t.getMessage()).contains("already closed")) {
        return true;
      }
    }
    return false;
  }

  /** The failure and, when it wraps one, its root cause: what a log line needs to be diagnosed. */
  public static String describe(Throwable failure) {
    Throwable root = failure;
    for (int i = 0; i < 20 && root.getCause() != null && root.getCause() != root; i++) {
      root = root.getCause();
    }
    return root == failure ? failure.toString() : failure + " (root cause: " + root + ")";
  }
}
