package io.podflow.processor.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.schema.flow.v1.FlowRecord;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class ClampedEventTimeTest {
  private static final long NOW = 1_800_000_000_000L;
  private static final Duration TOLERANCE = Duration.ofMinutes(5);
  private static final Duration OUT_OF_ORDER = Duration.ofSeconds(5);

  /** The clock the assigner reads; static because the supplier must be serializable. */
  private static final AtomicLong CLOCK = new AtomicLong();

  private final SimpleCounter clamped = new SimpleCounter();
  private final TimestampAssigner<byte[]> assigner =
      new ClampedEventTime(TOLERANCE, CLOCK::get)
          .createTimestampAssigner(
              () ->
                  new UnregisteredMetricsGroup() {
                    @Override
                    public Counter counter(String name) {
                      assertThat(name).isEqualTo("eventTimeClamped");
                      return clamped;
                    }
                  });
  private final BoundedOutOfOrdernessWatermarks<byte[]> watermarks =
      new BoundedOutOfOrdernessWatermarks<>(OUT_OF_ORDER);
  private long watermark = Long.MIN_VALUE;
  private final WatermarkOutput output =
      new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark w) {
          watermark = w.getTimestamp();
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
      };

  @Test
  void aRecordStampedAYearAheadMovesTheWatermarkOnlyToNowPlusTheToleranceAndIsCounted() {
    CLOCK.set(NOW);
    observe(NOW - 1_000);
    observe(NOW + Duration.ofDays(365).toMillis());
    observe(NOW);

    assertThat(watermark)
        .isEqualTo(NOW + TOLERANCE.toMillis() - OUT_OF_ORDER.toMillis() - 1)
        .isLessThan(NOW + Duration.ofDays(1).toMillis());
    assertThat(clamped.getCount()).isEqualTo(1);
  }

  @Test
  void onceTheClockPassesTheToleranceRecordsOfTheTimeAreOnTimeAgain() {
    CLOCK.set(NOW);
    observe(NOW + Duration.ofDays(365).toMillis());
    CLOCK.set(NOW + TOLERANCE.toMillis() + 10_000);
    long timestamp = observe(NOW + TOLERANCE.toMillis() + 10_000);

    assertThat(timestamp).isGreaterThan(watermark).isEqualTo(CLOCK.get());
    assertThat(watermark).isEqualTo(timestamp - OUT_OF_ORDER.toMillis() - 1);
    assertThat(clamped.getCount()).isEqualTo(1);
  }

  @Test
  void recordsWithinTheToleranceKeepTheirOwnTimeUncounted() {
    CLOCK.set(NOW);
    long ahead = NOW + TOLERANCE.toMillis();
    assertThat(observe(ahead)).isEqualTo(ahead);
    assertThat(observe(NOW - 60_000)).isEqualTo(NOW - 60_000);
    assertThat(clamped.getCount()).isZero();
  }

  @Test
  void bytesThatAreNotARecordTakeKafkasTimeClampedAlike() {
    CLOCK.set(NOW);
    long far = NOW + Duration.ofDays(2).toMillis();
    assertThat(assigner.extractTimestamp(new byte[] {(byte) 0xff, 0x01}, far))
        .isEqualTo(NOW + TOLERANCE.toMillis());
    assertThat(clamped.getCount()).isEqualTo(1);
  }

  @Test
  void aReplayClampsAgainstKafkasTimestampAsTheFirstRunDid() {
    long produced = NOW - Duration.ofDays(20).toMillis();
    byte[] record =
        FlowRecord.newBuilder()
            .setTimeEndNs((produced + Duration.ofDays(365).toMillis()) * 1_000_000L)
            .build()
            .toByteArray();
    CLOCK.set(produced + 1_000);
    long firstRun = assigner.extractTimestamp(record, produced);
    CLOCK.set(NOW);
    long replay = assigner.extractTimestamp(record, produced);

    assertThat(firstRun).isEqualTo(replay).isEqualTo(produced + TOLERANCE.toMillis());
    assertThat(clamped.getCount()).isEqualTo(2);
  }

  /** One record through the assigner and the watermark generator; returns its timestamp. */
  private long observe(long eventMillis) {
    byte[] record =
        FlowRecord.newBuilder().setTimeEndNs(eventMillis * 1_000_000L).build().toByteArray();
    long t = assigner.extractTimestamp(record, 0L);
    watermarks.onEvent(record, t, output);
    watermarks.onPeriodicEmit(output);
    return t;
  }
}
