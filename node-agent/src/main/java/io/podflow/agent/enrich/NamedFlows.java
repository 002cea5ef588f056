package io.podflow.agent.enrich;

/**
 * The names of recently enriched flows, by their addresses, ports and protocol: direct-mapped (a
 * flow takes the slot of its hash, replacing whatever was there), so a lookup is one slot and the
 * worst case of colliding flows is a lookup in the index, never a longer search. Slots hold
 * immutable {@link NamedFlow}s and are read and written without locks by every enriching thread: a
 * lost write only costs the next record a lookup.
 */
final class NamedFlows {
  private final NamedFlow[] slots;
  private final int mask;

  /**
   * @param slots a power of two
   */
  NamedFlows(int slots) {
    if (Integer.bitCount(slots) != 1) {
      throw new IllegalArgumentException("slots must be a power of two, not " + slots);
    }
    this.slots = new NamedFlow[slots];
    this.mask = slots - 1;
  }

  /** The names kept for this flow, or null (never named, or replaced by another flow's). */
  NamedFlow get(long sHi, long sLo, long dHi, long dLo, int sPort, int dPort, int proto, int fam) {
    NamedFlow n = slots[slot(sHi, sLo, dHi, dLo, sPort, dPort, proto)];
    return n != null && n.isFor(sHi, sLo, dHi, dLo, sPort, dPort, proto, fam) ? n : null;
  }

  void put(NamedFlow n) {
    slots[
            slot(
                n.sourceHi(),
                n.sourceLo(),
                n.destinationHi(),
                n.destinationLo(),
                n.sourcePort(),
                n.destinationPort(),
                n.protocol())] =
        n;
  }

  private int slot(long sHi, long sLo, long dHi, long dLo, int sPort, int dPort, int proto) {
    long h = sLo * 0x9E3779B97F4A7C15L;
    h = (h ^ dLo) * 0xC2B2AE3D27D4EB4FL;
    h = (h ^ sHi ^ Long.rotateLeft(dHi, 17)) * 0x165667B19E3779F9L;
    h =
        (h ^ ((long) sPort << 32 | (dPort & 0xFFFFFFFFL)) ^ ((long) proto << 48))
            * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29) ^ (h >>> 47)) & mask;
  }
}
