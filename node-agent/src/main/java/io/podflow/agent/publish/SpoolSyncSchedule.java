package io.podflow.agent.publish;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the spool's interval fsync ({@link Spool#syncIfDue()}) on its own timer thread: the drainer
 * waits seconds at a time while Kafka is away, which is exactly when the spool must reach the disk
 * once a second as {@link SpoolFsync#INTERVAL} promises.
 */
final class SpoolSyncSchedule implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolSyncSchedule.class);

  /** Half the interval: a write waits at most about 1.5 s for its fsync. */
  static final Duration EVERY = Duration.ofMillis(500);

  private final ScheduledExecutorService timer;

  SpoolSyncSchedule(Runnable sync, Duration every) {
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "podflow-spool-sync");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            sync.run();
          } catch (RuntimeException e) {
            // A failure would cancel the schedule for good: say so and go on.
            LOG.warn("cannot sync the spool: {}", e.toString());
          }
        },
        every.toNanos(),
        every.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  /** Stops the timer, waiting for a sync under way (the spool is closed after this). */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("the spool's sync did not end within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
