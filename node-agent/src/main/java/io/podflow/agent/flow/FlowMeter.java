package io.podflow.agent.flow;

import io.podflow.agent.capture.FrameHandler;
import io.podflow.agent.decode.DecodeOutcome;
import io.podflow.agent.decode.DecodedPacket;
import io.podflow.agent.decode.PacketDecoder;

/**
 * The packet path: decodes each frame, attributes fragments, and adds IP packets to the flow table.
 * It allocates nothing per frame, logs nothing, and never throws for any frame bytes.
 */
public final class FlowMeter implements FrameHandler {
  private final PacketDecoder decoder = new PacketDecoder();
  private static final int BATCH = 32;
  private final DecodedPacket[] batch = new DecodedPacket[BATCH];
  private final FlowKey[] keys = new FlowKey[BATCH];
  private int pending;

  /** First fragments remembered by a meter of a file (16,384, 1.1 MiB). */
  public static final int FRAGMENT_SLOTS = 1 << 14;

  private final FragmentTracker fragments;
  private final MeterCounters counters = new MeterCounters();
  private final FlowTable table;

  public FlowMeter(FlowTable table) {
    this(table, FRAGMENT_SLOTS);
  }

  /**
   * @param fragmentSlots first fragments remembered at once (about 70 bytes each): a pod's
   *     interface, one of a hundred in an agent, needs far fewer than a whole capture file
   */
  public FlowMeter(FlowTable table, int fragmentSlots) {
    this.table = table;
    this.fragments = new FragmentTracker(fragmentSlots);
    for (int i = 0; i < BATCH; i++) {
      batch[i] = new DecodedPacket();
      keys[i] = new FlowKey();
    }
  }

  @Override
  public void frame(
      byte[] data,
      int offset,
      int capturedLength,
      int wireLength,
      int linkType,
      long timestampNanos) {
    counters.frames++;
    DecodedPacket packet = batch[pending];
    DecodeOutcome outcome =
        decoder.decode(data, offset, capturedLength, wireLength, linkType, timestampNanos, packet);
    if (outcome == DecodeOutcome.IP) {
      counters.ipPackets++;
      if (packet.transportTruncated) {
        counters.transportTruncated++;
      }
      if (packet.fragment) {
        counters.fragments++;
        if (!fragments.attribute(packet)) {
          counters.unattributedFragments++;
        }
      }
      if (++pending == BATCH) {
        drain();
      }
    } else if (outcome == DecodeOutcome.NOT_IP) {
      counters.notIp++;
      advanceTo(timestampNanos);
    } else {
      counters.malformed[decoder.malformedReason().ordinal()]++;
      advanceTo(timestampNanos);
    }
  }

  /** Adds the packets decoded but not yet counted (batches of up to 32) to the table. */
  public void drain() {
    int n = pending;
    if (n > 0) {
      // Emptied first: if the table throws (an exporter failed), the capture's end drains again,
      // and a batch added twice would count its packets twice.
      pending = 0;
      table.addBatch(batch, keys, n);
    }
  }

  /** Moves time forward: packets held in the batch go first, so the order stays exact. */
  public void advanceTo(long nowNanos) {
    drain();
    table.advanceTo(nowNanos);
  }

  /** Counts what is held and exports every flow (end of a file, end of a capture). */
  public void finish() {
    drain();
    table.flush();
  }

  public MeterCounters counters() {
    return counters;
  }

  public FlowTable table() {
    return table;
  }
}
