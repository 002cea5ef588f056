package io.podflow.bench;

import io.podflow.agent.app.LiveFlows;
import io.podflow.agent.capture.CaptureConfig;
import io.podflow.agent.flow.FlowTableConfig;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's capture and flow tables on every interface that matches a pattern (a node's pods),
 * run as a JVM of its own under the heap settings it is given (the DaemonSet's): prints, every few
 * seconds, how many interfaces are captured, the heap after a full GC and the process's resident
 * memory. Usage: {@code CaptureMemory PATTERN SECONDS}. Same source for the agent before and after
 * the shared flow budget (public API only), so the two can be compared in one sitting.
 */
public final class CaptureMemory {
  private CaptureMemory() {}

  public static void main(String[] args) throws Exception {
    String pattern = args[0];
    long seconds = Long.parseLong(args[1]);
    AtomicLong records = new AtomicLong();
    System.out.printf(
        "max heap %d MiB, JVM flags %s%n",
        Runtime.getRuntime().maxMemory() >> 20,
        ManagementFactory.getRuntimeMXBean().getInputArguments());
    try (LiveFlows flows =
        new LiveFlows(
                CaptureConfig.of(List.of(pattern), ""),
                FlowTableConfig.defaults(),
                "bench",
                "node",
                "agent",
                record -> records.incrementAndGet())
            .start()) {
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      while (System.nanoTime() < end) {
        Thread.sleep(5_000);
        System.gc();
        Runtime rt = Runtime.getRuntime();
        System.out.printf(
            "interfaces %d, frames %d, records %d, heap after GC %.1f MiB, threads %d, %s%n",
            flows.capture().interfaces().size(),
            flows.totals().frames(),
            records.get(),
            (rt.totalMemory() - rt.freeMemory()) / 1048576.0,
            Thread.activeCount(),
            residentMemory());
      }
    }
  }

  private static String residentMemory() throws Exception {
    StringBuilder b = new StringBuilder();
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS") || line.startsWith("VmHWM")) {
        b.append(line.replaceAll("\\s+", " ")).append(' ');
      }
    }
    return b.toString().trim();
  }
}
