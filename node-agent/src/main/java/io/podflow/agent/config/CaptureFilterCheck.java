package io.podflow.agent.config;

import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * A capture filter compiled by libpcap itself, on a dead handle (no interface, no privileges), as
 * every capture will compile it: what libpcap refuses is refused at {@code --check} with libpcap's
 * own words, not at the first interface of a node. Pods' interfaces are Ethernet.
 */
final class CaptureFilterCheck {
  private CaptureFilterCheck() {}

  /** Null when libpcap compiles {@code filter}, else libpcap's complaint. */
  static String problem(String filter, int snaplen) {
    if (filter == null || filter.isBlank()) {
      return null;
    }
    try (PcapHandle dead = Pcaps.openDead(DataLinkType.EN10MB, snaplen)) {
      BpfProgram program =
          dead.compileFilter(
              filter, BpfProgram.BpfCompileMode.OPTIMIZE, PcapHandle.PCAP_NETMASK_UNKNOWN);
      program.free();
      return null;
    } catch (PcapNativeException e) {
      return e.getMessage();
    } catch (NotOpenException e) {
      throw new IllegalStateException("a dead handle just opened is open", e);
    }
  }
}
