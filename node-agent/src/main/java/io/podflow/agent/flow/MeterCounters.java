package io.podflow.agent.flow;

import io.podflow.agent.decode.MalformedReason;

/**
 * What the packet path saw. Every frame is counted exactly once as IP, not IP or malformed (with
 * its reason); the other counters are details of IP packets.
 */
public final class MeterCounters {
  long frames;
  long ipPackets;
  long notIp;
  final long[] malformed = new long[MalformedReason.values().length];
  long fragments;
  long unattributedFragments;
  long transportTruncated;

  public long frames() {
    return frames;
  }

  public long ipPackets() {
    return ipPackets;
  }

  public long notIp() {
    return notIp;
  }

  public long malformed(MalformedReason reason) {
    return malformed[reason.ordinal()];
  }

  public long malformedTotal() {
    long total = 0;
    for (long m : malformed) {
      total += m;
    }
    return total;
  }

  public long fragments() {
    return fragments;
  }

  /** Later fragments whose first fragment was not seen: counted in a port-less flow. */
  public long unattributedFragments() {
    return unattributedFragments;
  }

  /** IP packets whose transport header was cut short (counted in their flow, maybe port-less). */
  public long transportTruncated() {
    return transportTruncated;
  }
}
