package io.podflow.processor.job;

/** Kafka topics of the pipeline; every component names them through here. */
public final class FlowTopics {
  /** Flow records (protobuf {@code podflow.flow.v1.FlowRecord}) published by the agents. */
  public static final String FLOWS = "podflow.flows.v1";

  /** NetworkPolicies and Namespaces (JSON), compacted, keyed cluster/namespace/name. */
  public static final String POLICIES = "podflow.policies.v1";

  /** Records the job could not read, with the reason in the {@code podflow.reason} header. */
  public static final String DEAD_LETTERS = "podflow.deadletters.v1";

  /** Policy-violation alerts (JSON), for consumers other than Alertmanager. */
  public static final String ALERTS = "podflow.alerts.v1";

  private FlowTopics() {}
}
