package io.podflow.agent.capture.libpcap;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * libc's poll(2) on one descriptor, bound by JNA direct mapping. A capture in immediate mode
 * ignores libpcap's read timeout, so the reader runs libpcap non-blocking and waits here in either
 * mode, which lets it notice a stop request and let flows expire while no packets come.
 */
final class Poll {
  static final short POLLIN = 0x001;
  static final short POLLERR = 0x008;
  static final short POLLHUP = 0x010;
  static final short POLLNVAL = 0x020;

  static {
    Native.register(NativeLibrary.getInstance("c"));
  }

  private Poll() {}

  /**
   * {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)} with one {@code struct pollfd
   * {int fd; short events; short revents;}} laid out in two ints (little-endian x86-64/arm64).
   */
  private static native int poll(int[] fds, long count, int timeoutMillis);

  /**
   * Waits until the descriptor is readable, fails, or the timeout passes.
   *
   * @return the returned events (0 on timeout)
   */
  static int waitReadable(int[] pollfd, int fd, int timeoutMillis) {
    pollfd[0] = fd;
    pollfd[1] = POLLIN;
    int ready = poll(pollfd, 1, timeoutMillis);
    if (ready <= 0) {
      return 0;
    }
    return pollfd[1] >>> 16;
  }
}
