package io.podflow.agent.flow;

import static io.podflow.agent.flow.FlowStore.ACK_AFTER_HANDSHAKE;
import static io.podflow.agent.flow.FlowStore.FIN_FROM_A;
import static io.podflow.agent.flow.FlowStore.FIN_FROM_B;
import static io.podflow.agent.flow.FlowStore.FIRST_FROM_A;
import static io.podflow.agent.flow.FlowStore.FIRST_FROM_B;
import static io.podflow.agent.flow.FlowStore.FLAGS_SEEN_AB;
import static io.podflow.agent.flow.FlowStore.FLAGS_SEEN_BA;
import static io.podflow.agent.flow.FlowStore.REPLY_FROM_A;
import static io.podflow.agent.flow.FlowStore.REPLY_FROM_B;
import static io.podflow.agent.flow.FlowStore.REQUEST_FROM_A;
import static io.podflow.agent.flow.FlowStore.REQUEST_FROM_B;
import static io.podflow.agent.flow.FlowStore.RST;
import static io.podflow.agent.flow.FlowStore.SYNACK_FROM_A;
import static io.podflow.agent.flow.FlowStore.SYNACK_FROM_B;
import static io.podflow.agent.flow.FlowStore.SYN_FROM_A;
import static io.podflow.agent.flow.FlowStore.SYN_FROM_B;

import io.podflow.agent.decode.DecodedPacket;
import io.podflow.agent.decode.IcmpTypes;
import io.podflow.schema.flow.v1.EndReason;
import java.util.function.IntConsumer;

/**
 * Aggregates decoded packets into bidirectional flows and exports them on timeouts.
 *
 * <p>The table's clock is the packets' time: the largest timestamp seen, or what {@link #advanceTo}
 * says when no packets come (live capture). Offline, results therefore do not depend on how fast a
 * file is read. Expiry is checked every {@code sweepInterval} of that clock: a flow idle for {@code
 * idleTimeout} ({@code closedTimeout} after FIN or RST) is exported and removed; one whose interval
 * is older than {@code activeTimeout} is exported and continues with the next interval.
 *
 * <p>Memory: the table starts with room for a few hundred flows and doubles as it fills, taking the
 * room from a {@link FlowBudget} shared by every table of the agent (a whole doubling or nothing,
 * so its slots stay twice its room: 272 bytes per flow of budget); it halves again when mostly
 * empty, and {@link #close} gives everything back. When the budget is spent, a full table exports
 * the least recently seen of a small sample early ({@code cache_full}), counted, so no packet is
 * lost to a full table and the agent's flows never outgrow the budget. A new flow whose probe
 * window is full (see {@link FlowStore#PROBE_LIMIT}) replaces the window's least recently seen flow
 * the same way.
 *
 * <p>Adding a packet to a known flow allocates nothing; only a resize allocates, at most once per
 * doubling of the flows held. Not thread-safe: one table per capture thread.
 */
public final class FlowTable {
  private static final int EVICTION_SAMPLE = 8;

  private final FlowStore store;
  private final FlowExporter exporter;
  private final long activeNanos;
  private final long idleNanos;
  private final long closedNanos;
  private final long sweepNanos;
  private long clock = Long.MIN_VALUE;
  private long nextSweep = Long.MIN_VALUE;
  private int evictionCursor;
  private long evicted;
  private long probeLimitEvicted;
  private long exported;
  private final FlowView view;
  private final FlowBudget budget;
  private final int floor;
  private boolean closed;

  /** Exports a flow that found no room while the table was resized. */
  private final IntConsumer overflow =
      id -> {
        if (export(id, EndReason.END_REASON_CACHE_FULL)) {
          evicted++;
          probeLimitEvicted++;
        }
      };

  /** Sink of the batch's early loads, so the JIT keeps them. */
  @SuppressWarnings("unused")
  private long touched;

  /** A table with a budget of its own: {@code config.maxFlows()} flows (files, tests). */
  public FlowTable(FlowTableConfig config, FlowExporter exporter) {
    this(config, new FlowBudget(config.maxFlows()), exporter);
  }

