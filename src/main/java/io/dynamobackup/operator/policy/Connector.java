package io.dynamobackup.operator.policy;

import io.dynamobackup.operator.aws.AccountClient;
import java.util.function.Function;

/**
 * The one explicit step from "what does this object ask of AWS" to "through which client": the namespace's grants
 * answer the question, and a permitted answer is bound to the client of its role's account.
 */
public final class Connector {

  private final Tenancy.View<?> policies;
  private final Function<String, ? extends AccountClient> clients;

  /**
   * @param policies the controller's view of the policies and namespaces
   * @param clients the client of each account by the role assumed for it (null: the operator's own credentials)
   */
  public Connector(Tenancy.View<?> policies, Function<String, ? extends AccountClient> clients) {
    this.policies = policies;
    this.clients = clients;
  }

  /** Whether the policies have been read: until then nothing may be decided (an empty cache allows everything). */
  public boolean ready() {
    return policies.ready();
  }

  /**
   * @param namespace the object's namespace
   * @param question what the object asks, put to its namespace's grants (back up, use, adopt, delete ...)
   * @param region the region the calls are about (null: the operator's default)
   */
  public Connection connect(String namespace, Function<AccessPolicy.Grants, AccessPolicy.Decision> question,
      String region) {
    AccessPolicy.Decision decision = question.apply(policies.grants(namespace));
    return switch (decision.verdict()) {
      case PERMITTED -> new Connection.Connected(clients.apply(decision.roleArn()), decision.roleArn(),
          decision.account(), region);
      case REFUSED -> new Connection.Refused(decision.reason(), decision.message());
      case UNREACHABLE -> new Connection.Waiting(decision.reason(), decision.message());
    };
  }
}
