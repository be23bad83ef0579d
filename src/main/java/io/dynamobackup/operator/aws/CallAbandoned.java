package io.dynamobackup.operator.aws;

/**
 * An AWS call given up because its thread was interrupted: the operator is stopping. It says nothing about the
 * backup, and AWS may or may not have acted, so it is deliberately not an {@link AwsFailure}: no reconcile decision
 * may rest on it, and it passes every {@code catch (AwsFailure)} on its way out of the reconcile.
 */
public final class CallAbandoned extends RuntimeException {

  public CallAbandoned(String operation, Throwable cause) {
    super(operation + " abandoned: the operator is stopping", cause);
  }
}
