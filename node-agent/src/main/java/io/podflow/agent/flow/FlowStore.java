package io.podflow.agent.flow;

import java.util.Arrays;

/**
 * The flows' state as parallel primitive arrays indexed by flow id, plus an open-addressing index
 * from key to id (linear probing, backward-shift deletion). Adding a packet to a known flow touches
 * a few array cells and allocates nothing. Endpoint A is the smaller of the two (address bytes,
 * then port); counters are kept per direction A to B and B to A.
 */
final class FlowStore {
  static final int NONE = -1;

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

  final int capacity;
  private final int mask;
  private final int[] slots;
  private final int[] freeIds;
  private int freeCount;
  int size;

  // key
  final int[] hash;
  final long[] aHi;
  final long[] aLo;
  final long[] bHi;
  final long[] bLo;

  /** ip version (4 bits) | protocol (8) | A port + 1 (17) | B port + 1 (17). */
  final long[] meta;

  /** ICMP type + 1 (9 bits) | code + 1 (9) | echo id + 1 (17); 0 for non-ICMP flows. */
  final long[] icmp;

  // per interval
  final long[] packetsAb;
  final long[] packetsBa;
  final long[] bytesAb;
  final long[] bytesBa;
  final int[] flagsAb;
  final int[] flagsBa;
  final long[] firstTs;
  final long[] lastTs;

  // per flow
  final boolean[] used;
  final int[] state;
  final long[] flowStart;

  /** Last packet of the flow, across intervals: idle expiry counts from it. */
  final long[] lastSeen;

  final long[] synTs;
  final long[] rtt;
  final int[] interval;

  FlowStore(int maxFlows) {
    capacity = maxFlows;
    int tableSize = Integer.highestOneBit(Math.max(2, maxFlows) - 1) << 2;
    mask = tableSize - 1;
    slots = new int[tableSize];
    freeIds = new int[maxFlows];
    for (int i = 0; i < maxFlows; i++) {
      freeIds[i] = maxFlows - 1 - i;
    }
    freeCount = maxFlows;
    hash = new int[maxFlows];
    aHi = new long[maxFlows];
    aLo = new long[maxFlows];
    bHi = new long[maxFlows];
    bLo = new long[maxFlows];
    meta = new long[maxFlows];
    icmp = new long[maxFlows];
    packetsAb = new long[maxFlows];
    packetsBa = new long[maxFlows];
    bytesAb = new long[maxFlows];
    bytesBa = new long[maxFlows];
    flagsAb = new int[maxFlows];
    flagsBa = new int[maxFlows];
    firstTs = new long[maxFlows];
    lastTs = new long[maxFlows];
    used = new boolean[maxFlows];
    state = new int[maxFlows];
    flowStart = new long[maxFlows];
    lastSeen = new long[maxFlows];
    synTs = new long[maxFlows];
    rtt = new long[maxFlows];
    interval = new int[maxFlows];
  }

  static int hashOf(long aHi, long aLo, long bHi, long bLo, long meta, long icmp) {
    long h = aHi * 0x9e3779b97f4a7c15L;
    h = (h ^ aLo) * 0xc2b2ae3d27d4eb4fL;
    h = (h ^ bHi) * 0x9e3779b97f4a7c15L;
    h = (h ^ bLo) * 0xc2b2ae3d27d4eb4fL;
    h = (h ^ meta) * 0x9e3779b97f4a7c15L;
    h = (h ^ icmp) * 0xc2b2ae3d27d4eb4fL;
    h ^= h >>> 32;
    return (int) h;
  }

  /** The id of the flow with this key, or NONE. */
  int find(int h, long aHi, long aLo, long bHi, long bLo, long meta, long icmp) {
    int i = h & mask;
    while (true) {
      int entry = slots[i];
      if (entry == 0) {
        return NONE;
      }
      int id = entry - 1;
      if (hash[id] == h
          && this.aLo[id] == aLo
          && this.bLo[id] == bLo
          && this.meta[id] == meta
          && this.aHi[id] == aHi
          && this.bHi[id] == bHi
          && this.icmp[id] == icmp) {
        return id;
      }
      i = (i + 1) & mask;
    }
  }

  boolean isFull() {
    return freeCount == 0;
  }

  /** Adds a flow with this key (which must be absent) and returns its id; the store is not full. */
  int insert(int h, long aHi, long aLo, long bHi, long bLo, long meta, long icmp) {
    int id = freeIds[--freeCount];
    int i = h & mask;
    while (slots[i] != 0) {
      i = (i + 1) & mask;
    }
    slots[i] = id + 1;
    hash[id] = h;
    this.aHi[id] = aHi;
    this.aLo[id] = aLo;
    this.bHi[id] = bHi;
    this.bLo[id] = bLo;
    this.meta[id] = meta;
    this.icmp[id] = icmp;
    used[id] = true;
    state[id] = 0;
    interval[id] = 0;
    rtt[id] = NONE;
    synTs[id] = NONE;
    flowStart[id] = Long.MAX_VALUE;
    lastSeen[id] = Long.MIN_VALUE;
    resetInterval(id);
    size++;
    return id;
  }

  void resetInterval(int id) {
    packetsAb[id] = 0;
    packetsBa[id] = 0;
    bytesAb[id] = 0;
    bytesBa[id] = 0;
    flagsAb[id] = 0;
    flagsBa[id] = 0;
    firstTs[id] = Long.MAX_VALUE;
    lastTs[id] = Long.MIN_VALUE;
    state[id] &= ~(FLAGS_SEEN_AB | FLAGS_SEEN_BA);
  }

  void remove(int id) {
    int i = hash[id] & mask;
    while (slots[i] != id + 1) {
      i = (i + 1) & mask;
    }
    slots[i] = 0;
    int hole = i;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      int entry = slots[j];
      if (entry == 0) {
        break;
      }
      int home = hash[entry - 1] & mask;
      boolean stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (!stays) {
        slots[hole] = entry;
        slots[j] = 0;
        hole = j;
      }
    }
    used[id] = false;
    freeIds[freeCount++] = id;
    size--;
  }

  void clear() {
    Arrays.fill(slots, 0);
    Arrays.fill(used, false);
    for (int i = 0; i < capacity; i++) {
      freeIds[i] = capacity - 1 - i;
    }
    freeCount = capacity;
    size = 0;
  }
}
