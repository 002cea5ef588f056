package io.podflow.agent.capture.libpcap;

import io.podflow.agent.capture.FrameHandler;
import org.pcap4j.core.PcapHandle;

/**
 * Reads a live pcap4j handle without waiting: its capture thread waits for this handle and others
 * with one {@link Poll}, then reads the ready ones here in batches ({@link BatchReader}, one JNI
 * call and no allocation per batch). The handle must have been opened with nanosecond timestamps.
 *
 * <p>Packets are never left behind: a read goes on while batches come back full (up to a bound, so
 * that one busy interface cannot starve the others of its thread; {@link #backlog} then says to
 * read again without waiting), and when the interface vanishes what the ring still holds is read
 * before the error.
 */
public final class PacketReader {
  /** Batches read per call at most: 4,096 packets, under a millisecond of work. */
  private static final int MAX_BATCHES = 16;

  private final PcapHandle handle;
  private final BatchReader batches;
  private final int selectableFd;
  private boolean backlog;

  /**
   * The handle is switched to non-blocking, because libpcap ignores its own timeout in immediate
   * mode: the thread waits in poll(2) instead.
   */
  public PacketReader(PcapHandle handle) {
    this.handle = handle;
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

  /** The descriptor to poll for this handle. */
  public int selectableFd() {
    return selectableFd;
  }

  /**
   * Reads and delivers what the ring holds.
   *
   * @param events what poll(2) returned for {@link #selectableFd} ({@link Poll#events})
   * @return the frames delivered
   * @throws LibpcapException when libpcap reports an error or the interface went away (after
   *     delivering what was read)
   */
  public int read(FrameHandler handler, int events) {
    int total = 0;
    backlog = false;
    for (int i = 0; i < MAX_BATCHES; i++) {
      int n = batches.next(handler, handle);
      total += n;
      if (!batches.full()) {
        if (total == 0 && (events & Poll.FAILED) != 0) {
          throw new LibpcapException("the interface went away");
        }
        return total;
      }
    }
    backlog = true;
    return total;
  }

  /** The last {@link #read} stopped with packets left: read again before waiting. */
  public boolean backlog() {
    return backlog;
  }
}
