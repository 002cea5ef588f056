package io.podflow.agent.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podflow.agent.decode.LinkType;
import io.podflow.agent.testing.Frames;
import io.podflow.schema.flow.v1.FlowRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowMeterTest {
  @Test
  void aBatchWhoseExportFailedIsNotCountedAgainWhenTheCaptureEnds() {
    List<FlowRecord> records = new ArrayList<>();
    boolean[] failing = {true};
    FlowRecordBuilder builder = new FlowRecordBuilder("test", "node", "veth1", "agent");
    // Room for one flow: the second flow of the batch pushes the first out, and that export fails.
    FlowTable table =
        new FlowTable(
            FlowTableConfig.defaults().withMaxFlows(1),
            (flow, reason) -> {
              if (failing[0]) {
                throw new IllegalStateException("the exporter failed");
              }
              records.add(builder.build(flow, reason));
            });
    FlowMeter meter = new FlowMeter(table);
    byte[] first = Frames.udp("10.0.0.1", 1000, "10.0.0.2", 53, 10);
    byte[] second = Frames.udp("10.0.0.1", 1001, "10.0.0.2", 53, 10);
    meter.frame(first, 0, first.length, first.length, LinkType.ETHERNET, 100_000_000_000L);
    meter.frame(second, 0, second.length, second.length, LinkType.ETHERNET, 100_000_000_001L);
    assertThatThrownBy(meter::drain).hasMessage("the exporter failed");

    failing[0] = false;
    meter.finish(); // what the capture's end does after the failure

    // The first packet was counted once; the second was lost with the failure, not re-added.
    assertThat(records.stream().mapToLong(r -> r.getSourceToDestination().getPackets()).sum())
        .isEqualTo(1);
  }
}
