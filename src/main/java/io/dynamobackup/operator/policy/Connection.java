package io.dynamobackup.operator.policy;

import io.dynamobackup.operator.aws.AccountClient;

/**
 * Where an object's AWS calls go, as the policies decide it: a client bound to one account (and the region the
 * calls are about), or why there is none. Asked once per reconcile, before any AWS call.
 */
public sealed interface Connection {

  /** The calls go through {@code client}, into {@code account} (null: a new backup in the operator's own). */
  record Connected(AccountClient client, String roleArn, String account, String region) implements Connection {}

  /** The policies do not allow it (reason NotPermitted): nothing is asked of AWS. */
  record Refused(String reason, String message) implements Connection {}

  /** Allowed, but no route reaches the account (AccountUnreachable, AccountUnknown): wait, call nothing. */
  record Waiting(String reason, String message) implements Connection {}
}
