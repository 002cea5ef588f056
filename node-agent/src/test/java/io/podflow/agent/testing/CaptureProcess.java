package io.podflow.agent.testing;

import io.podflow.agent.app.LiveFlows;
import io.podflow.agent.capture.CaptureConfig;
import io.podflow.agent.capture.CaptureStats;
import io.podflow.agent.flow.FlowTableConfig;
import io.podflow.schema.flow.v1.FlowRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
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
 * settings it wants to prove: captures every interface matching {@code args[0]}, says {@code
 * captured N} as interfaces come up, and when its input says {@code stop}, flushes and prints per
 * interface the ICMP packets its records counted and the kernel's drops, then its memory: {@code
 * memory heapAfterGcBytes rssAnonKiB rssKiB}.
 */
public final class CaptureProcess {
  private CaptureProcess() {}

  public static void main(String[] args) throws Exception {
    Map<String, AtomicLong> icmp = new ConcurrentHashMap<>();
    LiveFlows flows =
        new LiveFlows(
            CaptureConfig.of(List.of(args[0]), "ip").withRescanInterval(Duration.ofSeconds(1)),
            FlowTableConfig.defaults().withTimeouts(Duration.ofMinutes(10), Duration.ofMinutes(10)),
            "lab",
            "node",
            "agent",
            (FlowRecord r) -> {
              if (r.getProtocol() == 1) {
                icmp.computeIfAbsent(r.getObserver().getInterface(), k -> new AtomicLong())
                    .addAndGet(
                        r.getSourceToDestination().getPackets()
                            + r.getDestinationToSource().getPackets());
              }
            });
    flows.start();
    Thread reporter =
        new Thread(
            () -> {
              String said = "";
              while (!Thread.currentThread().isInterrupted()) {
                String now =
                    "captured "
                        + flows.capture().interfaces().size()
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
      // waits for the test to say stop
    }
    reporter.interrupt();
    System.gc();
    Runtime rt = Runtime.getRuntime();
    long heap = rt.totalMemory() - rt.freeMemory();
    String status = Files.readString(Path.of("/proc/self/status"));
    flows.close(); // every flow exported, drops read at each capture's end
    for (CaptureStats s : flows.stats()) {
      AtomicLong packets = icmp.get(s.interfaceName());
      System.out.printf(
          "interface %s %d %d%n",
          s.interfaceName(), packets == null ? 0 : packets.get(), s.kernelDrops());
    }
    System.out.printf("memory %d %d %d%n", heap, kib(status, "RssAnon:"), kib(status, "VmRSS:"));
    System.out.flush();
  }

  private static long kib(String status, String field) {
    int at = status.indexOf(field);
    String rest = status.substring(at + field.length()).trim();
    return Long.parseLong(rest.substring(0, rest.indexOf(' ')));
  }
}
