package io.podflow.agent.export;

import io.podflow.schema.flow.v1.FlowRecord;

/**
 * Where finished records go: Kafka through the agent's publisher, a file, a list in a test. Called
 * from every captured interface's thread, so an implementation must be thread-safe.
 */
@FunctionalInterface
public interface FlowSink {
  /** Takes one finished record; it must not block the capture thread for long. */
  void publish(FlowRecord record);

  /**
   * Records this sink has dropped for good since it started (a full spool), never decreasing: the
   * exporter counts the new ones as loss on the next record, so a drop is never silent.
   */
  default long dropped() {
    return 0;
  }
}
