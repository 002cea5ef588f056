package io.podflow.agent.capture;

/**
 * One interface's open capture as its capture thread uses it: a descriptor to wait on with the
 * others, and a read of what is ready. Used by one thread at a time.
 */
interface CaptureSource extends AutoCloseable {
  /** The descriptor that poll(2) reports readable when packets are there. */
  int selectableFd();

  /**
   * Delivers what is ready, without waiting.
   *
   * @param events what poll(2) returned for the descriptor (a failure bit with nothing left to read
   *     means the interface went)
   * @return frames delivered
   * @throws io.podflow.agent.capture.libpcap.LibpcapException when the interface went away or
   *     libpcap failed (after delivering what was read)
   */
  int read(FrameHandler handler, int events);

  /** The last read stopped with packets left: read again without waiting. */
  boolean backlog();

  /** The kernel's counters now, or null when they cannot be read (best effort). */
  CaptureStats stats(String interfaceName);

  @Override
  void close();

  /** Opens an interface's capture. */
  @FunctionalInterface
  interface Opener {
    /**
     * @throws Exception when the interface cannot be opened (it may have gone)
     */
    CaptureSource open(String name, CaptureConfig config) throws Exception;
  }
}