  /** A table that shares {@code budget} with the agent's other tables. */
  public FlowTable(FlowTableConfig config, FlowBudget budget, FlowExporter exporter) {
    this.budget = budget;
    this.floor = budget.reserveFloor();
    this.store = new FlowStore(floor);
    this.view = new FlowView(store);
    this.exporter = exporter;
    this.activeNanos = config.activeTimeout().toNanos();
    this.idleNanos = config.idleTimeout().toNanos();
    this.closedNanos = config.closedTimeout().toNanos();
    this.sweepNanos = config.sweepInterval().toNanos();
  }

  /** Flows held now. */
  public int activeFlows() {
    return store.size;
  }

  /**
   * Flows exported early because the table was full (or their probe window was): records with
   * {@code cache_full}. A flow pushed out while its current interval is empty (its packets went out
   * with an active-timeout record) produces no record and is not counted.
   */
  public long evictedFlows() {
    return evicted;
  }

  /**
   * Of {@link #evictedFlows}, those exported because a new flow's probe window was full although
   * the table was not: with keyed hashes, rare whatever keys a sender picks.
   */
  public long probeLimitEvictions() {
    return probeLimitEvicted;
  }

  /** Flows the table has room for now, within its budget. */
  public int capacity() {
    return store.capacity;
  }

  /** Slots of the table's arrays now (tests: twice its room). */
  int slots() {
    return store.slots;
  }

  /** Flow records handed to the exporter. */
  public long exportedRecords() {
    return exported;
  }

  /**
   * Adds {@code n} IP packets (fragments attributed) in order, as if one by one. Keys are computed
   * and each packet's table slot is touched first, so the cache misses of the whole batch overlap
   * instead of being waited for one packet at a time.
   */
  void addBatch(DecodedPacket[] packets, FlowKey[] keys, int n) {
    long[] r = store.rec;
    int mask = store.slots - 1;
    long touch = 0;
    for (int k = 0; k < n; k++) {
      FlowKey key = keys[k];
      key.of(packets[k]);
      int base = FlowStore.base(key.hash & mask);
      touch += r[base + FlowStore.A_LO] + r[base + FlowStore.PACKETS_AB];
    }
    touched = touch;
    for (int k = 0; k < n; k++) {
      add(packets[k], keys[k]);
    }
  }

  private void add(DecodedPacket p, FlowKey key) {
    advanceTo(p.timestampNanos);
    int id = store.find(key.hash, key.aHi, key.aLo, key.bHi, key.bLo, key.meta, key.icmp);
    if (id == FlowStore.NONE) {
      if (store.isFull() && !grow()) {
        evictOne();
      }
      id = store.insert(key.hash, key.aHi, key.aLo, key.bHi, key.bLo, key.meta, key.icmp);
      if (id == FlowStore.NONE) {
        id = store.windowVictim(key.hash);
        if (export(id, EndReason.END_REASON_CACHE_FULL)) {
          evicted++;
          probeLimitEvicted++;
        }
        store.place(id, key.aHi, key.aLo, key.bHi, key.bLo, key.meta, key.icmp);
      }
      store.rec[FlowStore.base(id) + FlowStore.STATE] |= key.fromA ? FIRST_FROM_A : FIRST_FROM_B;
      // The sweep looks at a flow when it could first be due; an earlier look only reschedules
      // it, so packets need not move this (a write per packet to a second array).
      store.checkAt[id] = p.timestampNanos + Math.min(activeNanos, idleNanos);
    }
    count(id, p, key.fromA);
  }

