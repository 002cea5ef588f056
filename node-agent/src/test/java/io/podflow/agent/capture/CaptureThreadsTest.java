package io.podflow.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Capture threads shared by many interfaces, with pipes standing in for libpcap handles (real
 * descriptors polled for real, no root): interfaces are spread over the threads, come and go alone,
 * each sink is called from one thread only, quiet ones still see time pass, and nothing a ring
 * holds is lost when capture stops.
 */
class CaptureThreadsTest {
  private final List<String> interfaces = new CopyOnWriteArrayList<>();
  private final Map<String, PipeSource> sources = new ConcurrentHashMap<>();
  private final Map<String, RecordingSink> sinks = new ConcurrentHashMap<>();
  private final AtomicInteger opened = new AtomicInteger();
  private LiveCapture capture;

  /** A sink that counts what it gets and remembers every thread that called it. */
  private static final class RecordingSink implements CaptureSink {
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    final AtomicInteger frames = new AtomicInteger();
    final AtomicInteger idles = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    volatile RuntimeException failure;

    @Override
    public void frame(byte[] data, int offset, int captured, int wire, int linkType, long ts) {
      threads.add(Thread.currentThread().getName());
      if (failure != null) {
        throw failure;
      }
      frames.incrementAndGet();
    }

    @Override
    public void idle(long nowNanos) {
      threads.add(Thread.currentThread().getName());
      idles.incrementAndGet();
    }

    @Override
    public void closed() {
      threads.add(Thread.currentThread().getName());
      closed.incrementAndGet();
    }
  }

  private LiveCapture capture(int threads) {
    CaptureConfig config =
        CaptureConfig.of(List.of("pipe*"), "")
            .withThreads(threads)
            .withRescanInterval(Duration.ofHours(1)); // the tests scan themselves
    capture =
        new LiveCapture(
            config,
            name -> sinks.computeIfAbsent(name, n -> new RecordingSink()),
            () -> interfaces,
            interfaces::contains,
            Thread::new,
            (name, c) -> {
              opened.incrementAndGet();
              PipeSource source = new PipeSource();
              sources.put(name, source);
              return source;
            });
    return capture;
  }

  @AfterEach
  void close() {
    if (capture != null) {
      capture.close();
    }
  }

  @Test
  void interfacesGoToTheLeastLoadedThreadAsTheyComeAndGo() throws Exception {
    LiveCapture capture = capture(2);
    interfaces.addAll(List.of("pipe0", "pipe1", "pipe2", "pipe3", "pipe4"));
    capture.scan();
    assertThat(capture.threadLoads()).containsExactly(3, 2); // pipe0, 2, 4 | pipe1, 3

    for (String name : List.of("pipe0", "pipe2", "pipe4")) {
      interfaces.remove(name);
      sources.get(name).vanish();
    }
    await(() -> capture.threadLoads().equals(List.of(0, 2)), "the first thread's three ended");

    interfaces.addAll(List.of("pipe5", "pipe6", "pipe7"));
    capture.scan();
    // pipe5 and pipe6 fill the emptied thread up to the other's 2; pipe7 breaks the tie to the
    // first.
    assertThat(capture.threadLoads()).containsExactly(3, 2);
    assertThat(capture.interfaces())
        .containsExactlyInAnyOrder("pipe1", "pipe3", "pipe5", "pipe6", "pipe7");
  }

  @Test
  void eachInterfaceIsReadWholeByOneThreadOnly() throws Exception {
    LiveCapture capture = capture(2);
    for (int i = 0; i < 20; i++) {
      interfaces.add("pipe" + i);
    }
    capture.scan();
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 20; i++) {
        sources.get("pipe" + i).send(i + 1);
      }
    }
    await(
        () -> interfaces.stream().allMatch(n -> sinks.get(n).frames.get() == 5 * (1 + index(n))),
        "every packet delivered");
    capture.close();

    Set<String> threadsUsed = ConcurrentHashMap.newKeySet();
    for (String name : interfaces) {
      RecordingSink sink = sinks.get(name);
      assertThat(sink.threads).as(name + "'s callers").hasSize(1);
      threadsUsed.addAll(sink.threads);
      assertThat(sink.closed.get()).isEqualTo(1);
      assertThat(sources.get(name).isClosed()).isTrue();
    }
    assertThat(threadsUsed).containsExactlyInAnyOrder("podflow-capture-1", "podflow-capture-2");
  }

  @Test
  void anInterfaceThatGoesEndsAloneAfterItsLastPackets() throws Exception {
    LiveCapture capture = capture(1);
    interfaces.addAll(List.of("pipe0", "pipe1"));
    capture.scan();

    sources.get("pipe0").send(7);
    sources.get("pipe0").vanish();
    interfaces.remove("pipe0");
    await(() -> sinks.get("pipe0").closed.get() == 1, "its capture ended");
    assertThat(sinks.get("pipe0").frames.get()).as("read to the end before it closed").isEqualTo(7);
    assertThat(sources.get("pipe0").isClosed()).isTrue();
    assertThat(capture.captureFailures()).isZero();
    assertThat(capture.uncaptured()).isEmpty();

    sources.get("pipe1").send(3);
    await(() -> sinks.get("pipe1").frames.get() == 3, "the other goes on");
    capture.scan();
    assertThat(capture.interfaces()).containsExactly("pipe1");
    assertThat(capture.stats("pipe0")).isNull();
  }

  @Test
  void quietInterfacesStillSeeTimePass() throws Exception {
    LiveCapture capture = capture(1);
    interfaces.addAll(List.of("pipe0", "pipe1", "pipe2"));
    capture.scan();
    sources.get("pipe1").send(1);

    await(
        () -> interfaces.stream().allMatch(n -> sinks.get(n).idles.get() >= 3),
        "idle ticks on every interface");
  }

  @Test
  void aSinkThatFailsEndsOnlyItsCaptureWhichTheNextScanStartsAgain() throws Exception {
    LiveCapture capture = capture(1);
    interfaces.addAll(List.of("pipe0", "pipe1"));
    capture.scan();
    RecordingSink failing = sinks.get("pipe0");
    failing.failure = new IllegalStateException("table broke");

    sources.get("pipe0").send(1);
    await(() -> failing.closed.get() == 1, "the failed capture ended");
    assertThat(capture.captureFailures()).isEqualTo(1);
    assertThat(capture.uncaptured()).containsEntry("pipe0", "IllegalStateException: table broke");

    sources.get("pipe1").send(2);
    await(() -> sinks.get("pipe1").frames.get() == 2, "the other goes on");

    sinks.remove("pipe0");
    capture.scan();
    assertThat(opened.get()).isEqualTo(3);
    assertThat(capture.uncaptured()).isEmpty();
    sources.get("pipe0").send(4);
    await(() -> sinks.get("pipe0").frames.get() == 4, "captured again");
  }

  @Test
  void stoppingReadsWhatIsWaitingThenFlushesEverySink() {
    LiveCapture capture = capture(2);
    for (int i = 0; i < 6; i++) {
      interfaces.add("pipe" + i);
    }
    capture.scan();
    for (String name : interfaces) {
      sources.get(name).send(5);
    }
    capture.close();

    for (String name : interfaces) {
      assertThat(sinks.get(name).frames.get()).as(name).isEqualTo(5);
      assertThat(sinks.get(name).closed.get()).as(name).isEqualTo(1);
    }
  }

  private static int index(String name) {
    return Integer.parseInt(name.substring("pipe".length()));
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
