package io.podflow.processor.source;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * A flow record's event time ({@link EventTime}), but never later than its Kafka record's timestamp
 * plus a tolerance: one record stamped in the future (a node whose clock is wrong, or a forged
 * record) would otherwise carry the partition's watermark with it for good, and every record after
 * it would be late. Kafka's timestamp (set when the record was produced, or appended) is the same
 * when the topic is read again, so a replay clamps exactly as the first run did; only a record
 * without one, or with one itself beyond the wall clock plus the tolerance, is clamped against the
 * wall clock. A clamped record keeps its own timestamps in its document; it is counted ({@code
 * eventTimeClamped}).
 */
public final class ClampedEventTime implements TimestampAssignerSupplier<byte[]> {
  private static final long serialVersionUID = 1L;

  private final long toleranceMillis;
  private final SerializableSupplier<Long> clock;

  public ClampedEventTime(Duration tolerance) {
    this(tolerance, System::currentTimeMillis);
  }

  /** With the given clock (milliseconds since the epoch), for tests. */
  ClampedEventTime(Duration tolerance, SerializableSupplier<Long> clock) {
    if (tolerance.isNegative()) {
      throw new IllegalArgumentException("the event time tolerance must not be negative");
    }
    this.toleranceMillis = tolerance.toMillis();
    this.clock = clock;
  }

  @Override
  public TimestampAssigner<byte[]> createTimestampAssigner(Context context) {
    Counter clamped = context.getMetricGroup().counter("eventTimeClamped");
    return (record, kafkaTimestamp) -> {
      long t = EventTime.millis(record, kafkaTimestamp);
      long wallLatest = clock.get() + toleranceMillis;
      long latest =
          kafkaTimestamp > 0 && kafkaTimestamp <= wallLatest
              ? kafkaTimestamp + toleranceMillis
              : wallLatest;
      if (t > latest) {
        clamped.inc();
        return latest;
      }
      return t;
    };
  }
}