  private void count(int id, DecodedPacket p, boolean fromA) {
    long[] r = store.rec;
    int base = FlowStore.base(id);
    long ts = p.timestampNanos;
    r[base + (fromA ? FlowStore.PACKETS_AB : FlowStore.PACKETS_BA)]++;
    r[base + (fromA ? FlowStore.BYTES_AB : FlowStore.BYTES_BA)] += p.ipBytes;
    if (ts < r[base + FlowStore.FIRST_TS]) {
      r[base + FlowStore.FIRST_TS] = ts;
    }
    if (ts > r[base + FlowStore.LAST_TS]) {
      r[base + FlowStore.LAST_TS] = ts;
    }
    if (ts < r[base + FlowStore.FLOW_START]) {
      r[base + FlowStore.FLOW_START] = ts;
    }
    long st = r[base + FlowStore.STATE];
    int flags = p.tcpFlags;
    if (flags >= 0) {
      if (fromA) {
        st |= ((long) flags << 32) | FLAGS_SEEN_AB;
      } else {
        st |= ((long) flags << 40) | FLAGS_SEEN_BA;
      }
      st = tcpState(base, st, flags, fromA, ts);
    } else if (p.icmpType >= 0 && IcmpTypes.hasEchoIdentifier(p.ipVersion, p.icmpType)) {
      boolean reply = IcmpTypes.isReply(p.ipVersion, p.icmpType);
      st |=
          reply ? (fromA ? REPLY_FROM_A : REPLY_FROM_B) : (fromA ? REQUEST_FROM_A : REQUEST_FROM_B);
    }
    long closing = (st & ~r[base + FlowStore.STATE]) & (FIN_FROM_A | FIN_FROM_B | RST);
    r[base + FlowStore.STATE] = st;
    if (closing != 0) {
      // The shorter timeout after FIN or RST: make the sweep look sooner.
      store.checkAt[id] = Math.min(store.checkAt[id], ts + closedNanos);
    }
  }

  /** When the flow is due: its interval's active timeout, or its idle timeout. */
  private long deadline(long st, long intervalStart, long lastSeen) {
    boolean closed = (st & (FIN_FROM_A | FIN_FROM_B | RST)) != 0;
    long idle = lastSeen + (closed ? closedNanos : idleNanos);
    // An empty interval starts with its next packet, which is not older than the clock.
    long start = intervalStart == Long.MAX_VALUE ? clock : intervalStart;
    return Math.min(idle, start + activeNanos);
  }

  /**
   * Doubles the room for flows if the budget has all of it. Never a part: slots are a power of two,
   * twice the room, so room of a power of two is what keeps a table at 272 bytes per flow of budget
   * (room of 2^k + 1 would need four slots per flow).
   */
  private boolean grow() {
    int capacity = store.capacity;
    if (!FlowStore.isDoubling(capacity) || !budget.reserve(capacity)) {
      return false;
    }
    store.resize(2 * capacity, overflow);
    return true;
  }

  /** Halves the room of a table that holds under an eighth of it, and gives the rest back. */
  private void shrinkIfMostlyEmpty() {
    int capacity = store.capacity;
    if (capacity > floor && store.size < capacity / 8) {
      int flows = Math.max(floor, capacity / 2);
      store.resize(flows, overflow);
      budget.release(capacity - flows);
    }
  }

  private long tcpState(int base, long st, int flags, boolean fromA, long ts) {
    long[] r = store.rec;
    boolean syn = (flags & 0x02) != 0;
    boolean ack = (flags & 0x10) != 0;
    if (syn && !ack) {
      st |= fromA ? SYN_FROM_A : SYN_FROM_B;
      if ((st & FlowStore.SYN_SEEN) == 0) {
        st |= FlowStore.SYN_SEEN;
        r[base + FlowStore.SYN_OR_RTT] = ts;
      }
    } else if (syn) {
      long synFromPeer = fromA ? SYN_FROM_B : SYN_FROM_A;
      if ((st & (SYNACK_FROM_A | SYNACK_FROM_B)) == 0
          && (st & synFromPeer) != 0
          && (st & FlowStore.RTT_KNOWN) == 0) {
        r[base + FlowStore.SYN_OR_RTT] = Math.max(0, ts - r[base + FlowStore.SYN_OR_RTT]);
        st |= FlowStore.RTT_KNOWN;
      }
      st |= fromA ? SYNACK_FROM_A : SYNACK_FROM_B;
    } else if (ack && (st & (SYNACK_FROM_A | SYNACK_FROM_B)) != 0) {
      st |= ACK_AFTER_HANDSHAKE;
    }
    if ((flags & 0x01) != 0) {
      st |= fromA ? FIN_FROM_A : FIN_FROM_B;
    }
    if ((flags & 0x04) != 0) {
      st |= RST;
    }
    return st;
  }

