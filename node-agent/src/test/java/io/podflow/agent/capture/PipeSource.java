package io.podflow.agent.capture;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import io.podflow.agent.capture.libpcap.LibpcapException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A capture stand-in on a pipe, so capture threads poll a real descriptor without libpcap or root:
 * each byte written is a packet; closing the write end is the interface going away (poll reports
 * POLLHUP, and the read then fails as libpcap's does).
 */
final class PipeSource implements CaptureSource {
  static {
    Native.register(NativeLibrary.getInstance("c"));
  }

  private static final int O_NONBLOCK = 04000;

  private static native int pipe2(int[] fds, int flags);

  private static native long read(int fd, byte[] buffer, long count);

  private static native long write(int fd, byte[] buffer, long count);

  private static native int close(int fd);

  private final int readEnd;
  private final int writeEnd;
  private final byte[] buffer = new byte[64];
  private final AtomicInteger packets = new AtomicInteger();
  private volatile boolean gone;
  private volatile boolean closed;

  PipeSource() {
    int[] fds = new int[2];
    if (pipe2(fds, O_NONBLOCK) != 0) { // reads never wait, like libpcap's non-blocking mode
      throw new IllegalStateException("pipe failed");
    }
    readEnd = fds[0];
    writeEnd = fds[1];
  }

  /** Sends {@code n} packets (at most 64 at once). */
  void send(int n) {
    if (write(writeEnd, new byte[n], n) != n) {
      throw new IllegalStateException("pipe write failed");
    }
  }

  /** The interface goes away. */
  void vanish() {
    gone = true;
    close(writeEnd);
  }

  /** Packets delivered so far. */
  int packets() {
    return packets.get();
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public int selectableFd() {
    return readEnd;
  }

  @Override
  public int read(FrameHandler handler, int events) {
    long n = read(readEnd, buffer, buffer.length);
    if (n == 0) {
      throw new LibpcapException("The interface disappeared"); // end of file: all was read
    }
    if (n < 0) {
      return 0; // nothing there
    }
    for (int i = 0; i < n; i++) {
      handler.frame(buffer, i, 1, 1, 1, System.currentTimeMillis() * 1_000_000L);
    }
    packets.addAndGet((int) n);
    return (int) n;
  }

  @Override
  public boolean backlog() {
    return false;
  }

  @Override
  public CaptureStats stats(String interfaceName) {
    return new CaptureStats(interfaceName, packets.get(), 0, 0);
  }

  @Override
  public void close() {
    closed = true;
    close(readEnd);
    if (!gone) {
      close(writeEnd);
    }
  }
}
