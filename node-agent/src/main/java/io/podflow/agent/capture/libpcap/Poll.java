package io.podflow.agent.capture.libpcap;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libc's poll(2) over many descriptors, bound by JNA direct mapping: one capture thread waits for
 * all its interfaces in one call, so a node's hundred quiet pods cost one sleeping thread, not a
 * hundred. libpcap's own timeout is ignored in immediate mode, so readers run libpcap non-blocking
 * and wait here in either mode, which also lets them notice a stop request and let flows expire
 * while no packets come. One instance per thread: its array is reused, nothing is allocated per
 * wait.
 */
public final class Poll {
  public static final int POLLIN = 0x001;
  public static final int POLLERR = 0x008;
  public static final int POLLHUP = 0x010;
  public static final int POLLNVAL = 0x020;

  /** The descriptor failed or went: nothing more will come but what it still holds. */
  public static final int FAILED = POLLERR | POLLHUP | POLLNVAL;

  private static final Logger LOG = LoggerFactory.getLogger(Poll.class);
  private static final int EINTR = 4;

  /** After a failed poll: a failure that repeats (ENOMEM) must not spin the thread at 100%. */
  private static final long BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final AtomicLong failures = new AtomicLong();
  private long lastLogNanos;
  private boolean logged;

  static {
    Native.register(NativeLibrary.getInstance("c"));
  }

  /**
   * {@code struct pollfd {int fd; short events; short revents;}} laid out in two ints each
   * (little-endian x86-64/arm64: events in the low half of the second int, revents in the high).
   */
  private int[] pollfds = new int[16];

  /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)} */
  private static native int poll(int[] fds, long count, int timeoutMillis);

  /** Asks for descriptor {@code fd} to be watched (for reading) at position {@code index}. */
  public void set(int index, int fd) {
    if (2 * index + 1 >= pollfds.length) {
      pollfds = Arrays.copyOf(pollfds, Math.max(2 * index + 2, 2 * pollfds.length));
    }
    pollfds[2 * index] = fd;
    pollfds[2 * index + 1] = POLLIN;
  }

  /**
   * Waits until one of the first {@code count} descriptors is readable or failed, or the timeout
   * passes (0: just looks).
   *
   * @return how many descriptors have events (0 on timeout or an interrupted wait)
   */
  public int await(int count, int timeoutMillis) {
    int ready = poll(pollfds, count, timeoutMillis);
    if (ready <= 0) {
      if (ready < 0) {
        failed(Native.getLastError());
      }
      for (int i = 0; i < count; i++) {
        pollfds[2 * i + 1] = POLLIN; // no stale events from an earlier wait
      }
      return 0;
    }
    return ready;
  }

  /**
   * A signal (EINTR) is a short wait; anything else is counted, logged at most once a minute (not
   * per wake-up), and waited out briefly.
   */
  private void failed(int errno) {
    if (errno == EINTR) {
      return;
    }
    long n = failures.incrementAndGet();
    long now = System.nanoTime();
    if (!logged || now - lastLogNanos >= LOG_EVERY_NANOS) {
      logged = true;
      lastLogNanos = now;
      LOG.warn("poll(2) failed with errno {} ({} failures so far); retrying", errno, n);
    }
    LockSupport.parkNanos(BACKOFF_NANOS);
  }

  /** Waits that failed with an error other than EINTR. */
  public long failures() {
    return failures.get();
  }

  /** The events the last {@link #await} returned for position {@code index}: 0 for none. */
  public int events(int index) {
    return pollfds[2 * index + 1] >>> 16;
  }
}
