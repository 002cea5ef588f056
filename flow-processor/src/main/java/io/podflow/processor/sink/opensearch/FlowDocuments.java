package io.podflow.processor.sink.opensearch;

import io.podflow.schema.ConnectionKey;
import io.podflow.schema.PodflowIndex;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.json.FlowRecordJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A judged flow record as its OpenSearch document: in the daily flow index of its last packet, with
 * an id derived from what makes the record one (cluster, reporter, connection, where it was
 * observed, interval start), so the same record always gets the same id.
 */
public final class FlowDocuments {
  private final FlowRecordJson.TextWriter json = new FlowRecordJson().textWriter();

  public Document of(FlowRecord record) {
    long end = record.getTimeEndNs();
    Instant at = Instant.ofEpochSecond(end / 1_000_000_000L, end % 1_000_000_000L);
    return new Document(PodflowIndex.FLOWS.indexFor(at), id(record), json.toJson(record));
  }

  /** 128 bits as 32 hex digits: two differently seeded 64-bit hashes of the identifying fields. */
  static String id(FlowRecord record) {
    long connection = ConnectionKey.hash(record);
    String where =
        record.getCluster()
            + '\u0000'
            + record.getObserver().getReporter().getNumber()
            + '\u0000'
            + record.getObserver().getNode()
            + '\u0000'
            + record.getObserver().getInterface();
    byte[] text = where.getBytes(StandardCharsets.UTF_8);
    long a = 0x243F6A8885A308D3L;
    long b = 0x13198A2E03707344L;
    for (byte x : text) {
      a = ConnectionKey.mix(a, x);
      b = ConnectionKey.mix(b ^ 0x5bd1e995L, x);
    }
    for (long v : new long[] {connection, record.getTimeStartNs(), record.getIntervalIndex()}) {
      a = ConnectionKey.mix(a, v);
      b = ConnectionKey.mix(b ^ 0x5bd1e995L, v);
    }
    return DocumentIds.hex(a, b);
  }
}
