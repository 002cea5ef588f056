package io.podflow.agent.capture.libpcap;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.podflow.agent.capture.FrameHandler;
import org.pcap4j.core.PcapHandle;

/**
 * Reads packets from an open live pcap4j handle into a reused buffer and hands them on, without
 * allocating per packet. The handle must have been opened with nanosecond timestamps.
 */
public final class PacketReader {
  /** Result of {@link #next}: a frame was delivered. */
  public static final int FRAME = 1;

  /** Result of {@link #next}: the libpcap timeout passed without a packet (live capture). */
  public static final int TIMEOUT = 0;

  private final PcapHandle handle;
  private final long pcap;
  private final int linkType;

  /** Native memory for pcap_next_ex's two out-parameters; kept reachable by this reader. */
  private final Memory outParameters = new Memory(16);

  /** Native addresses of the two out-parameters of pcap_next_ex. */
  private final long headerSlot;

  private final long dataSlot;
  private final int selectableFd;
  private final int pollTimeoutMillis;
  private final int[] pollfd = new int[2];
  private byte[] buffer = new byte[1 << 16];

  /**
   * A reader of a live handle that waits at most {@code pollTimeoutMillis} for packets: the handle
   * is switched to non-blocking and waited on with poll(2), because libpcap ignores its own timeout
   * in immediate mode.
   */
  public PacketReader(PcapHandle handle, int pollTimeoutMillis) {
    this.handle = handle;
    this.pcap = NativeHandle.address(handle);
    this.linkType = handle.getDlt().value();
    this.headerSlot = Pointer.nativeValue(outParameters);
    this.dataSlot = headerSlot + 8;
    this.pollTimeoutMillis = pollTimeoutMillis;
    try {
      handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
    } catch (org.pcap4j.core.PcapNativeException | org.pcap4j.core.NotOpenException e) {
      throw new LibpcapException("cannot make the capture non-blocking: " + e.getMessage(), e);
    }
    this.selectableFd = LibpcapDirect.pcap_get_selectable_fd(pcap);
    if (selectableFd < 0) {
      throw new LibpcapException("the capture has no selectable descriptor");
    }
  }

  public int linkType() {
    return linkType;
  }

  /**
   * Reads one packet and delivers it.
   *
   * @return {@link #FRAME} or {@link #TIMEOUT}
   * @throws LibpcapException when libpcap reports an error
   */
  public int next(FrameHandler handler) {
    int result = LibpcapDirect.pcap_next_ex(pcap, headerSlot, dataSlot);
    if (result == 0) {
      int events = Poll.waitReadable(pollfd, selectableFd, pollTimeoutMillis);
      if ((events & (Poll.POLLERR | Poll.POLLHUP | Poll.POLLNVAL)) != 0) {
        throw new LibpcapException("the interface went away");
      }
      if (events == 0) {
        return TIMEOUT;
      }
      result = LibpcapDirect.pcap_next_ex(pcap, headerSlot, dataSlot);
    }
    if (result == 1) {
      // struct pcap_pkthdr on LP64: struct timeval ts (2 x 8), bpf_u_int32 caplen, len
      long header = NativeMemory.getLong(headerSlot);
      long seconds = NativeMemory.getLong(header);
      long nanos = NativeMemory.getLong(header + 8);
      int captured = NativeMemory.getInt(header + 16);
      int wire = NativeMemory.getInt(header + 20);
      if (captured > buffer.length) {
        buffer = new byte[Integer.highestOneBit(captured) << 1];
      }
      NativeMemory.copy(NativeMemory.getLong(dataSlot), buffer, captured);
      handler.frame(
          buffer,
          0,
          captured,
          Math.max(wire, captured),
          linkType,
          seconds * 1_000_000_000L + nanos);
      return FRAME;
    }
    if (result == 0) {
      return TIMEOUT;
    }
    throw new LibpcapException(error());
  }

  private String error() {
    try {
      return handle.getError();
    } catch (org.pcap4j.core.NotOpenException e) {
      return "the handle is closed";
    }
  }
}
