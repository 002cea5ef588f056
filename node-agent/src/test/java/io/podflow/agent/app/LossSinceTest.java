package io.podflow.agent.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.agent.capture.CaptureStats;
import io.podflow.agent.decode.LinkType;
import io.podflow.agent.flow.FlowMeter;
import io.podflow.agent.flow.FlowTable;
import io.podflow.agent.flow.FlowTableConfig;
import io.podflow.schema.flow.v1.FlowRecord;
import org.junit.jupiter.api.Test;

class LossSinceTest {
  private final FlowMeter meter =
      new FlowMeter(new FlowTable(FlowTableConfig.defaults(), (flow, reason) -> {}));
  private final LossSince loss = new LossSince();

  @Test
  void eachLossIsCarriedOnceByTheNextRecord() {
    // An IPv4 header cut short after 6 bytes: the decoder counts it as malformed.
    byte[] cut = {0x45, 0, 0, 40, 0, 1};
    for (int i = 0; i < 3; i++) {
      meter.frame(cut, 0, cut.length, 40, LinkType.RAW, 1_000_000_000L + i);
    }
    meter.drain();

    FlowRecord.Builder first = FlowRecord.newBuilder();
    loss.add(first, new CaptureStats("veth1", 100, 5, 1), meter);
    assertThat(first.getLoss().getKernelDrops()).isEqualTo(6);
    assertThat(first.getLoss().getDecoderDrops()).isEqualTo(3);
    assertThat(first.getLoss().getFlowsEvicted()).isZero();

    FlowRecord.Builder second = FlowRecord.newBuilder();
    loss.add(second, new CaptureStats("veth1", 200, 5, 1), meter);
    assertThat(second.hasLoss()).as("nothing lost since the first record").isFalse();

    FlowRecord.Builder third = FlowRecord.newBuilder();
    loss.add(third, new CaptureStats("veth1", 300, 7, 1), meter);
    assertThat(third.getLoss().getKernelDrops()).isEqualTo(2);
    assertThat(third.getLoss().getDecoderDrops()).isZero();
  }
}
