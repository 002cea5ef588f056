package io.podflow.processor.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.processor.verdict.Violation;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class ViolationsPerMinuteTest {
  private static final long MINUTE = ViolationsPerMinute.MINUTE;
  private static final long T = 100 * MINUTE; // the start of a minute, in event time

  @Test
  void aMinutesRunningTotalIsEmittedSoonEvenWhenEventTimeStandsStill() throws Exception {
    try (var harness = harness()) {
      harness.setProcessingTime(0);
      harness.processElement(violation(T + 1_000), 0);
      assertThat(flows(harness)).as("nothing before the flush").isEmpty();

      harness.setProcessingTime(ViolationsPerMinute.FLUSH_MILLIS);
      assertThat(flows(harness)).containsExactly(1L);

      harness.processElement(violation(T + 2_000), 0);
      harness.processElement(violation(T + 3_000), 0);
      harness.setProcessingTime(2 * ViolationsPerMinute.FLUSH_MILLIS);
      assertThat(flows(harness)).as("once per flush, the total so far").containsExactly(1L, 3L);
    }
  }

  @Test
  void theMinutesEndEmitsItsCompleteTotalAndALateViolationReEmitsIt() throws Exception {
    try (var harness = harness()) {
      harness.processElement(violation(T + 1_000), 0);
      harness.processElement(violation(T + 59_000), 0);
      harness.processWatermark(T + MINUTE);
      assertThat(flows(harness)).containsExactly(2L);

      harness.processElement(violation(T + 30_000), 0);
      assertThat(flows(harness)).as("late: the minute again").containsExactly(2L, 3L);

      harness.setProcessingTime(10 * ViolationsPerMinute.FLUSH_MILLIS);
      assertThat(flows(harness)).as("no flush once the minute is out").containsExactly(2L, 3L);
    }
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Violation, Violation> harness()
      throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new ViolationsPerMinute()),
            ViolationsPerMinute::key,
            Types.STRING);
    harness.open();
    return harness;
  }

  /** The flows of each violation emitted so far, read as they were emitted. */
  private static List<Long> flows(
      KeyedOneInputStreamOperatorTestHarness<String, Violation, Violation> harness) {
    return harness.extractOutputValues().stream().map(v -> v.flows).toList();
  }

  private static Violation violation(long lastMillis) {
    Violation v = new Violation();
    v.cluster = "c1";
    v.direction = "ingress";
    v.policyNamespace = "shop";
    v.policyName = "allow-nginx";
    v.sourceNamespace = "shop";
    v.sourceWorkloadKind = "Deployment";
    v.sourceWorkloadName = "shopper";
    v.destinationNamespace = "shop";
    v.destinationWorkloadKind = "Deployment";
    v.destinationWorkloadName = "nginx";
    v.port = 80;
    v.protocol = 6;
    v.flows = 1;
    v.packets = 10;
    v.bytes = 500;
    v.firstNanos = lastMillis * 1_000_000L;
    v.lastNanos = lastMillis * 1_000_000L;
    return v;
  }
}
