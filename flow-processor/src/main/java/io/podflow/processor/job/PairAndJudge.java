package io.podflow.processor.job;

import io.podflow.processor.policy.manifest.PublishedPolicies;
import io.podflow.processor.source.PolicyChange;
import io.podflow.processor.verdict.FlowJudge;
import io.podflow.processor.verdict.ReporterMerge;
import io.podflow.processor.verdict.ServiceJoin;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Reporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Pairs records that are two views of one connection, and judges every record against its cluster's
 * policies. The job runs it twice: keyed by connection, pairing the two reporters' records ({@link
 * Pairing#REPORTERS}) and judging all but the two sides of a connection to a Service, which it
 * diverts; then, for those only, keyed by client, joining a client's record to a Service with the
 * backend's ({@link Pairing#SERVICES}), and judging. Policies come as broadcast state (every
 * instance holds every cluster's, as the compacted topic has them) and every verdict uses the
 * latest.
 *
 * <ul>
 *   <li>A record that may have a partner waits for it until event time passes its start plus the
 *       window; if it comes, the two are emitted as one, otherwise the record is emitted alone.
 *       Deciding in event time makes a replay after a restore pair the same records, so the same
 *       documents come out (their ids are derived from them). When event time stands still (every
 *       partition quiet), a record waits no longer than the window in processing time.
 *   <li>Records of a cluster whose policies have not arrived yet (the job just started, the topic
 *       is read from its start) are held until {@code hold} after the cluster's first record, in
 *       processing time, then judged on what is there then: not judged on nothing while the
 *       policies are on their way. A key's later records queue behind its held ones.
 * </ul>
 */
