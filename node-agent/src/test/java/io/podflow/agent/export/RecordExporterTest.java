package io.podflow.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.agent.decode.LinkType;
import io.podflow.agent.enrich.ClusterMetadata;
import io.podflow.agent.enrich.Enricher;
import io.podflow.agent.flow.FlowMeter;
import io.podflow.agent.flow.FlowRecordBuilder;
import io.podflow.agent.flow.FlowTable;
import io.podflow.agent.flow.FlowTableConfig;
import io.podflow.agent.testing.Frames;
import io.podflow.schema.flow.v1.EndReason;
import io.podflow.schema.flow.v1.EnrichmentStatus;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.schema.net.Cidr;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The export stage with a recording sink and a clock the test sets: no root, no Kafka. */
class RecordExporterTest {
  private static final long SECOND = 1_000_000_000L;
  private static final Reporter[] NONE = {};
  private static final Reporter[] SOURCE = {Reporter.REPORTER_SOURCE};
  private static final Reporter[] BOTH = {Reporter.REPORTER_SOURCE, Reporter.REPORTER_DESTINATION};

  private final RecordingSink sink = new RecordingSink();
  private final LossSinceTest.FakeLosses losses = new LossSinceTest.FakeLosses();

  @Test
  void withoutEnrichmentOrReportersARecordIsPublishedAsTheFlowTableBuiltIt() {
    RecordExporter exporter = RecordExporter.builder("lab", "node-1", "agent-1").build(sink);
    List<FlowRecord> direct = new ArrayList<>();
    FlowRecordBuilder builder = new FlowRecordBuilder("lab", "node-1", "veth1", "agent-1");
    FlowTable reference =
        new FlowTable(
            FlowTableConfig.defaults(), (flow, reason) -> direct.add(builder.build(flow, reason)));

    flows(exporter.forInterface("veth1", LossCounters.NONE), 3);
    FlowMeter meter = new FlowMeter(reference);
    for (int i = 0; i < 3; i++) {
      udp(meter, i);
    }
    meter.finish();

    assertThat(sink.records).hasSize(3).isEqualTo(direct);
    assertThat(sink.records.get(0).getObserver().getInterface()).isEqualTo("veth1");
    assertThat(sink.records.get(0).getEndReason()).isEqualTo(EndReason.END_REASON_FLUSH);
  }

  @Test
  void aRecordReportedElsewhereIsNotPublishedAndItsLossGoesWithTheNextPublishedOne() {
    Deque<Reporter[]> choices = new ArrayDeque<>(List.of(NONE, SOURCE));
    RecordExporter exporter =
        RecordExporter.builder("lab", "node-1", "agent-1")
            .reportedAs(record -> choices.removeFirst())
            .build(sink);
    losses.set(5, 2, 0);

    flows(exporter.forInterface("cni0", losses), 2);

    assertThat(exporter.reportedElsewhere()).isEqualTo(1);
    assertThat(sink.records).hasSize(1);
    FlowRecord published = sink.records.get(0);
    assertThat(published.getObserver().getReporter()).isEqualTo(Reporter.REPORTER_SOURCE);
    // The first record carried the drops, was not published, and handed them on.
    assertThat(published.getLoss().getKernelDrops()).isEqualTo(5);
    assertThat(published.getLoss().getDecoderDrops()).isEqualTo(2);
  }

  @Test
  void aRecordReportedForBothEndsIsPublishedTwiceWithItsLossCountedOnTheFirstOnly() {
    RecordExporter exporter =
        RecordExporter.builder("lab", "node-1", "agent-1").reportedAs(record -> BOTH).build(sink);
    losses.set(0, 0, 7);

    flows(exporter.forInterface("cni0", losses), 1);

    assertThat(sink.records)
        .extracting(r -> r.getObserver().getReporter())
        .containsExactly(Reporter.REPORTER_SOURCE, Reporter.REPORTER_DESTINATION);
    assertThat(sink.records.get(0).getLoss().getFlowsEvicted()).isEqualTo(7);
    assertThat(sink.records.get(1).hasLoss()).isFalse();
    assertThat(sink.records.get(1).getSource()).isEqualTo(sink.records.get(0).getSource());
  }

  @Test
  void recordsTheSinkDroppedAreCountedOnceOnTheNextRecord() {
    RecordExporter exporter = RecordExporter.builder("lab", "node-1", "agent-1").build(sink);
    sink.dropped.set(4);

    flows(exporter.forInterface("veth1", LossCounters.NONE), 3);

    assertThat(sink.records)
        .extracting(r -> r.getLoss().getSpoolDrops())
        .containsExactly(4L, 0L, 0L);
  }

  @Test
  void enrichmentSaysStaleOnceTheInjectedClockIsPastStaleAfterWithoutAWatch() {
    AtomicLong clock = new AtomicLong(1_000 * SECOND);
    ClusterMetadata metadata = new ClusterMetadata(Duration.ofMinutes(2));
    Enricher enricher =
        new Enricher(metadata, List.of(Cidr.parse("10.1.0.0/16")), Duration.ofSeconds(30));
    RecordExporter exporter =
        RecordExporter.builder("lab", "node-1", "agent-1")
            .enrichedBy(enricher, clock::get)
            .build(sink);
    metadata.watching(false, clock.get()); // the API server is gone from now on
    var veth = exporter.forInterface("veth1", LossCounters.NONE);

    clock.addAndGet(30 * SECOND);
    flows(veth, 1);
    clock.addAndGet(1);
    flows(veth, 1);

    assertThat(sink.records)
        .extracting(FlowRecord::getEnrichment)
        .containsExactly(
            EnrichmentStatus.ENRICHMENT_STATUS_UNKNOWN, EnrichmentStatus.ENRICHMENT_STATUS_STALE);
    assertThat(exporter.enriched(EnrichmentStatus.ENRICHMENT_STATUS_UNKNOWN)).isEqualTo(1);
    assertThat(exporter.enriched(EnrichmentStatus.ENRICHMENT_STATUS_STALE)).isEqualTo(1);
  }

  /** Feeds one table {@code count} UDP flows between cluster addresses, then flushes it. */
  private static void flows(io.podflow.agent.flow.FlowExporter exporter, int count) {
    FlowMeter meter = new FlowMeter(new FlowTable(FlowTableConfig.defaults(), exporter));
    for (int i = 0; i < count; i++) {
      udp(meter, i);
    }
    meter.finish();
  }

  private static void udp(FlowMeter meter, int i) {
    byte[] frame = Frames.udp("10.1.0.5", 40_000 + i, "10.1.0.6", 53, 10);
    meter.frame(
        frame, 0, frame.length, frame.length, LinkType.ETHERNET, 1_700_000_000L * SECOND + i);
  }

  /** Keeps what is published; says it dropped what the test sets. */
  private static final class RecordingSink implements FlowSink {
    final List<FlowRecord> records = new ArrayList<>();
    final AtomicLong dropped = new AtomicLong();

    @Override
    public void publish(FlowRecord record) {
      records.add(record);
    }

    @Override
    public long dropped() {
      return dropped.get();
    }
  }
}
