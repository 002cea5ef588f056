package io.podflow.agent.flow;

import io.podflow.agent.decode.DecodedPacket;
import io.podflow.agent.decode.IcmpTypes;

/**
 * A packet's flow key in canonical order (A is the smaller endpoint by address bytes, then port),
 * with its hash. Mutable and reused: computing it allocates nothing.
 */
final class FlowKey {
  long aHi;
  long aLo;
  long bHi;
  long bLo;

  /** ip version (4 bits) | protocol (8) | A port + 1 (17) | B port + 1 (17). */
  long meta;

  /** ICMP type + 1 (9 bits) | code + 1 (9) | echo id + 1 (17); 0 for other flows. */
  long icmp;

  int hash;

  /** The packet goes from A to B. */
  boolean fromA;

  void of(DecodedPacket p) {
    int srcPort = p.srcPort;
    int dstPort = p.dstPort;
    long icmpKey = 0;
    if (p.isIcmp()) {
      // Replies fold onto their request type, so both directions of a ping are one flow.
      int type = p.icmpType < 0 ? -1 : IcmpTypes.requestType(p.ipVersion, p.icmpType);
      icmpKey = ((long) (type + 1) << 26) | ((long) (p.icmpCode + 1) << 17) | (p.icmpId + 1);
      srcPort = DecodedPacket.ABSENT;
      dstPort = DecodedPacket.ABSENT;
    }
    int order = Long.compareUnsigned(p.srcHi, p.dstHi);
    if (order == 0) {
      order = Long.compareUnsigned(p.srcLo, p.dstLo);
    }
    if (order == 0) {
      order = Integer.compare(srcPort, dstPort);
    }
    boolean a = order <= 0;
    fromA = a;
    aHi = a ? p.srcHi : p.dstHi;
    aLo = a ? p.srcLo : p.dstLo;
    bHi = a ? p.dstHi : p.srcHi;
    bLo = a ? p.dstLo : p.srcLo;
    int aPort = a ? srcPort : dstPort;
    int bPort = a ? dstPort : srcPort;
    meta =
        ((long) p.ipVersion << 42)
            | ((long) p.protocol << 34)
            | ((long) (aPort + 1) << 17)
            | (bPort + 1);
    icmp = icmpKey;
    hash = FlowStore.hashOf(aHi, aLo, bHi, bLo, meta, icmpKey);
  }
}
