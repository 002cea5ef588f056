package io.podflow.processor.job;

import io.podflow.processor.verdict.Violation;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Violations summed per key and minute of their last packet, emitted once event time passes the
 * minute. The minute comes from the violation itself, not from the element's timestamp (records
 * released by processing-time timers carry none). A violation that comes after its minute was
 * emitted (late) re-emits the minute's new total: the document has the same id and is overwritten,
 * so the count stays right. A minute's sum is kept {@link #KEEP_MILLIS} for that.
 *
 * <p>Until then, the running total is emitted {@link #FLUSH_MILLIS} after a minute's violation
 * (processing time; once per key in that time): alerts and the violations index do not wait for the
 * minute to end, nor for event time, which stands still when the cluster goes quiet and would
 * otherwise hold the last minute back for good.
 */
final class ViolationsPerMinute extends KeyedProcessFunction<String, Violation, Violation> {
  private static final long serialVersionUID = 1L;
  static final long MINUTE = 60_000L;
  private static final long KEEP_MILLIS = 10 * MINUTE;
  static final long FLUSH_MILLIS = 5_000L;

  private transient ValueState<Violation> total;
  private transient ValueState<Boolean> emitted;
  private transient ValueState<Boolean> flushing;

  /** The key: the violation's own and its minute. */
  static String key(Violation v) {
    return v.key() + '\u0000' + minute(v);
  }

  static long minute(Violation v) {
    return Math.floorDiv(v.lastNanos / 1_000_000L, MINUTE) * MINUTE;
  }

  @Override
  public void open(OpenContext context) {
    total =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("total", TypeInformation.of(Violation.class)));
    emitted =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("emitted", TypeInformation.of(Boolean.class)));
    flushing =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("flushing", TypeInformation.of(Boolean.class)));
  }

  @Override
  public void processElement(Violation v, Context ctx, Collector<Violation> out) throws Exception {
    Violation sum = total.value();
    long minute = minute(v);
    if (sum == null) {
      sum = v;
    } else {
      sum.add(v);
    }
    sum.minuteMillis = minute;
    total.update(sum);
    if (Boolean.TRUE.equals(emitted.value())) {
      out.collect(sum); // late: the minute's document again, with the new total
      return;
    }
    if (minute + MINUTE <= ctx.timerService().currentWatermark()) {
      // Event time is past the minute already and may not move again soon: emit now (later
      // violations of the minute re-emit it).
      emitted.update(true);
      out.collect(sum);
    } else {
      ctx.timerService().registerEventTimeTimer(minute + MINUTE);
      if (flushing.value() == null) {
        flushing.update(true);
        ctx.timerService()
            .registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + FLUSH_MILLIS);
      }
    }
    ctx.timerService().registerEventTimeTimer(minute + MINUTE + KEEP_MILLIS);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Violation> out)
      throws Exception {
    Violation sum = total.value();
    if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
      flushing.clear();
      if (sum != null && !Boolean.TRUE.equals(emitted.value())) {
        out.collect(sum); // the running total; the minute's end emits it again, complete
      }
      return;
    }
    if (sum == null) {
      return;
    }
    if (timestamp >= sum.minuteMillis + MINUTE + KEEP_MILLIS) {
      total.clear();
      emitted.clear();
      flushing.clear();
    } else if (!Boolean.TRUE.equals(emitted.value())) {
      emitted.update(true);
      out.collect(sum);
    }
  }
}
