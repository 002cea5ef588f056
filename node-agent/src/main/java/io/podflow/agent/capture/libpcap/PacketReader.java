package io.podflow.agent.capture.libpcap;

import io.podflow.agent.capture.FrameHandler;
import java.util.concurrent.locks.LockSupport;
import org.pcap4j.core.PcapHandle;

/**
 * Reads a live pcap4j handle: waits with poll(2) until packets are there, then reads all that are
 * ready in batches ({@link BatchReader}, one JNI call and no allocation per batch). The handle must
 * have been opened with nanosecond timestamps.
 *
 * <p>In immediate mode the kernel wakes a reader for every packet; at 200k packets/s that alone
 * cost more CPU than everything else. So once woken, the reader waits {@code batchDelay} before it
 * reads: one wake-up then reads the packets of that whole interval, and a packet waits at most that
 * long. Packets are never left behind: the ring is read until it is empty before the next wait, and
 * when the interface vanishes what the ring still holds is read before the error.
 */
public final class PacketReader {
  /** Result of {@link #next}: the wait timed out without a packet. */
  public static final int TIMEOUT = 0;

  private final PcapHandle handle;
  private final BatchReader batches;
  private final int selectableFd;
  private final int pollTimeoutMillis;
  private final long batchDelayNanos;
  private final int[] pollfd = new int[2];

  /**
   * A reader that waits at most {@code pollTimeoutMillis} for packets (so its caller can stop or
   * expire flows while none come) and {@code batchDelayNanos} once they do. The handle is switched
   * to non-blocking, because libpcap ignores its own timeout in immediate mode.
   */
  public PacketReader(PcapHandle handle, int pollTimeoutMillis, long batchDelayNanos) {
    this.handle = handle;
    this.pollTimeoutMillis = pollTimeoutMillis;
    this.batchDelayNanos = batchDelayNanos;
    try {
      handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
    } catch (org.pcap4j.core.PcapNativeException | org.pcap4j.core.NotOpenException e) {
      throw new LibpcapException("cannot make the capture non-blocking: " + e.getMessage(), e);
    }
    this.batches = new BatchReader(handle);
    this.selectableFd = LibpcapDirect.pcap_get_selectable_fd(NativeHandle.address(handle));
    if (selectableFd < 0) {
      throw new LibpcapException("the capture has no selectable descriptor");
    }
  }

  /**
   * Reads and delivers what the ring holds, waiting for packets first when it is empty.
   *
   * @return the frames delivered, or {@link #TIMEOUT}
   * @throws LibpcapException when libpcap reports an error or the interface went away (after
   *     delivering what was read)
   */
  public int next(FrameHandler handler) {
    int n = batches.next(handler, handle);
    if (n > 0) {
      return n;
    }
    int events = Poll.waitReadable(pollfd, selectableFd, pollTimeoutMillis);
    if (events == 0) {
      return TIMEOUT;
    }
    if ((events & (Poll.POLLERR | Poll.POLLHUP | Poll.POLLNVAL)) == 0 && batchDelayNanos > 0) {
      LockSupport.parkNanos(batchDelayNanos);
    }
    n = batches.next(handler, handle);
    if (n == 0 && (events & (Poll.POLLERR | Poll.POLLHUP | Poll.POLLNVAL)) != 0) {
      throw new LibpcapException("the interface went away");
    }
    return n;
  }

  /** Frames delivered so far. */
  public long delivered() {
    return batches.delivered();
  }
}