final class PairAndJudge
    extends KeyedBroadcastProcessFunction<Long, FlowRecord, PolicyChange, FlowRecord> {
  private static final long serialVersionUID = 1L;

  /** Every cluster's published policies and namespaces: topic key to the object's JSON. */
  static final MapStateDescriptor<String, byte[]> POLICIES =
      new MapStateDescriptor<>(
          "policies", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

  /** How long a record already behind event time waits for its partner, in processing time. */
  private static final long LATE_GRACE_MILLIS = 1_000;

  /** A cluster's first records wait at most this many holds for its policies. */
  private static final int MAX_HOLDS = 6;

  private final Pairing pairing;
  private final long mergeWindowMillis;
  private final long holdMillis;
  private final boolean divert;

  private transient ValueState<FlowRecord> pending;
  private transient ValueState<Long> pendingUntil;
  private transient ListState<FlowRecord> held;
  private transient Map<String, PublishedPolicies> clusters;
  private transient Map<String, Long> firstSeen;
  private transient long openedAt;
  private transient Counter merged;
  private transient Counter alone;
  private transient Map<String, Counter> verdicts;
  private transient Counter violations;

  /** Records that are one side of a connection to a Service, for the stage that joins them. */
  static final OutputTag<FlowRecord> SERVICE_SIDES =
      new OutputTag<>("service-sides", FlowRecordTypeInfo.INSTANCE);

  /**
   * @param pairing which records wait for which
   * @param window how far apart two records of a pair may start, in event time
   * @param hold how long a cluster's first records wait for its policies
   * @param divert send one side of a connection to a Service to {@link #SERVICE_SIDES} instead of
   *     judging it (the first stage), so only those records are keyed a second time
   */
  PairAndJudge(Pairing pairing, Duration window, Duration hold, boolean divert) {
    this.pairing = pairing;
    this.mergeWindowMillis = window.toMillis();
    this.holdMillis = hold.toMillis();
    this.divert = divert;
  }

  @Override
  public void open(OpenContext context) {
    pending =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("pending", FlowRecordTypeInfo.INSTANCE));
    pendingUntil = getRuntimeContext().getState(new ValueStateDescriptor<>("until", Types.LONG));
    held =
        getRuntimeContext()
            .getListState(new ListStateDescriptor<>("held", FlowRecordTypeInfo.INSTANCE));
    clusters = new HashMap<>();
    firstSeen = new HashMap<>();
    openedAt = System.currentTimeMillis(); // Flink's processing time is the wall clock
    var metrics = getRuntimeContext().getMetricGroup();
    merged = metrics.counter(pairing.metric + "Paired");
    alone = metrics.counter(pairing.metric + "Unpaired");
    violations = metrics.counter("violations");
    verdicts = new HashMap<>();
    for (String v : List.of("allowed", "denied", "not_selected")) {
      verdicts.put(v, metrics.addGroup("verdict", v).counter("verdicts"));
    }
  }

  @Override
  public void processBroadcastElement(PolicyChange change, Context ctx, Collector<FlowRecord> out)
      throws Exception {
    String cluster = PublishedPolicies.clusterOf(change.key);
    if (cluster == null) {
      return; // not a key of the policy topic's form
    }
    BroadcastState<String, byte[]> state = ctx.getBroadcastState(POLICIES);
    if (change.value == null) {
      state.remove(change.key);
    } else {
      state.put(change.key, change.value);
    }
    PublishedPolicies known = clusters.get(cluster);
    if (known != null) {
      known.apply(change.key, change.value);
    }
  }

  @Override
  public void processElement(FlowRecord record, ReadOnlyContext ctx, Collector<FlowRecord> out)
      throws Exception {
    PublishedPolicies policies = policies(record.getCluster(), ctx.getBroadcastState(POLICIES));
    long now = ctx.timerService().currentProcessingTime();
    long since = firstSeen.computeIfAbsent(record.getCluster(), c -> now);
    boolean holding = held.get().iterator().hasNext();
    if (holding || (policies.isEmpty() && now < since + holdMillis)) {
      // Behind records already held, a record waits too: a connection's records stay in order.
      held.add(record);
      if (!holding) {
        ctx.timerService().registerProcessingTimeTimer(Math.max(now, since + holdMillis));
      }
      return;
    }
    accept(record, ctx, out);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<FlowRecord> out)
      throws Exception {
    if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
      List<FlowRecord> waiting = new ArrayList<>();
      held.get().forEach(waiting::add);
      if (!waiting.isEmpty()) {
        String cluster = waiting.get(0).getCluster();
        long since = firstSeen.getOrDefault(cluster, timestamp);
        if (policies(cluster, ctx.getBroadcastState(POLICIES)).isEmpty()
            && timestamp < since + MAX_HOLDS * holdMillis) {
          // Still on their way: wait a little longer, up to a bound (a cluster that publishes
          // no policies at all is judged on none after it).
          ctx.timerService().registerProcessingTimeTimer(timestamp + holdMillis);
          return;
        }
      }
      held.clear();
      for (FlowRecord r : waiting) {
        accept(r, ctx, out);
      }
      // Event time stands still (every partition went quiet): a record waits no longer than the
      // window.
      FlowRecord left = pending.value();
      Long until = pendingUntil.value();
      if (left != null && until != null && until <= timestamp) {
        // Restored from a checkpoint, a record's partner may be among the records being read
        // again: give them a window first (a timer of the previous run fires at once).
        long settled = openedAt + mergeWindowMillis;
        if (timestamp < settled) {
          ctx.timerService().registerProcessingTimeTimer(settled);
        } else {
          emitPending(left, ctx, out);
        }
      }
      return;
    }
    FlowRecord waiting = pending.value();
    if (waiting != null && deadline(waiting) <= timestamp) {
      emitPending(waiting, ctx, out);
    }
  }

  private void emitPending(FlowRecord record, ReadOnlyContext ctx, Collector<FlowRecord> out)
      throws Exception {
    pending.clear();
    pendingUntil.clear();
    alone.inc();
    emit(record, ctx, out);
  }

  /** Pairs the record with the one waiting, or waits, or emits it as it is. */
  private void accept(FlowRecord record, ReadOnlyContext ctx, Collector<FlowRecord> out)
      throws Exception {
    if (!pairing.waits(record)) {
      emit(record, ctx, out);
      return;
    }
    FlowRecord waiting = pending.value();
    if (waiting != null && pairing.pairs(waiting, record, mergeWindowMillis * 1_000_000L)) {
      pending.clear();
      pendingUntil.clear();
      merged.inc(2);
      emit(pairing.combine(waiting, record), ctx, out);
      return;
    }
    if (waiting != null) {
      emitPending(waiting, ctx, out); // not this one's partner: its own is late or never comes
    }
    long now = ctx.timerService().currentProcessingTime();
    pending.update(record);
    // Behind event time already (late, or released from a hold), it waits a moment for a
    // partner right behind it, not a window: event time may not move again soon.
    long until =
        now
            + (deadline(record) <= ctx.timerService().currentWatermark()
                ? LATE_GRACE_MILLIS
                : mergeWindowMillis);
    pendingUntil.update(until);
    ctx.timerService().registerEventTimeTimer(deadline(record));
    ctx.timerService().registerProcessingTimeTimer(until);
  }

  /** When, in event time, a record stops waiting for its partner. */
  private long deadline(FlowRecord record) {
    return record.getTimeStartNs() / 1_000_000L + pairing.windows * mergeWindowMillis;
  }

  private void emit(FlowRecord record, ReadOnlyContext ctx, Collector<FlowRecord> out)
      throws Exception {
    if (divert && (ServiceJoin.toService(record) || ServiceJoin.atBackend(record))) {
      ctx.output(SERVICE_SIDES, record); // judged once joined, by the next stage
      return;
    }
    FlowRecord judged =
        FlowJudge.judge(
            record, policies(record.getCluster(), ctx.getBroadcastState(POLICIES)).policySet());
    String verdict =
        switch (judged.getPolicy().getVerdict()) {
          case VERDICT_ALLOWED -> "allowed";
          case VERDICT_DENIED -> "denied";
          default -> "not_selected";
        };
    verdicts.get(verdict).inc();
    if (judged.getPolicy().getViolation()) {
      violations.inc();
    }
    out.collect(judged);
  }

  /**
   * The cluster's policies: kept per instance, applied change by change, and rebuilt from the
   * broadcast state when not kept yet (after a restore).
   */
  private PublishedPolicies policies(String cluster, ReadOnlyBroadcastState<String, byte[]> state)
      throws Exception {
    PublishedPolicies known = clusters.get(cluster);
    if (known == null) {
      known = new PublishedPolicies(cluster);
      String prefix = cluster + "/";
      for (Map.Entry<String, byte[]> e : state.immutableEntries()) {
        if (e.getKey().startsWith(prefix)) {
          known.apply(e.getKey(), e.getValue());
        }
      }
      clusters.put(cluster, known);
    }
    return known;
  }

  /** Which records wait for a partner, and what a pair becomes. */
  enum Pairing {
    /** The two reporters' records of a connection (keyed by connection). */
    REPORTERS("reporters", 1) {
      @Override
      boolean waits(FlowRecord r) {
        Reporter reporter = r.getObserver().getReporter();
        return reporter == Reporter.REPORTER_SOURCE || reporter == Reporter.REPORTER_DESTINATION;
      }

      @Override
      boolean pairs(FlowRecord a, FlowRecord b, long windowNanos) {
        return ReporterMerge.pairs(a, b, windowNanos);
      }

      @Override
      FlowRecord combine(FlowRecord a, FlowRecord b) {
        return ReporterMerge.merge(a, b);
      }
    },
    /**
     * A client's record to a Service and the backend's record (keyed by client); they come out of
     * the first pairing a window late, so they wait two.
     */
    SERVICES("services", 2) {
      @Override
      boolean waits(FlowRecord r) {
        return ServiceJoin.toService(r) || ServiceJoin.atBackend(r);
      }

      @Override
      boolean pairs(FlowRecord a, FlowRecord b, long windowNanos) {
        return ServiceJoin.pairs(a, b, windowNanos);
      }

      @Override
      FlowRecord combine(FlowRecord a, FlowRecord b) {
        return ServiceJoin.join(a, b);
      }
    };

    final String metric;

    /** How many windows a record waits, from its start. */
    final int windows;

    Pairing(String metric, int windows) {
      this.metric = metric;
      this.windows = windows;
    }

    abstract boolean waits(FlowRecord r);

    abstract boolean pairs(FlowRecord a, FlowRecord b, long windowNanos);

    abstract FlowRecord combine(FlowRecord a, FlowRecord b);
  }
}
