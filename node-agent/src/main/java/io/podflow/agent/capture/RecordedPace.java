package io.podflow.agent.capture;

import java.util.concurrent.locks.LockSupport;

/**
 * Hands frames on at the pace they were recorded: the first frame at once, each later one when as
 * much wall-clock time has passed as separates their timestamps. Frames whose timestamps go
 * backwards are delivered at once. For demos and for feeding a live pipeline from a file; the flow
 * table's clock is still the packets' own.
 */
public final class RecordedPace implements FrameHandler {
  private final FrameHandler next;
  private long firstPacketNanos = Long.MIN_VALUE;
  private long startWallNanos;

  public RecordedPace(FrameHandler next) {
    this.next = next;
  }

  @Override
  public void frame(
      byte[] data,
      int offset,
      int capturedLength,
      int wireLength,
      int linkType,
      long timestampNanos) {
    if (firstPacketNanos == Long.MIN_VALUE) {
      firstPacketNanos = timestampNanos;
      startWallNanos = System.nanoTime();
    } else {
      long due = startWallNanos + (timestampNanos - firstPacketNanos);
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
    }
    next.frame(data, offset, capturedLength, wireLength, linkType, timestampNanos);
  }
}
