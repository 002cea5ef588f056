package io.podflow.agent.flow;

import io.podflow.agent.decode.DecodedPacket;

/**
 * Attributes later fragments of a datagram to the flow of its first fragment, which alone carries
 * the ports: first fragments are remembered by (IP version, source, destination, protocol,
 * identification) in a fixed-size table, and a later fragment takes the ports and ICMP fields of
 * the entry that matches. The table never grows: a new first fragment overwrites whatever held its
 * slot, and entries older than {@link #MAX_AGE_NANOS} are ignored, so memory is bounded however
 * many fragments arrive. A later fragment without its first fragment stays port-less.
 */
final class FragmentTracker {
  /** IPv4 reassembly gives up after 30 s (RFC 791's suggestion, Linux's ipfrag_time). */
  static final long MAX_AGE_NANOS = 30_000_000_000L;

  private final int mask;
  private final boolean[] used;
  private final long[] srcHi;
  private final long[] srcLo;
  private final long[] dstHi;
  private final long[] dstLo;
  private final long[] tags;
  private final long[] seenAt;

  /** Ports and ICMP fields of the first fragment, ABSENT where it had none. */
  private final int[] srcPort;

  private final int[] dstPort;
  private final int[] icmpType;
  private final int[] icmpCode;
  private final int[] icmpId;

  FragmentTracker(int slots) {
    int size = Integer.highestOneBit(Math.max(16, slots - 1)) << 1;
    mask = size - 1;
    used = new boolean[size];
    srcHi = new long[size];
    srcLo = new long[size];
    dstHi = new long[size];
    dstLo = new long[size];
    tags = new long[size];
    seenAt = new long[size];
    srcPort = new int[size];
    dstPort = new int[size];
    icmpType = new int[size];
    icmpCode = new int[size];
    icmpId = new int[size];
  }

  /**
   * Remembers a first fragment, or completes a later one from its first fragment.
   *
   * @return false for a later fragment whose first fragment is unknown
   */
  boolean attribute(DecodedPacket p) {
    long tag = ((long) p.ipVersion << 56) | ((long) p.protocol << 48) | p.fragmentId;
    int slot = slot(p, tag);
    if (p.firstFragment) {
      used[slot] = true;
      srcHi[slot] = p.srcHi;
      srcLo[slot] = p.srcLo;
      dstHi[slot] = p.dstHi;
      dstLo[slot] = p.dstLo;
      tags[slot] = tag;
      seenAt[slot] = p.timestampNanos;
      srcPort[slot] = p.srcPort;
      dstPort[slot] = p.dstPort;
      icmpType[slot] = p.icmpType;
      icmpCode[slot] = p.icmpCode;
      icmpId[slot] = p.icmpId;
      return true;
    }
    if (!used[slot]
        || tags[slot] != tag
        || srcHi[slot] != p.srcHi
        || srcLo[slot] != p.srcLo
        || dstHi[slot] != p.dstHi
        || dstLo[slot] != p.dstLo
        || Math.abs(p.timestampNanos - seenAt[slot]) > MAX_AGE_NANOS) {
      return false;
    }
    p.srcPort = srcPort[slot];
    p.dstPort = dstPort[slot];
    p.icmpType = icmpType[slot];
    p.icmpCode = icmpCode[slot];
    p.icmpId = icmpId[slot];
    return true;
  }

  private int slot(DecodedPacket p, long tag) {
    long h = tag * 0x9e3779b97f4a7c15L;
    h ^= p.srcLo * 0xc2b2ae3d27d4eb4fL;
    h ^= p.dstLo * 0x165667b19e3779f9L;
    h ^= p.srcHi ^ (p.dstHi >>> 7);
    h ^= h >>> 29;
    return (int) h & mask;
  }
}
