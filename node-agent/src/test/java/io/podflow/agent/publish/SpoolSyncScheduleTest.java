package io.podflow.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolSyncScheduleTest {
  @TempDir Path dir;

  /** Nothing else calls syncIfDue here: as while the drainer waits for Kafka. */
  @Test
  void anIntervalSpoolIsSyncedByTheScheduleAloneWhileNothingElseRuns() throws Exception {
    try (Spool spool = new Spool(dir, 64 << 10, 8 << 10, SpoolFsync.INTERVAL);
        SpoolSyncSchedule schedule =
            new SpoolSyncSchedule(spool::syncIfDue, Duration.ofMillis(10))) {
      spool.append("first".getBytes(StandardCharsets.UTF_8));
      awaitTrue(() -> spool.syncs() >= 1);
      spool.append("second".getBytes(StandardCharsets.UTF_8));
      awaitTrue(() -> spool.syncs() >= 2);
    }
  }

  @Test
  void aFailingSyncDoesNotEndTheScheduleAndCloseEndsIt() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    SpoolSyncSchedule schedule =
        new SpoolSyncSchedule(
            () -> {
              if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("a disk failing once");
              }
            },
            Duration.ofMillis(1));
    awaitTrue(() -> runs.get() >= 3);
    schedule.close();
    int atClose = runs.get();
    Thread.sleep(50);
    assertThat(runs.get()).as("no sync after close").isEqualTo(atClose);
  }

  /** Waits for a condition, failing after a minute: a bound for liveness, not a timing claim. */
  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not reached in a minute").isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
