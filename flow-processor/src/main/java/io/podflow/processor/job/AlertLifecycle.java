package io.podflow.processor.job;

import io.podflow.processor.alert.AlertMessages;
import io.podflow.processor.verdict.Violation;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * An alert's life, keyed by what it is about ({@link Violation#alertKey}): every minute with a
 * violation (re)sends it as firing, ending a little after the next expected re-send; once no
 * violation has come for {@code resolveAfter}, it is sent resolved. Alertmanager takes repeated
 * alerts as one, and ends one that is not re-sent by its {@code endsAt}.
 */
final class AlertLifecycle extends KeyedProcessFunction<String, Violation, String> {
  private static final long serialVersionUID = 1L;

  private final long resolveAfterMillis;
  private transient ValueState<Violation> last;
  private transient ValueState<Long> since;
  private transient ValueState<Long> lastSent;
  private transient Counter sent;
  private transient Counter resolved;

  AlertLifecycle(Duration resolveAfter) {
    this.resolveAfterMillis = resolveAfter.toMillis();
  }

  @Override
  public void open(OpenContext context) {
    last =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("last", TypeInformation.of(Violation.class)));
    since = getRuntimeContext().getState(new ValueStateDescriptor<>("since", Types.LONG));
    lastSent = getRuntimeContext().getState(new ValueStateDescriptor<>("lastSent", Types.LONG));
    sent = getRuntimeContext().getMetricGroup().counter("alertsSent");
    resolved = getRuntimeContext().getMetricGroup().counter("alertsResolved");
  }

  @Override
  public void processElement(Violation v, Context ctx, Collector<String> out) throws Exception {
    long now = ctx.timerService().currentProcessingTime();
    if (since.value() == null) {
      since.update(now);
    }
    last.update(v);
    lastSent.update(now);
    sent.inc();
    out.collect(
        AlertMessages.firing(
            v,
            Instant.ofEpochMilli(since.value()),
            Instant.ofEpochMilli(now + 2 * resolveAfterMillis)));
    ctx.timerService().registerProcessingTimeTimer(now + resolveAfterMillis);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) throws Exception {
    Long at = lastSent.value();
    if (at == null || timestamp < at + resolveAfterMillis) {
      return; // sent again since: a later timer decides
    }
    resolved.inc();
    out.collect(
        AlertMessages.resolved(
            last.value(), Instant.ofEpochMilli(since.value()), Instant.ofEpochMilli(timestamp)));
    last.clear();
    since.clear();
    lastSent.clear();
  }
}
