package io.podflow.processor.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.schema.flow.v1.AgentLoss;
import io.podflow.schema.flow.v1.DirectionCounters;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.flow.v1.ObservationPoint;
import io.podflow.schema.flow.v1.Reporter;
import org.junit.jupiter.api.Test;

class ReporterMergeTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void onlyTheTwoReportersOfIntervalsThatStartCloseEnoughPair() {
    FlowRecord source = record(Reporter.REPORTER_SOURCE, "node-a", 0, 10);
    FlowRecord destination = record(Reporter.REPORTER_DESTINATION, "node-b", SECOND, 8);

    assertThat(ReporterMerge.pairs(source, destination, 2 * SECOND)).isTrue();
    assertThat(ReporterMerge.pairs(destination, source, 2 * SECOND)).isTrue();
    assertThat(ReporterMerge.pairs(source, destination, SECOND / 2)).isFalse();
    assertThat(ReporterMerge.pairs(source, source, 2 * SECOND)).isFalse();
  }

  @Test
  void theMergedRecordKeepsWhatEachSideSawAndBothSidesLosses() {
    FlowRecord source = record(Reporter.REPORTER_SOURCE, "node-a", 0, 10);
    FlowRecord destination =
        record(Reporter.REPORTER_DESTINATION, "node-b", SECOND, 8).toBuilder()
            .setDestination(
                Endpoint.newBuilder()
                    .setPortName("http")
                    .setKubernetes(KubernetesIdentity.newBuilder().setPodName("web-0")))
            .setLoss(AgentLoss.newBuilder().setKernelDrops(2))
            .build();

    FlowRecord merged = ReporterMerge.merge(destination, source);

    assertThat(merged.getObserver().getReporter()).isEqualTo(Reporter.REPORTER_BOTH);
    assertThat(merged.getObserver().getNode()).isEqualTo("node-a");
    assertThat(merged.getSourceToDestination().getPackets()).isEqualTo(10);
    // Sent 10, received 8: two lost on the way.
    assertThat(merged.getDestinationObservation().getSourceToDestination().getPackets())
        .isEqualTo(8);
    assertThat(merged.getDestinationObservation().getObserver().getNode()).isEqualTo("node-b");
    assertThat(merged.getDestination().getKubernetes().getPodName()).isEqualTo("web-0");
    assertThat(merged.getDestination().getPortName()).isEqualTo("http");
    assertThat(merged.getLoss().getKernelDrops()).isEqualTo(3);
  }

  private static FlowRecord record(Reporter reporter, String node, long start, int packets) {
    return FlowRecord.newBuilder()
        .setObserver(ObservationPoint.newBuilder().setNode(node).setReporter(reporter))
        .setTimeStartNs(start)
        .setTimeEndNs(start + SECOND)
        .setSourceToDestination(DirectionCounters.newBuilder().setPackets(packets))
        .setLoss(AgentLoss.newBuilder().setKernelDrops(1))
        .build();
  }
}
