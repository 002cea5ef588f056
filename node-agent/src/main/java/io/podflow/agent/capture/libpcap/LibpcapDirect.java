package io.podflow.agent.capture.libpcap;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The libpcap call pcap4j does not offer, bound by JNA direct mapping: the descriptor a live reader
 * polls. Packets themselves are read in batches by {@link BatchReader}'s JNI shim; everything else
 * (opening devices and files, filters, statistics) stays with pcap4j.
 */
final class LibpcapDirect {
  static {
    Native.register(
        NativeLibrary.getInstance(System.getProperty("org.pcap4j.core.pcapLibName", "pcap")));
  }

  private LibpcapDirect() {}

  /** {@code int pcap_get_selectable_fd(pcap_t *p)}: a descriptor to poll, or -1. */
  static native int pcap_get_selectable_fd(long pcap);
}
