package io.podflow.agent.capture;

/** What an interface's capture tells its owner besides frames: it opened, or it failed. */
interface CaptureFailures {
  /** The handle is open: the interface is captured. */
  void opened(String name);

  /**
   * The capture could not start or died (not: the interface went away).
   *
   * @param cause what was thrown; a {@link VirtualMachineError} means the agent cannot work
   */
  void failed(String name, Throwable cause);

  /**
   * Whether the interface is still there: a handle that cannot be opened on one that is gone (a pod
   * deleted between the scan and the open) is the end of its capture, not a failure.
   */
  boolean exists(String name);
}
