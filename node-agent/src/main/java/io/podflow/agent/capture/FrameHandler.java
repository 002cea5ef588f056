package io.podflow.agent.capture;

/**
 * Receives captured frames. The bytes are only valid during the call: the buffer is reused for the
 * next frame, so nothing is allocated per frame.
 */
@FunctionalInterface
public interface FrameHandler {
  /**
   * @param data buffer holding the frame at {@code offset}
   * @param capturedLength bytes of the frame that were captured
   * @param wireLength the frame's length on the wire
   * @param linkType LINKTYPE_ of the interface the frame was captured on
   * @param timestampNanos capture time, Unix nanoseconds
   */
  void frame(
      byte[] data,
      int offset,
      int capturedLength,
      int wireLength,
      int linkType,
      long timestampNanos);
}
