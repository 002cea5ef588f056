package io.podflow.processor.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.ObservationPoint;
import io.podflow.schema.flow.v1.Reporter;
import java.nio.ByteBuffer;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class DocumentIdsTest {
  @Test
  void anIdIsTheBase64urlFormOfItsTwoHashesWithoutPadding() {
    // Nothing hashed yet: the id is the two seeds, so the encoding is checked bit for bit.
    byte[] seeds =
        ByteBuffer.allocate(16).putLong(0x243F6A8885A308D3L).putLong(0x13198A2E03707344L).array();

    assertThat(new DocumentIds().id())
        .hasSize(22)
        .isEqualTo(Base64.getUrlEncoder().withoutPadding().encodeToString(seeds));
  }

  @Test
  void anIdDecodesBackToSixteenBytesAsOpenSearchStoresIt() {
    String id = new DocumentIds().text("cluster").value(42).id();

    assertThat(Base64.getUrlDecoder().decode(id)).hasSize(16);
    assertThat(
            Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(Base64.getUrlDecoder().decode(id)))
        .isEqualTo(id);
  }

  @Test
  void textsAreSeparatedSoMovingABoundaryChangesTheId() {
    assertThat(new DocumentIds().text("ab").text("c").id())
        .isNotEqualTo(new DocumentIds().text("a").text("bc").id());
  }

  @Test
  void theSameRecordAlwaysGetsTheSameIdAndAnotherReporterOrIntervalAnother() {
    FlowRecord record =
        FlowRecord.newBuilder()
            .setCluster("c1")
            .setProtocol(6)
            .setTimeStartNs(1_000)
            .setObserver(
                ObservationPoint.newBuilder()
                    .setNode("n1")
                    .setInterface("veth1")
                    .setReporter(Reporter.REPORTER_SOURCE))
            .build();
    FlowRecord atDestination =
        record.toBuilder()
            .setObserver(
                record.getObserver().toBuilder().setReporter(Reporter.REPORTER_DESTINATION))
            .build();
    FlowRecord nextInterval = record.toBuilder().setIntervalIndex(1).build();

    assertThat(FlowDocuments.id(record)).isEqualTo(FlowDocuments.id(record.toBuilder().build()));
    assertThat(FlowDocuments.id(atDestination)).isNotEqualTo(FlowDocuments.id(record));
    assertThat(FlowDocuments.id(nextInterval)).isNotEqualTo(FlowDocuments.id(record));
  }
}
