package io.podflow.processor.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.schema.flow.v1.FlowRecord;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FlowDocumentsTest {
  @Test
  void eachDocumentGoesToTheDailyIndexOfItsLastPacketAcrossMidnightAndBack() {
    FlowDocuments documents = new FlowDocuments();
    long beforeMidnight = nanos("2026-11-26T23:59:59.999999999Z");
    long afterMidnight = nanos("2026-11-27T00:00:00Z");

    assertThat(documents.of(endingAt(beforeMidnight)).index).isEqualTo("podflow-flows-2026.11.26");
    assertThat(documents.of(endingAt(afterMidnight)).index).isEqualTo("podflow-flows-2026.11.27");
    assertThat(documents.of(endingAt(beforeMidnight)).index).isEqualTo("podflow-flows-2026.11.26");
    assertThat(documents.of(endingAt(nanos("1969-12-31T12:00:00Z"))).index)
        .isEqualTo("podflow-flows-1969.12.31");
  }

  private static FlowRecord endingAt(long nanos) {
    return FlowRecord.newBuilder()
        .setCluster("c1")
        .setTimeStartNs(nanos)
        .setTimeEndNs(nanos)
        .build();
  }

  private static long nanos(String iso) {
    Instant i = Instant.parse(iso);
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
