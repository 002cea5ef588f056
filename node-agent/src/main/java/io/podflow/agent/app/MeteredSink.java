package io.podflow.agent.app;

import io.podflow.agent.capture.CaptureSink;
import io.podflow.agent.flow.FlowMeter;

/**
 * One interface's capture feeding its own flow meter; the end of the capture flushes it, then tells
 * its owner (which frees the table).
 */
final class MeteredSink implements CaptureSink {
  private final FlowMeter meter;
  private final Runnable ended;

  MeteredSink(FlowMeter meter, Runnable ended) {
    this.meter = meter;
    this.ended = ended;
  }

  @Override
  public void frame(
      byte[] data, int offset, int capturedLength, int wireLength, int linkType, long ts) {
    meter.frame(data, offset, capturedLength, wireLength, linkType, ts);
  }

  @Override
  public void idle(long nowNanos) {
    meter.advanceTo(nowNanos);
  }

  @Override
  public void closed() {
    try {
      meter.finish();
    } finally {
      // Even when the flush failed: the owner frees the table's room and keeps its counts.
      ended.run();
    }
  }
}
