package io.podflow.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.schema.flow.v1.FlowRecord;
import org.junit.jupiter.api.Test;

class LossSinceTest {
  private final FakeLosses counters = new FakeLosses();
  private final LossSince loss = new LossSince(counters);

  @Test
  void eachLossIsCarriedOnceByTheNextRecord() {
    counters.set(6, 3, 0);
    FlowRecord.Builder first = FlowRecord.newBuilder();
    loss.addTo(first);
    assertThat(first.getLoss().getKernelDrops()).isEqualTo(6);
    assertThat(first.getLoss().getDecoderDrops()).isEqualTo(3);
    assertThat(first.getLoss().getFlowsEvicted()).isZero();

    FlowRecord.Builder second = FlowRecord.newBuilder();
    loss.addTo(second);
    assertThat(second.hasLoss()).as("nothing lost since the first record").isFalse();

    counters.set(8, 3, 4);
    FlowRecord.Builder third = FlowRecord.newBuilder();
    loss.addTo(third);
    assertThat(third.getLoss().getKernelDrops()).isEqualTo(2);
    assertThat(third.getLoss().getDecoderDrops()).isZero();
    assertThat(third.getLoss().getFlowsEvicted()).isEqualTo(4);
  }

  @Test
  void aCountNotKnownNowKeepsWhatWasCountedAndAKernelCountGoingBackIsNotCarriedAgain() {
    counters.set(10, 0, 0);
    loss.addTo(FlowRecord.newBuilder());

    counters.set(-1, -1, -1); // the interface's statistics not read yet
    FlowRecord.Builder unknown = FlowRecord.newBuilder();
    loss.addTo(unknown);
    assertThat(unknown.hasLoss()).isFalse();

    counters.set(4, 0, 0); // went back
    FlowRecord.Builder back = FlowRecord.newBuilder();
    loss.addTo(back);
    assertThat(back.getLoss().getKernelDrops()).isZero();
    counters.set(12, 0, 0);
    FlowRecord.Builder climbed = FlowRecord.newBuilder();
    loss.addTo(climbed);
    assertThat(climbed.getLoss().getKernelDrops()).as("only the drops past 10").isEqualTo(2);
  }

  /** Counts a test sets. */
  static final class FakeLosses implements LossCounters {
    private long kernel;
    private long decoder;
    private long evicted;

    void set(long kernel, long decoder, long evicted) {
      this.kernel = kernel;
      this.decoder = decoder;
      this.evicted = evicted;
    }

    @Override
    public long kernelDrops() {
      return kernel;
    }

    @Override
    public long decoderDrops() {
      return decoder;
    }

    @Override
    public long flowsEvicted() {
      return evicted;
    }
  }
}
