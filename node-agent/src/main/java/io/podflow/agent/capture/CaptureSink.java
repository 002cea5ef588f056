package io.podflow.agent.capture;

/** Where one interface's frames go; every call comes from that interface's capture thread. */
public interface CaptureSink extends FrameHandler {
  /** No packet arrived within the read timeout: time passes anyway (flows expire). */
  void idle(long nowNanos);

  /** The capture ended: stopped, or the interface went away. */
  void closed();
}
