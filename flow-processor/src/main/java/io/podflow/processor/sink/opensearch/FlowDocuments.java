package io.podflow.processor.sink.opensearch;

import io.podflow.schema.ConnectionKey;
import io.podflow.schema.PodflowIndex;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.json.FlowRecordJson;
import java.time.Instant;

/**
 * A judged flow record as its OpenSearch document: in the daily flow index of its last packet, with
 * an id derived from what makes the record one (cluster, reporter, connection, where it was
 * observed, interval start), so the same record always gets the same id.
 */
public final class FlowDocuments {
  private final FlowRecordJson.DocumentWriter json = new FlowRecordJson().documentWriter();

  public Document of(FlowRecord record) {
    long end = record.getTimeEndNs();
    Instant at = Instant.ofEpochSecond(end / 1_000_000_000L, end % 1_000_000_000L);
    return new Document(PodflowIndex.FLOWS.indexFor(at), id(record), json.utf8(record));
  }

  /** Hashed from what identifies the record; see {@link DocumentIds}. */
  static String id(FlowRecord record) {
    return new DocumentIds()
        .text(record.getCluster())
        .value(record.getObserver().getReporter().getNumber())
        .text(record.getObserver().getNode())
        .text(record.getObserver().getInterface())
        .value(ConnectionKey.hash(record))
        .value(record.getTimeStartNs())
        .value(record.getIntervalIndex())
        .id();
  }
}
