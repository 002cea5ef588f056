package io.podflow.agent.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podflow.agent.capture.CaptureConfig;
import io.podflow.agent.capture.CaptureSink;
import io.podflow.agent.decode.LinkType;
import io.podflow.agent.decode.MalformedReason;
import io.podflow.agent.export.FlowSink;
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
        liveFlows(
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

  @Test
  void malformedFramesAreCountedByReasonOverLiveAndEndedInterfaces() {
    LiveFlows flows = liveFlows(record -> {});
    byte[] truncated = new byte[5];
    byte[] version7 = new byte[20];
    version7[0] = 0x75;
    byte[] badVersion = Frames.ethernet(0x0800, version7);
    try {
      CaptureSink ended = flows.sinkFor("veth1");
      frames(ended, truncated, 3);
      frames(ended, badVersion, 2);
      ended.closed();
      CaptureSink live = flows.sinkFor("veth2");
      frames(live, truncated, 1);
      send(live, 1, 100);

      assertThat(flows.malformed(MalformedReason.LINK_HEADER_TRUNCATED)).isEqualTo(4);
      assertThat(flows.malformed(MalformedReason.IP_VERSION_INVALID)).isEqualTo(2);
      long sum = 0;
      for (MalformedReason reason : MalformedReason.values()) {
        sum += flows.malformed(reason);
      }
      assertThat(sum).as("the reasons add up to the total").isEqualTo(flows.totals().malformed());
      assertThat(sum).isEqualTo(6);
    } finally {
      flows.close();
    }
  }

  /** Tables for interfaces no capture opens: these tests feed the sinks themselves. */
  private static LiveFlows liveFlows(FlowSink exporter) {
    return new LiveFlows(
        CaptureConfig.of(List.of("podflow-nosuch*"), ""),
        FlowTableConfig.defaults(),
        "cluster",
        "node",
        "agent",
        exporter);
  }

  private static void frames(CaptureSink sink, byte[] f, int n) {
    for (int i = 0; i < n; i++) {
      sink.frame(f, 0, f.length, f.length, LinkType.ETHERNET, 1_000_000_000L + i);
    }
  }

  private static void send(CaptureSink sink, int flows, long second) {
    for (int i = 0; i < flows; i++) {
      byte[] f = Frames.udp("10.0.0.1", 1024 + i, "10.0.0.2", 53, 10);
      sink.frame(f, 0, f.length, f.length, LinkType.ETHERNET, second * 1_000_000_000L + i);
    }
  }
}
