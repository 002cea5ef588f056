package io.podflow.agent.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podflow.agent.capture.CaptureConfig;
import io.podflow.agent.capture.CaptureSink;
import io.podflow.agent.decode.LinkType;
import io.podflow.agent.flow.FlowTableConfig;
import io.podflow.agent.testing.Frames;
import io.podflow.schema.flow.v1.FlowRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tables behind live capture, fed through their sinks as capture threads feed them. */
class LiveFlowsTest {
  @Test
  void anInterfaceWhoseFlushFailsStillGivesItsRoomBackAndKeepsItsCounts() {
    boolean[] failing = {true};
    List<FlowRecord> published = new ArrayList<>();
    LiveFlows flows =
        new LiveFlows(
            CaptureConfig.of(List.of("podflow-nosuch*"), ""),
            FlowTableConfig.defaults(),
            "cluster",
            "node",
            "agent",
            record -> {
              if (failing[0]) {
                throw new IllegalStateException("the exporter failed");
              }
              published.add(record);
            });
    try {
      CaptureSink sink = flows.sinkFor("veth1");
      send(sink, 1_000, 100);
      assertThat(flows.budget().reserved()).isGreaterThan(1_000);

      assertThatThrownBy(sink::closed).hasMessage("the exporter failed");

      assertThat(flows.budget().reserved()).as("the table's room went back").isZero();
      assertThat(flows.counters("veth1")).as("the meter was retired").isNull();
      assertThat(flows.totals().frames()).isEqualTo(1_000);

      // The interface captured again: the totals go on from where they were.
      failing[0] = false;
      CaptureSink again = flows.sinkFor("veth1");
      send(again, 10, 200);
      again.closed();
      assertThat(flows.totals().frames()).isEqualTo(1_010);
      assertThat(published).hasSize(10);
      assertThat(flows.budget().reserved()).isZero();
    } finally {
      flows.close();
    }
  }

  private static void send(CaptureSink sink, int flows, long second) {
    for (int i = 0; i < flows; i++) {
      byte[] f = Frames.udp("10.0.0.1", 1024 + i, "10.0.0.2", 53, 10);
      sink.frame(f, 0, f.length, f.length, LinkType.ETHERNET, second * 1_000_000_000L + i);
    }
  }
}
