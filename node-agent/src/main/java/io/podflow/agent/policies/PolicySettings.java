package io.podflow.agent.policies;

import io.podflow.schema.kafka.PodflowTopic;
import java.time.Duration;
import java.util.Objects;

/**
 * How the elected agent publishes policies; the one place of their defaults, which the agent's
 * configuration ({@code policies.*}) and deploy/ follow.
 *
 * @param cluster the cluster's name, the first part of every key
 * @param identity this agent's name in the election (its pod's name)
 * @param topic the compacted policies topic
 * @param leaseNamespace where the Lease lives (the agent's own namespace)
 * @param leaseName the Lease the agents of a cluster compete for
 * @param leaseDuration how long a leader that stopped renewing keeps the Lease
 * @param renewDeadline how long a leader tries to renew before it steps down
 * @param retryPeriod how often candidates try, and the leader renews
 */
public record PolicySettings(
    String cluster,
    String identity,
    String topic,
    String leaseNamespace,
    String leaseName,
    Duration leaseDuration,
    Duration renewDeadline,
    Duration retryPeriod) {
  public static final String DEFAULT_TOPIC = PodflowTopic.POLICIES.topic();

  /** The Lease's namespace outside a pod (no {@code POD_NAMESPACE}): deploy/'s namespace. */
  public static final String DEFAULT_LEASE_NAMESPACE = "podflow";

  public static final String DEFAULT_LEASE_NAME = "podflow-policy-publisher";
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);
  public static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofSeconds(10);
  public static final Duration DEFAULT_RETRY_PERIOD = Duration.ofSeconds(2);

  public PolicySettings {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(leaseNamespace, "leaseNamespace");
    Objects.requireNonNull(leaseName, "leaseName");
    // As client-go's elector requires: a leader gives up before its Lease runs out, and retries
    // before it gives up.
    if (!(leaseDuration.compareTo(renewDeadline) > 0 && renewDeadline.compareTo(retryPeriod) > 0)) {
      throw new IllegalArgumentException(
          "the Lease's duration must exceed its renew deadline, which must exceed the retry period");
    }
  }

  /** The default topic, Lease and periods. */
  public static PolicySettings of(String cluster, String identity, String leaseNamespace) {
    return new PolicySettings(
        cluster,
        identity,
        DEFAULT_TOPIC,
        leaseNamespace,
        DEFAULT_LEASE_NAME,
        DEFAULT_LEASE_DURATION,
        DEFAULT_RENEW_DEADLINE,
        DEFAULT_RETRY_PERIOD);
  }

  public PolicySettings withTopic(String topic) {
    return new PolicySettings(
        cluster,
        identity,
        topic,
        leaseNamespace,
        leaseName,
        leaseDuration,
        renewDeadline,
        retryPeriod);
  }
}
