package io.podflow.agent.testing;

import io.podflow.agent.decode.LinkType;
import io.podflow.agent.flow.FlowMeter;
import io.podflow.agent.flow.FlowRecordBuilder;
import io.podflow.agent.flow.FlowTable;
import io.podflow.agent.flow.FlowTableConfig;
import io.podflow.schema.flow.v1.FlowRecord;
import java.util.ArrayList;
import java.util.List;

/** A flow meter whose exported records are kept in a list, fed frames at chosen times. */
public final class RecordingTable {
  public final List<FlowRecord> records = new ArrayList<>();
  public final FlowTable table;
  public final FlowMeter meter;

  public RecordingTable(FlowTableConfig config) {
    FlowRecordBuilder builder = new FlowRecordBuilder("test", "node", "eth0", "agent");
    table = new FlowTable(config, (flow, reason) -> records.add(builder.build(flow, reason)));
    meter = new FlowMeter(table);
  }

  /** Feeds an Ethernet frame captured at {@code seconds} (Unix time). */
  public RecordingTable at(double seconds, byte[] frame) {
    meter.frame(frame, 0, frame.length, frame.length, LinkType.ETHERNET, (long) (seconds * 1e9));
    meter.drain(); // so a test sees each packet's effect at once
    return this;
  }

  public List<FlowRecord> flush() {
    meter.finish();
    return records;
  }
}
