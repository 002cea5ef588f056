package io.podflow.agent.capture.libpcap;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The one libpcap call on the per-packet path, bound by JNA direct mapping. pcap4j's own per-packet
 * calls allocate a JNA structure for every packet; everything else (opening devices and files,
 * filters, statistics) stays with pcap4j.
 */
final class LibpcapDirect {
  static {
    Native.register(
        NativeLibrary.getInstance(System.getProperty("org.pcap4j.core.pcapLibName", "pcap")));
  }

  private LibpcapDirect() {}

  /**
   * {@code int pcap_next_ex(pcap_t *p, struct pcap_pkthdr **header, const u_char **data)}: 1 a
   * packet, 0 a timeout (live), -1 an error, -2 the end of a file. Pointers are passed as raw
   * addresses: with only primitive arguments JNA takes its fast path, with no conversion per call.
   */
  static native int pcap_next_ex(long pcap, long headerOut, long dataOut);

  /** {@code int pcap_get_selectable_fd(pcap_t *p)}: a descriptor to poll, or -1. */
  static native int pcap_get_selectable_fd(long pcap);
}
