package io.podflow.agent.export;

import io.podflow.agent.enrich.Enricher;
import io.podflow.agent.flow.FlowExporter;
import io.podflow.agent.flow.FlowRecordBuilder;
import io.podflow.schema.flow.v1.EnrichmentStatus;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Reporter;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The export stage, the one way from a finished flow to a published record, for the agent and for
 * the replay of capture files alike:
 *
 * <ol>
 *   <li>the flow becomes a record oriented from its initiator ({@link FlowRecordBuilder}), carrying
 *       what its interface lost since its previous record ({@link LossCounters});
 *   <li>both ends are named from the cluster ({@link Enricher}), as of the injected clock;
 *   <li>the record is reported for the ends this agent speaks for ({@link ReporterChoice}): none,
 *       one, or both (one record each);
 *   <li>it goes to the {@link FlowSink}.
 * </ol>
 *
 * Every loss is counted once, on a record that is published: the losses of a record not published
 * (another interface reports its connection) go with the next one, and so do the records the sink
 * dropped since; a record reported for both ends carries them on the first only.
 *
 * <p>One per agent. Thread-safe: each interface's table exports from its own thread through its own
 * {@link #forInterface} exporter.
 */
public final class RecordExporter {
  private final String cluster;
  private final String node;
  private final String agent;
  private final Enricher enricher;
  private final LongSupplier clockNanos;
  private final ReporterChoice reporters;
  private final FlowSink sink;

  private final Map<EnrichmentStatus, AtomicLong> enriched = new EnumMap<>(EnrichmentStatus.class);
  private final AtomicLong reportedElsewhere = new AtomicLong();
  private final AtomicLong sinkDropsCounted = new AtomicLong();
  private final PendingLoss unreportedLoss = new PendingLoss();

  private RecordExporter(Builder b, FlowSink sink) {
    this.cluster = b.cluster;
    this.node = b.node;
    this.agent = b.agent;
    this.enricher = b.enricher;
    this.clockNanos = b.clockNanos;
    this.reporters = b.reporters;
    this.sink = Objects.requireNonNull(sink, "sink");
    for (EnrichmentStatus s : EnrichmentStatus.values()) {
      if (s != EnrichmentStatus.UNRECOGNIZED) {
        enriched.put(s, new AtomicLong());
      }
    }
  }

  /**
   * An exporter whose records are the observer's as given (node, agent), in the cluster given; not
   * enriched and reported for no particular end unless the builder says otherwise.
   */
  public static Builder builder(String cluster, String node, String agent) {
    return new Builder(cluster, node, agent);
  }

  /**
   * The exporter of one captured interface's flow table. Not thread-safe: the table calls it from
   * the interface's thread only.
   *
   * @param losses what the interface's capture has lost so far
   */
  public FlowExporter forInterface(String interfaceName, LossCounters losses) {
    FlowRecordBuilder records = new FlowRecordBuilder(cluster, node, interfaceName, agent);
    LossSince loss = new LossSince(losses);
    return (flow, reason) -> {
      FlowRecord.Builder record = records.builder(flow, reason);
      loss.addTo(record);
      export(record);
    };
  }

  private void export(FlowRecord.Builder record) {
    if (enricher != null) {
      enriched.get(enricher.enrich(record, clockNanos.getAsLong())).incrementAndGet();
    }
    // Without a choice, the record stays as built: reported for no particular end (unspecified).
    Reporter[] as = reporters == null ? null : reporters.of(record);
    if (as != null && as.length == 0) {
      // Another captured interface reports this connection; what this one lost is still a loss.
      reportedElsewhere.incrementAndGet();
      if (record.hasLoss()) {
        unreportedLoss.add(record.getLoss());
      }
      return;
    }
    unreportedLoss.moveTo(record);
    long dropped = sink.dropped();
    long counted = sinkDropsCounted.get();
    if (dropped > counted && sinkDropsCounted.compareAndSet(counted, dropped)) {
      record.getLossBuilder().setSpoolDrops(record.getLoss().getSpoolDrops() + dropped - counted);
    }
    if (as == null) {
      sink.publish(record.build());
      return;
    }
    for (int i = 0; i < as.length; i++) {
      record.getObserverBuilder().setReporter(as[i]);
      if (i == 1) {
        record.clearLoss(); // counted once, with the first
      }
      sink.publish(record.build());
    }
  }

  /** Records enriched so far with this status. */
  public long enriched(EnrichmentStatus status) {
    return enriched.get(status).get();
  }

  /** Records not published because the pod's own interface reports the connection. */
  public long reportedElsewhere() {
    return reportedElsewhere.get();
  }

  /** What an exporter does besides building records; every step is optional. */
  public static final class Builder {
    private final String cluster;
    private final String node;
    private final String agent;
    private Enricher enricher;
    private LongSupplier clockNanos;
    private ReporterChoice reporters;

    private Builder(String cluster, String node, String agent) {
      this.cluster = Objects.requireNonNull(cluster, "cluster");
      this.node = Objects.requireNonNull(node, "node");
      this.agent = Objects.requireNonNull(agent, "agent");
    }

    /**
     * Names both ends of each record.
     *
     * @param clockNanos now, in nanoseconds since the epoch: how stale the cluster's metadata is
     */
    public Builder enrichedBy(Enricher enricher, LongSupplier clockNanos) {
      this.enricher = Objects.requireNonNull(enricher, "enricher");
      this.clockNanos = Objects.requireNonNull(clockNanos, "clockNanos");
      return this;
    }

    /** Reports each record for the ends this choice names (after enrichment, if any). */
    public Builder reportedAs(ReporterChoice reporters) {
      this.reporters = Objects.requireNonNull(reporters, "reporters");
      return this;
    }

    public RecordExporter build(FlowSink sink) {
      return new RecordExporter(this, sink);
    }
  }
}
