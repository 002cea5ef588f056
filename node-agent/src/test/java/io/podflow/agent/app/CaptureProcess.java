package io.podflow.agent.app;

import io.podflow.agent.capture.CaptureConfig;
import io.podflow.agent.capture.CaptureStats;
import io.podflow.agent.flow.FlowTableConfig;
import io.podflow.schema.flow.v1.FlowRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's live capture and flow tables in a JVM of their own, started by a test with the heap
 * settings it wants to prove: captures every interface matching {@code args[0]} (patterns,
 * comma-separated) within a flow budget of {@code args[1]} (default the agent's), says {@code
 * captured N held H frames F} as interfaces come up and frames arrive (H: captures not yet
 * forgotten, ended ones included). On its input, {@code heap} prints {@code heap BYTES} after a
 * full GC, {@code usage} prints {@code usage HEAP_BYTES THREADS OPEN_FILES}; {@code stop} prints
 * what readiness says ({@code notready REASON...}), the flows exported early ({@code evicted N}),
 * the budget ({@code budget RESERVED MAX}), then flushes and prints per interface the ICMP packets
 * its records counted, the kernel's drops, and all its records' packets and IP bytes ({@code
 * interface NAME ICMP_PACKETS DROPS PACKETS BYTES}) and its memory before the flush ({@code memory
 * HEAP_BYTES RSS_ANON_KIB RSS_KIB}).
 */
public final class CaptureProcess {
  private CaptureProcess() {}

  public static void main(String[] args) throws Exception {
    Map<String, AtomicLong> icmp = new ConcurrentHashMap<>();
    // Every record's packets and bytes, both directions, per interface: what tcpdump must count.
    Map<String, AtomicLong> packets = new ConcurrentHashMap<>();
    Map<String, AtomicLong> bytes = new ConcurrentHashMap<>();
    LiveFlows flows =
        new LiveFlows(
            CaptureConfig.of(List.of(args[0].split(",")), "ip")
                .withRescanInterval(Duration.ofSeconds(1)),
            FlowTableConfig.defaults()
                .withTimeouts(Duration.ofMinutes(10), Duration.ofMinutes(10))
                .withMaxFlows(
                    args.length > 1
                        ? Integer.parseInt(args[1])
                        : FlowTableConfig.defaults().maxFlows()),
            "lab",
            "node",
            "agent",
            (FlowRecord r) -> {
              String on = r.getObserver().getInterface();
              packets
                  .computeIfAbsent(on, k -> new AtomicLong())
                  .addAndGet(
                      r.getSourceToDestination().getPackets()
                          + r.getDestinationToSource().getPackets());
              bytes
                  .computeIfAbsent(on, k -> new AtomicLong())
                  .addAndGet(
                      r.getSourceToDestination().getBytes()
                          + r.getDestinationToSource().getBytes());
              if (r.getProtocol() == 1) {
                icmp.computeIfAbsent(r.getObserver().getInterface(), k -> new AtomicLong())
                    .addAndGet(
                        r.getSourceToDestination().getPackets()
                            + r.getDestinationToSource().getPackets());
              }
            });
    flows.start();
    Readiness readiness =
        new Readiness(
            Readiness.signalsOf(() -> true, () -> flows),
            System::nanoTime,
            Agent.SATURATION_WINDOW);
    Thread reporter =
        new Thread(
            () -> {
              String said = "";
              while (!Thread.currentThread().isInterrupted()) {
                String now =
                    "captured "
                        + flows.capture().interfaces().size()
                        + " held "
                        + flows.stats().size()
                        + " frames "
                        + flows.totals().frames();
                if (!now.equals(said)) {
                  System.out.println(now);
                  said = now;
                }
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    reporter.setDaemon(true);
    reporter.start();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null && !line.equals("stop"); ) {
      readiness.reasons(); // looks now and then, as the agent's housekeeping does
      if (line.equals("heap")) {
        System.out.println("heap " + heapAfterGc());
      }
      if (line.equals("usage")) {
        long fds;
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
          fds = list.count();
        }
        System.out.printf(
            "usage %d %d %d%n",
            heapAfterGc(), ManagementFactory.getThreadMXBean().getThreadCount(), fds);
      }
    }
    reporter.interrupt();
    StringBuilder notReady = new StringBuilder("notready");
    readiness.reasons().forEach(r -> notReady.append(' ').append(r.label()));
    System.out.println(notReady);
    System.out.println("evicted " + flows.totals().evictedFlows());
    System.out.println("budget " + flows.budget().reserved() + " " + flows.budget().maxFlows());
    long heap = heapAfterGc();
    String status = Files.readString(Path.of("/proc/self/status"));
    flows.close(); // every flow exported, drops read at each capture's end
    for (CaptureStats s : flows.stats()) {
      String on = s.interfaceName();
      System.out.printf(
          "interface %s %d %d %d %d%n",
          on, count(icmp, on), s.kernelDrops(), count(packets, on), count(bytes, on));
    }
    System.out.printf("memory %d %d %d%n", heap, kib(status, "RssAnon:"), kib(status, "VmRSS:"));
    System.out.flush();
  }

  private static long count(Map<String, AtomicLong> counts, String iface) {
    AtomicLong c = counts.get(iface);
    return c == null ? 0 : c.get();
  }

  private static long heapAfterGc() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static long kib(String status, String field) {
    int at = status.indexOf(field);
    String rest = status.substring(at + field.length()).trim();
    return Long.parseLong(rest.substring(0, rest.indexOf(' ')));
  }
}
