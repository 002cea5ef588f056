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

/**
 * Aggregates decoded packets into bidirectional flows and exports them on timeouts.
 *
 * <p>The table's clock is the packets' time: the largest timestamp seen, or what {@link #advanceTo}
 * says when no packets come (live capture). Offline, results therefore do not depend on how fast a
 * file is read. Expiry is checked every {@code sweepInterval} of that clock: a flow idle for {@code
 * idleTimeout} ({@code closedTimeout} after FIN or RST) is exported and removed; one whose interval
 * is older than {@code activeTimeout} is exported and continues with the next interval. When {@code
 * maxFlows} are held, the least recently seen of a small sample is exported early ({@code
 * cache_full}) and counted: memory is fixed when the table is created.
 *
 * <p>Adding a packet to a known flow allocates nothing. Not thread-safe: one table per capture
 * thread.
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
  private long exported;
  private final FlowView view;

  public FlowTable(FlowTableConfig config, FlowExporter exporter) {
    this.store = new FlowStore(config.maxFlows());
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

  /** Flows exported early because the table was full. */
  public long evictedFlows() {
    return evicted;
  }

  /** Flow records handed to the exporter. */
  public long exportedRecords() {
    return exported;
  }

  /** Adds one IP packet (with its fragment attribution done). */
  public void add(DecodedPacket p) {
    advanceTo(p.timestampNanos);
    int srcPort = p.srcPort;
    int dstPort = p.dstPort;
    boolean icmp = p.isIcmp();
    long icmpKey = 0;
    if (icmp) {
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
    boolean fromA = order <= 0;
    long aHi = fromA ? p.srcHi : p.dstHi;
    long aLo = fromA ? p.srcLo : p.dstLo;
    long bHi = fromA ? p.dstHi : p.srcHi;
    long bLo = fromA ? p.dstLo : p.srcLo;
    int aPort = fromA ? srcPort : dstPort;
    int bPort = fromA ? dstPort : srcPort;
    long meta =
        ((long) p.ipVersion << 42)
            | ((long) p.protocol << 34)
            | ((long) (aPort + 1) << 17)
            | (bPort + 1);
    int h = FlowStore.hashOf(aHi, aLo, bHi, bLo, meta, icmpKey);
    int id = store.find(h, aHi, aLo, bHi, bLo, meta, icmpKey);
    if (id == FlowStore.NONE) {
      if (store.isFull()) {
        evictOne();
      }
      id = store.insert(h, aHi, aLo, bHi, bLo, meta, icmpKey);
      store.state[id] |= fromA ? FIRST_FROM_A : FIRST_FROM_B;
    }
    count(id, p, fromA);
  }

  private void count(int id, DecodedPacket p, boolean fromA) {
    FlowStore s = store;
    long ts = p.timestampNanos;
    int st = s.state[id];
    if (fromA) {
      s.packetsAb[id]++;
      s.bytesAb[id] += p.ipBytes;
    } else {
      s.packetsBa[id]++;
      s.bytesBa[id] += p.ipBytes;
    }
    if (ts < s.firstTs[id]) {
      s.firstTs[id] = ts;
    }
    if (ts > s.lastTs[id]) {
      s.lastTs[id] = ts;
    }
    if (ts < s.flowStart[id]) {
      s.flowStart[id] = ts;
    }
    if (ts > s.lastSeen[id]) {
      s.lastSeen[id] = ts;
    }
    int flags = p.tcpFlags;
    if (flags >= 0) {
      if (fromA) {
        s.flagsAb[id] |= flags;
        st |= FLAGS_SEEN_AB;
      } else {
        s.flagsBa[id] |= flags;
        st |= FLAGS_SEEN_BA;
      }
      st = tcpState(id, st, flags, fromA, ts);
    } else if (p.icmpType >= 0 && IcmpTypes.hasEchoIdentifier(p.ipVersion, p.icmpType)) {
      boolean reply = IcmpTypes.isReply(p.ipVersion, p.icmpType);
      st |=
          reply ? (fromA ? REPLY_FROM_A : REPLY_FROM_B) : (fromA ? REQUEST_FROM_A : REQUEST_FROM_B);
    }
    s.state[id] = st;
  }

  private int tcpState(int id, int st, int flags, boolean fromA, long ts) {
    boolean syn = (flags & 0x02) != 0;
    boolean ack = (flags & 0x10) != 0;
    if (syn && !ack) {
      st |= fromA ? SYN_FROM_A : SYN_FROM_B;
      if (store.synTs[id] == FlowStore.NONE) {
        store.synTs[id] = ts;
      }
    } else if (syn) {
      int synFromPeer = fromA ? SYN_FROM_B : SYN_FROM_A;
      if ((st & (SYNACK_FROM_A | SYNACK_FROM_B)) == 0
          && (st & synFromPeer) != 0
          && store.synTs[id] != FlowStore.NONE) {
        store.rtt[id] = Math.max(0, ts - store.synTs[id]);
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
      nextSweep = nowNanos + sweepNanos;
    }
  }

  private void sweep() {
    FlowStore s = store;
    for (int id = 0; id < s.capacity; id++) {
      if (!s.used[id]) {
        continue;
      }
      boolean closed = (s.state[id] & (FIN_FROM_A | FIN_FROM_B | RST)) != 0;
      if (clock - s.lastSeen[id] >= (closed ? closedNanos : idleNanos)) {
        EndReason reason =
            (s.state[id] & RST) != 0
                ? EndReason.END_REASON_RST
                : closed ? EndReason.END_REASON_FIN : EndReason.END_REASON_IDLE_TIMEOUT;
        exportAndRemove(id, reason);
      } else if (s.packetsAb[id] + s.packetsBa[id] > 0 && clock - s.firstTs[id] >= activeNanos) {
        export(id, EndReason.END_REASON_ACTIVE_TIMEOUT);
        s.resetInterval(id);
        s.interval[id]++;
      }
    }
  }

  private void evictOne() {
    FlowStore s = store;
    int victim = FlowStore.NONE;
    long oldest = Long.MAX_VALUE;
    for (int n = 0, probes = 0; n < EVICTION_SAMPLE && probes < s.capacity; probes++) {
      int id = evictionCursor;
      evictionCursor = (evictionCursor + 1) % s.capacity;
      if (!s.used[id]) {
        continue;
      }
      n++;
      if (s.lastSeen[id] < oldest) {
        oldest = s.lastSeen[id];
        victim = id;
      }
    }
    evicted++;
    exportAndRemove(victim, EndReason.END_REASON_CACHE_FULL);
  }

  /** Exports every flow (end of capture, shutdown) and empties the table. */
  public void flush() {
    FlowStore s = store;
    for (int id = 0; id < s.capacity; id++) {
      if (s.used[id]) {
        exportAndRemove(id, EndReason.END_REASON_FLUSH);
      }
    }
  }

  private void exportAndRemove(int id, EndReason reason) {
    export(id, reason);
    store.remove(id);
  }

  private void export(int id, EndReason reason) {
    if (store.packetsAb[id] + store.packetsBa[id] == 0) {
      return; // an interval with no packets is no record
    }
    view.id = id;
    exporter.export(view, reason);
    exported++;
  }
}
