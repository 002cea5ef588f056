package io.podflow.agent.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.agent.testing.CaptureProcess;
import io.podflow.stack.lab.NetnsLab;
import io.podflow.stack.lab.NetnsLab.Pod;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A node's worth of pods (110, Kubernetes' default per node) captured by the agent's capture and
 * flow tables in a JVM of their own, with the DaemonSet's heap settings for its 512 MiB limit:
 * every pod's pings are counted exactly, the kernel drops nothing, and the memory the pod's cgroup
 * is charged for (anonymous RSS: the kernel's capture rings are not charged) stays inside the
 * limit.
 */
class NodeScaleIT {
  private static final int PODS = 110;
  private static final int PINGS = 5;

  /** What the DaemonSet gives the JVM: 60% of a 512 MiB limit, and death on running out. */
  static final List<String> DAEMONSET_JVM =
      List.of(
          "-XX:+UseSerialGC",
          "-XX:MaxRAM=512m",
          "-XX:MaxRAMPercentage=60",
          "-XX:+ExitOnOutOfMemoryError");

  @Test
  void everyPodOfAFullNodeIsCapturedExactlyWithinTheMemoryLimit() throws Exception {
    try (NetnsLab lab = new NetnsLab()) {
      String gateway = lab.addGateway();
      List<Pod> pods = new ArrayList<>();
      for (int i = 0; i < PODS; i++) {
        pods.add(lab.addPod());
      }
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(DAEMONSET_JVM);
      command.addAll(
          List.of(
              "-cp",
              System.getProperty("java.class.path"),
              CaptureProcess.class.getName(),
              lab.vethPrefix() + "*"));
      Process agent = new ProcessBuilder(command).redirectErrorStream(true).start();
      List<String> lines = new CopyOnWriteArrayList<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                  }
                } catch (java.io.IOException e) {
                  lines.add("read failed: " + e);
                }
              });
      reader.start();
      try {
        await(lines, l -> l.startsWith("captured " + PODS + " "), "every pod's interface captured");

        List<Process> pings = new ArrayList<>();
        for (Pod pod : pods) {
          pings.add(lab.start(pod, "ping -q -c " + PINGS + " -i 0.2 -W 2 " + gateway));
        }
        for (Process ping : pings) {
          assertThat(ping.waitFor(60, TimeUnit.SECONDS)).as("ping ended").isTrue();
          assertThat(ping.exitValue()).as("every ping answered").isZero();
        }
        long expected = (long) PODS * PINGS * 2;
        await(lines, l -> l.startsWith("captured ") && frames(l) >= expected, "frames read");

        try (OutputStream in = agent.getOutputStream()) {
          in.write("stop\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(agent.waitFor(60, TimeUnit.SECONDS)).as("agent stopped").isTrue();
        reader.join(10_000);
      } finally {
        agent.destroyForcibly();
      }

      List<String> interfaces = lines.stream().filter(l -> l.startsWith("interface ")).toList();
      assertThat(interfaces).as(String.join("\n", lines)).hasSize(PODS);
      for (String line : interfaces) {
        String[] f = line.split(" ");
        assertThat(Long.parseLong(f[2])).as("ICMP packets counted on " + f[1]).isEqualTo(10);
        assertThat(Long.parseLong(f[3])).as("kernel drops on " + f[1]).isZero();
      }
      String[] memory =
          lines.stream().filter(l -> l.startsWith("memory ")).findFirst().orElseThrow().split(" ");
      long heap = Long.parseLong(memory[1]);
      long anonKiB = Long.parseLong(memory[2]);
      System.out.printf(
          "%d pods: heap after GC %.1f MiB, anonymous RSS %.1f MiB, RSS %.1f MiB%n",
          PODS, heap / 1048576.0, anonKiB / 1024.0, Long.parseLong(memory[3]) / 1024.0);
      assertThat(anonKiB).as("anonymous RSS, KiB").isLessThan(512 * 1024);
      assertThat(heap).as("heap after GC").isLessThan(100L << 20);
    }
  }

  private static long frames(String line) {
    return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
  }

  private static void await(List<String> lines, Predicate<String> seen, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (lines.stream().noneMatch(seen)) {
      assertThat(System.nanoTime()).as(what + "\n" + String.join("\n", lines)).isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
