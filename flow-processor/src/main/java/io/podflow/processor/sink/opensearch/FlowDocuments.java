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
  private static final long NANOS_PER_DAY = 86_400L * 1_000_000_000L;

  private final FlowRecordJson.DocumentWriter json = new FlowRecordJson().documentWriter();

  // The index name of the last record's day: records come day after day, and formatting a date
  // for every document cost more than its id.
  private long day = Long.MIN_VALUE;
  private String index;

  public Document of(FlowRecord record) {
    return new Document(indexOf(record.getTimeEndNs()), id(record), json.utf8(record));
  }

  private String indexOf(long endNanos) {
    long d = Math.floorDiv(endNanos, NANOS_PER_DAY);
    if (d != day) {
      index = PodflowIndex.FLOWS.indexFor(Instant.ofEpochSecond(d * 86_400L));
      day = d;
    }
    return index;
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
