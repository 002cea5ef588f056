package io.podflow.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The interface scan with a fake interface list: failures are shown and survived. Interfaces named
 * {@code podflow-nosuch*} do not exist, so libpcap cannot open them (a real failure, no root
 * needed); the scan is told they exist unless a test says they went.
 */
class LiveCaptureScanTest {
  private static final CaptureConfig CONFIG =
      CaptureConfig.of(List.of("podflow-nosuch*"), "").withRescanInterval(Duration.ofMillis(20));

  /** Sinks closed so far (their captures ended), by every {@link Sink} of the test. */
  private final AtomicInteger closed = new AtomicInteger();

  /** A scan that takes every listed interface as present, with ordinary threads. */
  private static LiveCapture capture(Function<String, CaptureSink> sinks, InterfaceLister lister) {
    return new LiveCapture(CONFIG, sinks, lister, name -> true, Thread::new);
  }

  /** A sink that records nothing and can be made to fail when its capture ends. */
  private final class Sink implements CaptureSink {
    private final Error onClose;

    Sink(Error onClose) {
      this.onClose = onClose;
    }

    @Override
    public void frame(byte[] data, int offset, int captured, int wire, int linkType, long ts) {}

    @Override
    public void idle(long nowNanos) {}

    @Override
    public void closed() {
      closed.incrementAndGet();
      if (onClose != null) {
        throw onClose;
      }
    }
  }

  /** A scheduled scan that was waiting for the monitor while close() ran, runs after it. */
  @Test
  void aScanThatRunsAfterCloseStartsNoCapture() {
    AtomicInteger sinks = new AtomicInteger();
    AtomicInteger listed = new AtomicInteger();
    LiveCapture capture =
        capture(
            name -> {
              sinks.incrementAndGet();
              return new Sink(null);
            },
            () -> {
              listed.incrementAndGet();
              return List.of("podflow-nosuch3");
            });
    capture.close();
    capture.scan();
    assertThat(listed.get()).as("the interfaces were not even listed").isZero();
    assertThat(sinks.get()).as("no capture started").isZero();
    assertThat(capture.interfaces()).isEmpty();
  }

  @Test
  void theRescanGoesOnAfterScansThatFailed() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<String> seen = new CopyOnWriteArrayList<>();
    LiveCapture capture =
        capture(
            name -> new Sink(null),
            () -> {
              int n = calls.incrementAndGet();
              if (n <= 3) {
                throw new IllegalStateException("interface list unreadable (" + n + ")");
              }
              return List.of();
            });
    try {
      capture.start();
      assertThat(capture.rescanFailure()).contains("interface list unreadable (1)");

      await(() -> calls.get() >= 6, "later scans ran");
      assertThat(capture.rescanFailures()).isEqualTo(3);
      assertThat(capture.rescanFailure()).isNull();
      assertThat(capture.fatal()).isNull();
    } finally {
      capture.close();
    }
  }

  @Test
  void aScanWhoseSinkCannotBeMadeFailsAndTheNextOneStartsTheCapture() {
    AtomicInteger sinks = new AtomicInteger();
    List<String> interfaces = new ArrayList<>(List.of("podflow-nosuch0"));
    LiveCapture capture =
        capture(
            name -> {
              if (sinks.incrementAndGet() == 1) {
                throw new IllegalStateException("no table today");
              }
              return new Sink(null);
            },
            () -> interfaces);
    try {
      capture.scan();
      assertThat(capture.rescanFailure()).contains("no table today");

      capture.scan();
      assertThat(capture.rescanFailure()).isNull();
      assertThat(sinks.get()).isEqualTo(2);
    } finally {
      capture.close();
    }
  }

  @Test
  void anInterfaceThatCannotBeOpenedIsListedUntilItVanishes() throws Exception {
    List<String> interfaces = new CopyOnWriteArrayList<>(List.of("podflow-nosuch1"));
    LiveCapture capture = capture(name -> new Sink(null), () -> interfaces);
    try {
      capture.scan();
      await(() -> capture.uncaptured().containsKey("podflow-nosuch1"), "the failure is listed");
      assertThat(capture.captureFailures()).isPositive();
      assertThat(capture.interfaces()).isEmpty();

      // Tried again once the first capture has ended (its thread may outlive the failure a
      // moment, and a scan then leaves it be): scanned until the second attempt fails too.
      await(() -> closed.get() >= 1, "the first capture ended");
      await(
          () -> {
            capture.scan();
            return capture.captureFailures() >= 2;
          },
          "a second attempt");
      assertThat(capture.uncaptured()).containsKey("podflow-nosuch1");

      interfaces.clear();
      capture.scan();
      assertThat(capture.uncaptured()).isEmpty();
      assertThat(capture.fatal()).isNull();
    } finally {
      capture.close();
    }
  }

  @Test
  void aCaptureThreadThatRunsOutOfHeapIsFatal() throws Exception {
    LiveCapture capture =
        capture(
            name -> new Sink(new OutOfMemoryError("Java heap space")),
            () -> List.of("podflow-nosuch2"));
    try {
      capture.scan();
      await(() -> capture.fatal() != null, "the error is kept");
      assertThat(capture.fatal()).isInstanceOf(OutOfMemoryError.class);
      assertThat(capture.uncaptured()).containsKey("podflow-nosuch2");
    } finally {
      capture.close();
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  @Test
  void anInterfaceThatWentBeforeItsHandleOpenedEndsWithoutAFailure() throws Exception {
    // Listed by the scan, gone by the time its handle opens: a pod deleted in between.
    LiveCapture capture =
        new LiveCapture(
            CONFIG,
            name -> new Sink(null),
            () -> List.of("podflow-nosuch3"),
            name -> false,
            Thread::new);
    try {
      capture.scan();
      await(() -> closed.get() >= 1, "the capture ended");

      assertThat(capture.uncaptured()).isEmpty();
      assertThat(capture.captureFailures()).isZero();
    } finally {
      capture.close();
    }
  }

  @Test
  void aCaptureWhoseThreadCannotStartIsNotKeptAndItsSinkIsClosed() throws Exception {
    AtomicInteger sinks = new AtomicInteger();
    AtomicInteger threads = new AtomicInteger();
    LiveCapture capture =
        new LiveCapture(
            CONFIG,
            name -> {
              sinks.incrementAndGet();
              return new Sink(null);
            },
            () -> List.of("podflow-nosuch4"),
            name -> true,
            task -> {
              if (threads.incrementAndGet() == 1) {
                return new Thread(task) {
                  @Override
                  public synchronized void start() {
                    throw new IllegalStateException("no thread today");
                  }
                };
              }
              return new Thread(task);
            });
    try {
      capture.scan();
      assertThat(capture.rescanFailure()).contains("no thread today");
      assertThat(closed.get()).as("the unused sink was closed").isEqualTo(1);

      capture.scan();
      assertThat(sinks.get()).as("tried again at the next scan").isEqualTo(2);
      await(() -> capture.uncaptured().containsKey("podflow-nosuch4"), "its capture ran");
    } finally {
      capture.close();
    }
  }
}
