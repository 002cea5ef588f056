package io.podflow.agent.flow;

import java.util.Arrays;

/**
 * The flows' state, laid out for the packet path: each flow is one 128-byte record of 16 longs in a
 * single array (key first, then the counters a packet updates), so adding a packet touches one
 * index slot and one record instead of a dozen arrays. The index is open addressing with linear
 * probing over {@code (hash << 32 | id + 1)} longs, so most misses are decided without reading a
 * record, and deletion shifts entries back (no tombstones). Endpoint A is the smaller of the two
 * (address bytes, then port); counters are kept per direction.
 */
final class FlowStore {
  static final int NONE = -1;

  // Record layout (longs): the key and what every packet writes share the first cache line.
  static final int A_HI = 0;
  static final int A_LO = 1;
  static final int B_HI = 2;
  static final int B_LO = 3;

  /** ip version (4 bits) | protocol (8) | A port + 1 (17) | B port + 1 (17). */
  static final int META = 4;

  /** ICMP type + 1 (9 bits) | code + 1 (9) | echo id + 1 (17); 0 for other flows. */
  static final int ICMP = 5;

  /** state bits (low 32) | flags from A (8) | flags from B (8) | interval index (16). */
  static final int STATE = 6;

  /** Last packet of the current interval. */
  static final int LAST_TS = 7;

  static final int PACKETS_AB = 8;
  static final int PACKETS_BA = 9;
  static final int BYTES_AB = 10;
  static final int BYTES_BA = 11;

  /** First packet of the current interval. */
  static final int FIRST_TS = 12;

  static final int FLOW_START = 13;

  /** Last packet of the flow before the current interval; idle expiry uses it with LAST_TS. */
  static final int LAST_SEEN = 14;

  /** The first SYN's time until the SYN-ACK is seen, then the handshake RTT (RTT_KNOWN). */
  static final int SYN_OR_RTT = 15;

  static final int STRIDE = 16;

  /**
   * Longs before the first record: with the array header's 16 bytes, records start on 64-byte
   * boundaries wherever the array itself is 64-byte aligned (G1 places large arrays at region
   * starts), so a record is exactly two cache lines.
   */
  static final int PAD = 6;

  static int base(int slot) {
    return PAD + slot * STRIDE;
  }

  // state bits
  static final int SYN_FROM_A = 1;
  static final int SYN_FROM_B = 1 << 1;
  static final int SYNACK_FROM_A = 1 << 2;
  static final int SYNACK_FROM_B = 1 << 3;
  static final int FIN_FROM_A = 1 << 4;
  static final int FIN_FROM_B = 1 << 5;
  static final int RST = 1 << 6;
  static final int FIRST_FROM_A = 1 << 7;
  static final int FIRST_FROM_B = 1 << 8;
  static final int REQUEST_FROM_A = 1 << 9;
  static final int REQUEST_FROM_B = 1 << 10;
  static final int REPLY_FROM_A = 1 << 11;
  static final int REPLY_FROM_B = 1 << 12;
  static final int ACK_AFTER_HANDSHAKE = 1 << 13;

  /** Flag bytes were seen in the direction (a flag byte of 0 is still "seen"). */
  static final int FLAGS_SEEN_AB = 1 << 14;

  static final int FLAGS_SEEN_BA = 1 << 15;
  static final int SYN_SEEN = 1 << 16;
  static final int RTT_KNOWN = 1 << 17;
  static final int USED = 1 << 18;

  /** Flows held at most. */
  final int maxFlows;

  /** Slots in the table (a power of two, at least twice maxFlows). */
  final int slots;

  final long[] rec;

  /**
   * Per slot, the table time at which the flow may expire (idle or active timeout), kept beside the
   * records so a sweep reads 8 bytes per slot in order, not a record per slot. Long.MAX_VALUE for
   * empty slots.
   */
  final long[] checkAt;

  private final int mask;
  int size;

  FlowStore(int maxFlows) {
    this.maxFlows = maxFlows;
    slots = Integer.highestOneBit(Math.max(2, maxFlows) - 1) << 2;
    mask = slots - 1;
    rec = new long[base(slots)];
    checkAt = new long[slots];
    Arrays.fill(checkAt, Long.MAX_VALUE);
  }

