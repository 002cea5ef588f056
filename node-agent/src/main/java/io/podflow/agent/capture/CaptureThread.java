package io.podflow.agent.capture;

import io.podflow.agent.capture.libpcap.Poll;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One capture thread for many interfaces: it waits for all of them with one poll(2), reads only the
 * ready ones, and lets time pass on the quiet ones. A node's hundred pods then cost a few wake-ups
 * a read interval, not a hundred threads each woken for its own packets (docs/BENCHMARKS.md, "At
 * node scale").
 *
 * <p>In immediate mode the kernel would wake a reader for nearly every packet; so once woken, the
 * thread waits {@code batchDelay} before it reads: one wake-up then reads that whole interval's
 * packets on every interface, and a packet waits at most that long. An interface that went or
 * failed ends alone; its sink is called from this thread only, so flow tables need no locks.
 */
final class CaptureThread implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(CaptureThread.class);

  private final int timeoutMillis;
  private final long tickNanos;
  private final long batchDelayNanos;
  private final Queue<InterfaceCapture> added = new ConcurrentLinkedQueue<>();

  /** Captures given to this thread and not yet ended: what the assignment balances. */
  private final AtomicInteger load = new AtomicInteger();

  private final Poll poll = new Poll();
  private volatile boolean running = true;
  private boolean finished; // guarded by this: no capture is taken any more

  // The thread's own.
  private InterfaceCapture[] captures = new InterfaceCapture[16];
  private int count;
  private long nextTick;

  CaptureThread(CaptureConfig config) {
    this.timeoutMillis = (int) config.readTimeout().toMillis();
    this.tickNanos = config.readTimeout().toNanos();
    this.batchDelayNanos = config.immediateMode() ? config.batchDelay().toNanos() : 0;
  }

  /** Captures this thread holds or is about to take. */
  int load() {
    return load.get();
  }

  /**
   * Gives this thread an opened capture; it starts reading at its next wake-up (the ring holds the
   * packets meanwhile).
   *
   * @throws IllegalStateException when the thread has ended (the caller still owns the capture)
   */
  synchronized void add(InterfaceCapture capture) {
    if (finished) {
      throw new IllegalStateException("capture thread ended");
    }
    load.incrementAndGet();
    added.add(capture);
  }

  /** Ends every capture (each flushes its sink) and the thread, at its next wake-up. */
  void stop() {
    running = false;
  }

  @Override
  public void run() {
    try {
      nextTick = System.nanoTime() + tickNanos;
      while (running) {
        step();
      }
    } catch (RuntimeException | Error e) {
      // Not a capture's failure (those end the capture alone): the thread's own. Its captures
      // end as failed below and the next scan gives their interfaces to another thread.
      LOG.atError().setCause(e).log("capture thread failed: {}", e);
      for (int i = 0; i < count; i++) {
        captures[i].failed(e);
      }
    } finally {
      synchronized (this) {
        finished = true;
      }
      adopt();
      for (int i = 0; i < count; i++) {
        captures[i].stopped();
      }
      count = 0;
      load.set(0);
    }
  }

  private void step() {
    adopt();
    boolean backlog = false;
    for (int i = 0; i < count; i++) {
      poll.set(i, captures[i].selectableFd());
      backlog |= captures[i].backlog();
    }
    int ready = poll.await(count, backlog ? 0 : timeoutMillis);
    if (ready > 0 && !backlog && batchDelayNanos > 0) {
      LockSupport.parkNanos(batchDelayNanos);
      ready = poll.await(count, 0); // everything the interval brought, on every interface
    }
    long now = System.nanoTime();
    boolean tick = now - nextTick >= 0;
    if (tick) {
      nextTick = now + tickNanos;
    }
    long wall = tick ? System.currentTimeMillis() * 1_000_000L : 0;
    int kept = 0;
    for (int i = 0; i < count; i++) {
      InterfaceCapture capture = captures[i];
      if (capture.step(ready > 0 ? poll.events(i) : 0, tick, now, wall)) {
        captures[kept++] = capture;
      } else {
        load.decrementAndGet();
      }
    }
    Arrays.fill(captures, kept, count, null);
    count = kept;
  }

  /** Takes the captures given since the last wake-up. */
  private void adopt() {
    for (InterfaceCapture capture = added.poll(); capture != null; capture = added.poll()) {
      if (count == captures.length) {
        captures = Arrays.copyOf(captures, 2 * count);
      }
      captures[count++] = capture;
    }
  }
}
