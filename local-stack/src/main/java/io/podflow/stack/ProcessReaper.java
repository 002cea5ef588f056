package io.podflow.stack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Stops every {@link ManagedProcess} still running when the JVM shuts down. */
final class ProcessReaper {
  private static final Set<ManagedProcess> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ProcessReaper::stopAll, "podflow-process-reaper"));
  }

  private ProcessReaper() {}

  static void register(ManagedProcess process) {
    RUNNING.add(process);
  }

  static void unregister(ManagedProcess process) {
    RUNNING.remove(process);
  }

  private static void stopAll() {
    List<Thread> stoppers = new ArrayList<>();
    for (ManagedProcess process : List.copyOf(RUNNING)) {
      Thread stopper = new Thread(() -> process.stop(Duration.ofSeconds(10)));
      stopper.start();
      stoppers.add(stopper);
    }
    for (Thread stopper : stoppers) {
      try {
        stopper.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
