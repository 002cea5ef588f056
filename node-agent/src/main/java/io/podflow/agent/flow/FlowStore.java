package io.podflow.agent.flow;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * The flows' state, laid out for the packet path: each flow is one 128-byte record of 16 longs in a
 * single array (key first, then the counters a packet updates), so adding a packet touches one
 * record. Records sit in an open-addressing table with linear probing (deletion shifts entries
 * back, no tombstones), at most {@link #PROBE_LIMIT} slots from their home slot, hashed with a
 * per-process secret. The arrays start small and are resized by the table within its budget.
 * Endpoint A is the smaller of the two (address bytes, then port); counters are kept per direction.
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

  /**
   * Longest distance, in slots, between a flow's home slot and its slot. Lookups read at most this
   * many records whatever keys arrive; an insert whose window is full replaces the least recently
   * seen flow of the window (exported early) instead of probing on.
   */
  static final int PROBE_LIMIT = 32;

  /**
   * The keyed hash's secret, drawn once per process: without it, flows cannot be chosen to land in
   * the same slots (the constants below are public), so a flood of crafted keys spreads like random
   * ones, and {@link #PROBE_LIMIT} bounds what is left.
   */
  private static final long SECRET;

  private static final long SECRET2;

  static {
    SecureRandom random = new SecureRandom();
    SECRET = random.nextLong();
    SECRET2 = random.nextLong();
  }

  /** Flows the arrays may hold now (at most half the slots); more only after {@link #resize}. */
  int capacity;

  /** Slots in the table (a power of two, at least twice the capacity). */
  int slots;

  long[] rec;

  /**
   * Per slot, the table time at which the flow may expire (idle or active timeout), kept beside the
   * records so a sweep reads 8 bytes per slot in order, not a record per slot. Long.MAX_VALUE for
   * empty slots.
   */
  long[] checkAt;

  private int mask;
  int size;

  /**
   * Most flows a store holds: 2^25, in 2^26 slots, whose records (2^30 longs) are as long as a Java
   * array can be with a power of two of records; 8.5 GiB of heap.
   */
  static final int MAX_CAPACITY = 1 << 25;

  FlowStore(int capacity) {
    allocate(capacity);
  }

  /** Slots for this many flows: a power of two, at least twice as many. */
  static int slotsFor(int capacity) {
    return Integer.highestOneBit(Math.max(1, capacity) - 1 | 1) << 2;
  }

  /**
   * Whether room for {@code capacity} flows may double and still take exactly two slots per flow:
   * the room is a power of two (a table's floor need not be) and its double is within {@link
   * #MAX_CAPACITY}.
   */
  static boolean isDoubling(int capacity) {
    return Integer.bitCount(capacity) == 1 && capacity <= MAX_CAPACITY / 2;
  }

  /** Drops every flow and keeps the smallest arrays (a closed table). */
  void discard() {
    size = 0;
    allocate(1);
  }

  private void allocate(int flows) {
    capacity = flows;
    slots = slotsFor(flows);
    mask = slots - 1;
    rec = new long[base(slots)];
    checkAt = new long[slots];
    Arrays.fill(checkAt, Long.MAX_VALUE);
  }

  static int hashOf(long aHi, long aLo, long bHi, long bLo, long meta, long icmp) {
    long h = (SECRET ^ aHi) * 0x9e3779b97f4a7c15L;
    h = (h ^ aLo) * 0xc2b2ae3d27d4eb4fL;
    h = (h ^ bHi) * 0x9e3779b97f4a7c15L;
    h = (h ^ bLo) * 0xc2b2ae3d27d4eb4fL;
    h = (h ^ meta) * 0x9e3779b97f4a7c15L;
    h ^= icmp ^ SECRET2;
    // murmur3's finalizer: the slot is taken from the low bits, which the multiplications
    // above leave poorly mixed.
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) h;
  }

  private int window() {
    return Math.min(PROBE_LIMIT, slots);
  }

  /** The slot of the flow with this key, or NONE. */
  int find(int h, long aHi, long aLo, long bHi, long bLo, long meta, long icmp) {
    long[] r = rec;
    int i = h & mask;
    for (int n = window(); n > 0; n--) {
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
    return NONE;
  }

  boolean isFull() {
    return size >= capacity;
  }

  /**
   * Adds a flow with this key (which must be absent; the store is not full) and returns its slot,
   * or NONE when every slot of its probe window is taken.
   */
  int insert(int h, long aHi, long aLo, long bHi, long bLo, long meta, long icmp) {
    int slot = freeSlot(h, rec, mask, window());
    if (slot == NONE) {
      return NONE;
    }
    size++;
    place(slot, aHi, aLo, bHi, bLo, meta, icmp);
    return slot;
  }

  private static int freeSlot(int h, long[] r, int mask, int window) {
    int i = h & mask;
    for (int n = window; n > 0; n--) {
      if ((r[base(i) + STATE] & USED) == 0) {
        return i;
      }
      i = (i + 1) & mask;
    }
    return NONE;
  }

  /** The least recently seen flow of this hash's probe window (which is full). */
  int windowVictim(int h) {
    int victim = h & mask;
    long oldest = lastSeen(victim);
    int i = victim;
    for (int n = window() - 1; n > 0; n--) {
      i = (i + 1) & mask;
      long seen = lastSeen(i);
      if (seen < oldest) {
        oldest = seen;
        victim = i;
      }
    }
    return victim;
  }

  /**
   * Puts a new flow in this slot, in place of what was there (exported by the caller): the slot
   * stays taken, so no other flow's probe sequence changes.
   */
  void place(int slot, long aHi, long aLo, long bHi, long bLo, long meta, long icmp) {
    int base = base(slot);
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
    checkAt[slot] = Long.MAX_VALUE;
    resetInterval(slot);
  }

  /**
   * Moves every flow into arrays for {@code flows} (more or fewer than now, at least {@link
   * #size}). A flow whose probe window is full in the new arrays (never seen with keyed hashes at
   * the load a resize leaves, but possible) is handed to {@code overflow} while the old arrays are
   * still current, then dropped.
   */
  void resize(int flows, IntConsumer overflow) {
    long[] oldRec = rec;
    long[] oldCheck = checkAt;
    int oldSlots = slots;
    int newSlots = slotsFor(flows);
    int newMask = newSlots - 1;
    long[] newRec = new long[base(newSlots)];
    long[] newCheck = new long[newSlots];
    Arrays.fill(newCheck, Long.MAX_VALUE);
    int window = Math.min(PROBE_LIMIT, newSlots);
    for (int id = 0; id < oldSlots; id++) {
      int base = base(id);
      if ((oldRec[base + STATE] & USED) == 0) {
        continue;
      }
      int h =
          hashOf(
              oldRec[base + A_HI],
              oldRec[base + A_LO],
              oldRec[base + B_HI],
              oldRec[base + B_LO],
              oldRec[base + META],
              oldRec[base + ICMP]);
      int slot = freeSlot(h, newRec, newMask, window);
      if (slot == NONE) {
        overflow.accept(id);
        size--;
        continue;
      }
      System.arraycopy(oldRec, base, newRec, base(slot), STRIDE);
      newCheck[slot] = oldCheck[id];
    }
    capacity = flows;
    slots = newSlots;
    mask = newMask;
    rec = newRec;
    checkAt = newCheck;
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
