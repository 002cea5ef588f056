package io.podflow.agent.capture;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The fixed set of capture threads and which one takes a new interface: a thread is made when fewer
 * than {@code capture.threads} run, otherwise the least loaded one takes it, so interfaces stay
 * spread as pods come and go. A thread that died is dropped and replaced at the next assignment.
 * Used under the scan's lock.
 */
final class CaptureThreads {
  private final CaptureConfig config;
  private final ThreadFactory factory;
  private final List<CaptureThread> threads = new ArrayList<>();
  private final List<Thread> running = new ArrayList<>();
  private int made;

  CaptureThreads(CaptureConfig config, ThreadFactory factory) {
    this.config = config;
    this.factory = factory;
  }

  /**
   * The thread that should take the next interface, started if new.
   *
   * @throws RuntimeException or Error when a new thread cannot be started
   */
  CaptureThread next() {
    for (int i = threads.size() - 1; i >= 0; i--) {
      if (!running.get(i).isAlive()) {
        threads.remove(i);
        running.remove(i);
      }
    }
    if (threads.size() < config.threads()) {
      CaptureThread capture = new CaptureThread(config);
      Thread thread = factory.newThread(capture);
      thread.setName("podflow-capture-" + ++made);
      thread.setDaemon(true);
      thread.start();
      threads.add(capture);
      running.add(thread);
      return capture;
    }
    return threads.stream().min(Comparator.comparingInt(CaptureThread::load)).orElseThrow();
  }

  /** How many interfaces each thread holds, in the order the threads were made. */
  List<Integer> loads() {
    return threads.stream().map(CaptureThread::load).toList();
  }

  /** Stops every thread and waits up to 5 s for each (its captures flush as it ends). */
  void stop() throws InterruptedException {
    threads.forEach(CaptureThread::stop);
    for (Thread thread : running) {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    }
  }
}