  static int hashOf(long aHi, long aLo, long bHi, long bLo, long meta, long icmp) {
    long h = aHi * 0x9e3779b97f4a7c15L;
    h = (h ^ aLo) * 0xc2b2ae3d27d4eb4fL;
    h = (h ^ bHi) * 0x9e3779b97f4a7c15L;
    h = (h ^ bLo) * 0xc2b2ae3d27d4eb4fL;
    h = (h ^ meta) * 0x9e3779b97f4a7c15L;
    h ^= icmp;
    // murmur3's finalizer: the slot is taken from the low bits, which the multiplications
    // above leave poorly mixed.
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) h;
  }

  /** The slot of the flow with this key, or NONE. */
  int find(int h, long aHi, long aLo, long bHi, long bLo, long meta, long icmp) {
    long[] r = rec;
    int i = h & mask;
    while (true) {
      int base = base(i);
      if ((r[base + STATE] & USED) == 0) {
        return NONE;
      }
      if (r[base + A_LO] == aLo
          && r[base + B_LO] == bLo
          && r[base + META] == meta
          && r[base + A_HI] == aHi
          && r[base + B_HI] == bHi
          && r[base + ICMP] == icmp) {
        return i;
      }
      i = (i + 1) & mask;
    }
  }

  boolean isFull() {
    return size >= maxFlows;
  }

  /**
   * Adds a flow with this key (which must be absent) and returns its slot; the store is not full.
   */
  int insert(int h, long aHi, long aLo, long bHi, long bLo, long meta, long icmp) {
    int i = h & mask;
    while ((rec[base(i) + STATE] & USED) != 0) {
      i = (i + 1) & mask;
    }
    int base = base(i);
    rec[base + A_HI] = aHi;
    rec[base + A_LO] = aLo;
    rec[base + B_HI] = bHi;
    rec[base + B_LO] = bLo;
    rec[base + META] = meta;
    rec[base + ICMP] = icmp;
    rec[base + FLOW_START] = Long.MAX_VALUE;
    rec[base + LAST_SEEN] = Long.MIN_VALUE;
    rec[base + LAST_TS] = Long.MIN_VALUE;
    rec[base + SYN_OR_RTT] = 0;
    rec[base + STATE] = USED;
    checkAt[i] = Long.MAX_VALUE;
    resetInterval(i);
    size++;
    return i;
  }

  /** Clears the counters of the current interval (the flow continues). */
  void resetInterval(int id) {
    int base = base(id);
    rec[base + LAST_SEEN] = Math.max(rec[base + LAST_SEEN], rec[base + LAST_TS]);
    rec[base + PACKETS_AB] = 0;
    rec[base + PACKETS_BA] = 0;
    rec[base + BYTES_AB] = 0;
    rec[base + BYTES_BA] = 0;
    rec[base + FIRST_TS] = Long.MAX_VALUE;
    rec[base + LAST_TS] = Long.MIN_VALUE;
    long st = rec[base + STATE];
    // keep state bits (minus the per-interval flag markers) and the interval index
    rec[base + STATE] =
        (st & 0xffff_0000_0000_0000L) | (st & 0xffff_ffffL & ~(FLAGS_SEEN_AB | FLAGS_SEEN_BA));
  }

  /** The flow's last packet, across intervals. */
  long lastSeen(int id) {
    int base = base(id);
    return Math.max(rec[base + LAST_SEEN], rec[base + LAST_TS]);
  }

  boolean used(int id) {
    return (rec[base(id) + STATE] & USED) != 0;
  }

  int state(int id) {
    return (int) rec[base(id) + STATE];
  }

  int flagsAb(int id) {
    return (int) (rec[base(id) + STATE] >>> 32) & 0xff;
  }

  int flagsBa(int id) {
    return (int) (rec[base(id) + STATE] >>> 40) & 0xff;
  }

  int interval(int id) {
    return (int) (rec[base(id) + STATE] >>> 48);
  }

  void nextInterval(int id) {
    if (interval(id) < 0xffff) {
      rec[base(id) + STATE] += 1L << 48;
    }
  }

  /** Removes the flow in {@code slot}; a later flow may move into it. */
  void remove(int slot) {
    long[] r = rec;
    int hole = slot;
    r[base(hole) + STATE] = 0;
    checkAt[hole] = Long.MAX_VALUE;
    int j = hole;
    while (true) {
      j = (j + 1) & mask;
      int base = base(j);
      if ((r[base + STATE] & USED) == 0) {
        break;
      }
      int home =
          hashOf(
                  r[base + A_HI],
                  r[base + A_LO],
                  r[base + B_HI],
                  r[base + B_LO],
                  r[base + META],
                  r[base + ICMP])
              & mask;
      boolean stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (!stays) {
        System.arraycopy(r, base, r, base(hole), STRIDE);
        checkAt[hole] = checkAt[j];
        r[base + STATE] = 0;
        checkAt[j] = Long.MAX_VALUE;
        hole = j;
      }
    }
    size--;
  }
}
