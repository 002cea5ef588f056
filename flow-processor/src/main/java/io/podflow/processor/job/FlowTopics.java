package io.podflow.processor.job;

/** Kafka topics of the pipeline; every component names them through here. */
public final class FlowTopics {
  /** Flow records (protobuf {@code podflow.flow.v1.FlowRecord}) published by the agents. */
  public static final String FLOWS = "podflow.flows.v1";

  private FlowTopics() {}
}
