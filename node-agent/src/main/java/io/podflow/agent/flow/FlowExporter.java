package io.podflow.agent.flow;

import io.podflow.schema.flow.v1.EndReason;

/** Receives flows as the table exports them. */
@FunctionalInterface
public interface FlowExporter {
  /**
   * Called once per exported record. The view is only valid during the call: it is reused.
   *
   * @param reason why the record is exported now
   */
  void export(FlowView flow, EndReason reason);
}
