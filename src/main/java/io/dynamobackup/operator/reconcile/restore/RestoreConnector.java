package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.policy.AccessPolicy;
import io.dynamobackup.operator.policy.Connection;
import java.util.function.Function;

/** Connects a restore's calls: what it asks of its namespace's grants, and the region the calls are about. */
@FunctionalInterface
interface RestoreConnector {
  Connection connect(RestoreStep step, Function<AccessPolicy.Grants, AccessPolicy.Decision> question, String region);
}
