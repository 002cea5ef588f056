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
  private final DecodedPacket packet = new DecodedPacket();
  private final FragmentTracker fragments = new FragmentTracker(1 << 14);
  private final MeterCounters counters = new MeterCounters();
  private final FlowTable table;

  public FlowMeter(FlowTable table) {
    this.table = table;
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
      table.add(packet);
    } else if (outcome == DecodeOutcome.NOT_IP) {
      counters.notIp++;
      table.advanceTo(timestampNanos);
    } else {
      counters.malformed[decoder.malformedReason().ordinal()]++;
      table.advanceTo(timestampNanos);
    }
  }

  public MeterCounters counters() {
    return counters;
  }

  public FlowTable table() {
    return table;
  }
}
