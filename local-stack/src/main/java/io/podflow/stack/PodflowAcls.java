package io.podflow.stack;

import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;

import io.podflow.stack.ComponentAcl.Grant;
import java.util.List;

/**
 * The Kafka ACLs of podflow's components, as the KafkaUser resources in deploy/ grant them (see the
 * contract in the project's notes): the secured test broker enforces exactly these, so a component
 * that needs more fails there before it fails on a cluster. Topic names are spelled here again
 * because this module depends on neither component; the tests that use them would fail on a
 * mismatch.
 */
public final class PodflowAcls {
  public static final String FLOWS = "podflow.flows.v1";
  public static final String POLICIES = "podflow.policies.v1";
  public static final String ALERTS = "podflow.alerts.v1";
  public static final String DEAD_LETTERS = "podflow.deadletters.v1";

  public static final String AGENT_USER = "podflow-agent";
  public static final String PROCESSOR_USER = "podflow-flow-processor";

  /** The processor's consumer groups all start with this. */
  public static final String PROCESSOR_GROUP_PREFIX = "podflow-flow-processor";

  /**
   * The agent publishes flows, and the elected agent publishes policies and reads them back with
   * assign() (no group).
   */
  public static final ComponentAcl AGENT =
      new ComponentAcl(
          AGENT_USER,
          List.of(
              Grant.topic(FLOWS, WRITE, DESCRIBE),
              Grant.topic(POLICIES, WRITE, READ, DESCRIBE, DESCRIBE_CONFIGS)));

  /** The processor reads flows and policies and writes alerts and dead letters. */
  public static final ComponentAcl PROCESSOR =
      new ComponentAcl(
          PROCESSOR_USER,
          List.of(
              Grant.topic(FLOWS, READ, DESCRIBE),
              Grant.topic(POLICIES, READ, DESCRIBE, DESCRIBE_CONFIGS),
              Grant.topic(ALERTS, WRITE, DESCRIBE),
              Grant.topic(DEAD_LETTERS, WRITE, DESCRIBE),
              Grant.groupPrefix(PROCESSOR_GROUP_PREFIX, READ)));

  public static final List<ComponentAcl> ALL = List.of(AGENT, PROCESSOR);

  private PodflowAcls() {}
}
