package io.podflow.processor.job;

import io.podflow.processor.policy.manifest.PublishedPolicies;
import io.podflow.processor.source.PolicyChange;
import io.podflow.processor.verdict.FlowJudge;
import io.podflow.processor.verdict.ReporterMerge;
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

/**
 * Judges every flow record against its cluster's policies, after merging the two reporters' records
 * of a connection into one. Keyed by connection (see {@code ConnectionKey}), so the two records
 * meet; policies come as broadcast state (every instance holds every cluster's, as the compacted
 * topic has them) and every verdict uses the latest.
 *
 * <ul>
 *   <li>A SOURCE or DESTINATION record waits for the other one until event time passes its start
 *       plus the merge window; if that comes, both are emitted as one BOTH record, otherwise it is
 *       emitted alone. Deciding in event time makes a replay after a restore pair the same records,
 *       so the same documents come out (their ids are derived from them).
 *   <li>Records of a cluster whose policies have not arrived yet (the job just started, the topic
 *       is read from its start) are held up to {@code hold} in processing time, then judged on what
 *       is there then: not judged on nothing while the policies are on their way.
 * </ul>
 */
final class JudgeAndMerge
    extends KeyedBroadcastProcessFunction<Long, FlowRecord, PolicyChange, FlowRecord> {
  private static final long serialVersionUID = 1L;

  /** Every cluster's published policies and namespaces: topic key to the object's JSON. */
  static final MapStateDescriptor<String, byte[]> POLICIES =
      new MapStateDescriptor<>(
          "policies", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

  private final long mergeWindowMillis;
  private final long holdMillis;

  private transient ValueState<FlowRecord> pending;
  private transient ListState<FlowRecord> held;
  private transient Map<String, PublishedPolicies> clusters;
  private transient Map<String, Long> firstSeen;
  private transient Counter merged;
  private transient Counter alone;
  private transient Map<String, Counter> verdicts;

  JudgeAndMerge(Duration mergeWindow, Duration hold) {
    this.mergeWindowMillis = mergeWindow.toMillis();
    this.holdMillis = hold.toMillis();
  }

  @Override
  public void open(OpenContext context) {
    pending =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("pending", FlowRecordTypeInfo.INSTANCE));
    held =
        getRuntimeContext()
            .getListState(new ListStateDescriptor<>("held", FlowRecordTypeInfo.INSTANCE));
    clusters = new HashMap<>();
    firstSeen = new HashMap<>();
    var metrics = getRuntimeContext().getMetricGroup();
    merged = metrics.counter("recordsMerged");
    alone = metrics.counter("recordsUnmerged");
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
    if (policies.isEmpty() && now < since + holdMillis) {
      boolean first = !held.get().iterator().hasNext();
      held.add(record);
      if (first) {
        ctx.timerService().registerProcessingTimeTimer(since + holdMillis);
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
      held.clear();
      for (FlowRecord r : waiting) {
        accept(r, ctx, out);
      }
      return;
    }
    FlowRecord waiting = pending.value();
    if (waiting != null && deadline(waiting) <= timestamp) {
      pending.clear();
      alone.inc();
      emit(waiting, ctx.getBroadcastState(POLICIES), out);
    }
  }

  /** Merges the record with its other reporter's, or waits for it, or emits it as it is. */
  private void accept(FlowRecord record, ReadOnlyContext ctx, Collector<FlowRecord> out)
      throws Exception {
    Reporter reporter = record.getObserver().getReporter();
    ReadOnlyBroadcastState<String, byte[]> state = ctx.getBroadcastState(POLICIES);
    if (reporter != Reporter.REPORTER_SOURCE && reporter != Reporter.REPORTER_DESTINATION) {
      emit(record, state, out);
      return;
    }
    FlowRecord waiting = pending.value();
    if (waiting != null && ReporterMerge.pairs(waiting, record, mergeWindowMillis * 1_000_000L)) {
      pending.clear();
      merged.inc(2);
      emit(ReporterMerge.merge(waiting, record), state, out);
      return;
    }
    if (waiting != null) {
      alone.inc(); // not this one's partner: its partner is late or never comes
      emit(waiting, state, out);
    }
    pending.update(record);
    ctx.timerService().registerEventTimeTimer(deadline(record));
  }

  private long deadline(FlowRecord record) {
    return record.getTimeStartNs() / 1_000_000L + mergeWindowMillis;
  }

  private void emit(
      FlowRecord record, ReadOnlyBroadcastState<String, byte[]> state, Collector<FlowRecord> out)
      throws Exception {
    FlowRecord judged = FlowJudge.judge(record, policies(record.getCluster(), state).policySet());
    String verdict =
        switch (judged.getPolicy().getVerdict()) {
          case VERDICT_ALLOWED -> "allowed";
          case VERDICT_DENIED -> "denied";
          default -> "not_selected";
        };
    verdicts.get(verdict).inc();
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
}