  /**
   * Moves the table's clock forward (never back) and exports what expired. Live capture calls it
   * when no packet arrived for a while.
   */
  public void advanceTo(long nowNanos) {
    if (nowNanos <= clock) {
      return;
    }
    clock = nowNanos;
    if (nextSweep == Long.MIN_VALUE) {
      nextSweep = nowNanos + sweepNanos;
      return;
    }
    if (nowNanos >= nextSweep) {
      sweep();
      shrinkIfMostlyEmpty();
      nextSweep = nowNanos + sweepNanos;
    }
  }

  private void sweep() {
    FlowStore s = store;
    long[] r = s.rec;
    long[] due = s.checkAt;
    for (int id = 0; id < s.slots; id++) {
      if (due[id] > clock) {
        continue;
      }
      int base = FlowStore.base(id);
      long st = r[base + FlowStore.STATE];
      boolean closed = (st & (FIN_FROM_A | FIN_FROM_B | RST)) != 0;
      if (clock - s.lastSeen(id) >= (closed ? closedNanos : idleNanos)) {
        EndReason reason =
            (st & RST) != 0
                ? EndReason.END_REASON_RST
                : closed ? EndReason.END_REASON_FIN : EndReason.END_REASON_IDLE_TIMEOUT;
        exportAndRemove(id, reason);
        id--; // a later flow may have moved into this slot
        continue;
      }
      if (r[base + FlowStore.PACKETS_AB] + r[base + FlowStore.PACKETS_BA] > 0
          && clock - r[base + FlowStore.FIRST_TS] >= activeNanos) {
        export(id, EndReason.END_REASON_ACTIVE_TIMEOUT);
        s.resetInterval(id);
        s.nextInterval(id);
      }
      due[id] = deadline(r[base + FlowStore.STATE], r[base + FlowStore.FIRST_TS], s.lastSeen(id));
    }
  }

  private void evictOne() {
    FlowStore s = store;
    int victim = FlowStore.NONE;
    long oldest = Long.MAX_VALUE;
    for (int n = 0, probes = 0; n < EVICTION_SAMPLE && probes < s.slots; probes++) {
      // Masked: a shrink may have left the cursor beyond the new, smaller table's end.
      int id = evictionCursor & (s.slots - 1);
      evictionCursor = (id + 1) & (s.slots - 1);
      if (!s.used(id)) {
        continue;
      }
      n++;
      long lastSeen = s.lastSeen(id);
      if (lastSeen < oldest) {
        oldest = lastSeen;
        victim = id;
      }
    }
    if (export(victim, EndReason.END_REASON_CACHE_FULL)) {
      evicted++;
    }
    store.remove(victim);
  }

  /** Exports every flow (end of capture, shutdown) and empties the table. */
  public void flush() {
    FlowStore s = store;
    for (int id = 0; id < s.slots; id++) {
      while (s.used(id)) { // a later flow may move into the emptied slot
        exportAndRemove(id, EndReason.END_REASON_FLUSH);
      }
    }
  }

  /**
   * Exports every flow and gives the table's room back to the budget (the capture of its interface
   * ended). The table must not be used afterwards.
   */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    int capacity = store.capacity;
    try {
      flush();
    } finally {
      // Even when an export failed: the room goes back and what was not exported is dropped
      // (the failure goes up to the capture, which logs it), so no budget is held for good.
      store.discard();
      budget.release(capacity);
    }
  }

  private void exportAndRemove(int id, EndReason reason) {
    export(id, reason);
    store.remove(id);
  }

  /** Exports the flow's current interval; false when it has no packets (no record). */
  private boolean export(int id, EndReason reason) {
    int base = FlowStore.base(id);
    if (store.rec[base + FlowStore.PACKETS_AB] + store.rec[base + FlowStore.PACKETS_BA] == 0) {
      return false;
    }
    view.id = id;
    exporter.export(view, reason);
    exported++;
    return true;
  }
}
