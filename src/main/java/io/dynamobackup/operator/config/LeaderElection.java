package io.dynamobackup.operator.config;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Leader election on a coordination.k8s.io Lease: with several replicas, one reconciles and the others wait.
 *
 * @param enabled off only for one-instance setups (the sandbox, tests)
 * @param leaseName the Lease the replicas contend for; each shard has its own, so that shards never contend
 * @param leaseNamespace where the Lease lives; null means the client's namespace (in a pod: its own)
 * @param identity this instance's name in the Lease; null means HOSTNAME (the pod name)
 * @param leaseDuration how long a silent leader keeps the Lease: the longest a takeover waits
 * @param renewDeadline how long the leader keeps trying to renew before it gives up leading
 * @param retryPeriod how often candidates try to acquire and the leader renews
 */
public record LeaderElection(boolean enabled, String leaseName, String leaseNamespace, String identity,
    Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {

  public static final String LEASE_NAME = "dynamo-backup-operator";
  /** An object name the API server accepts for a Lease: a DNS subdomain. */
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  public static final LeaderElection OFF = new LeaderElection(false, LEASE_NAME, null, null,
      Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));

  /**
   * LEADER_ELECTION (default true), LEADER_ELECTION_NAMESPACE and LEADER_ELECTION_LEASE_NAME (default
   * dynamo-backup-operator); Kubernetes' usual 15 s / 10 s / 2 s timing.
   */
  static LeaderElection fromEnvironment(Map<String, String> env) {
    String enabled = env.getOrDefault("LEADER_ELECTION", "true").trim();
    if (!enabled.equalsIgnoreCase("true") && !enabled.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException("LEADER_ELECTION='" + enabled + "' must be true or false");
    }
    String leaseName = env.getOrDefault("LEADER_ELECTION_LEASE_NAME", "").trim();
    if (leaseName.isEmpty()) {
      leaseName = LEASE_NAME;
    } else if (leaseName.length() > 253 || !DNS_SUBDOMAIN.matcher(leaseName).matches()) {
      throw new IllegalArgumentException("LEADER_ELECTION_LEASE_NAME='" + leaseName + "' is not a Lease name"
          + " (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)");
    }
    String namespace = env.get("LEADER_ELECTION_NAMESPACE");
    return new LeaderElection(Boolean.parseBoolean(enabled), leaseName,
        namespace == null || namespace.isBlank() ? null : namespace.trim(), null,
        OFF.leaseDuration, OFF.renewDeadline, OFF.retryPeriod);
  }

  /** On, in {@code namespace}, as {@code identity}, with the given timing (tests take over in seconds). */
  public static LeaderElection on(String namespace, String identity, Duration leaseDuration, Duration renewDeadline,
      Duration retryPeriod) {
    return new LeaderElection(true, LEASE_NAME, namespace, identity, leaseDuration, renewDeadline, retryPeriod);
  }
}
