package io.podflow.agent.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.agent.testing.TcpdumpRecording;
import io.podflow.stack.lab.NetnsLab;
import io.podflow.stack.lab.NetnsLab.Pod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's worth of pods (110, Kubernetes' default per node) captured by the agent's capture and
 * flow tables in a JVM of their own with the DaemonSet's heap settings for its 512 MiB limit
 * ({@link CaptureChild}): every pod's pings are counted exactly, on every pod's veth the records'
 * packets and IP bytes equal what tcpdump recorded there, the kernel drops nothing, and the memory
 * the pod's cgroup is charged for (anonymous RSS: the kernel's capture rings are not charged) stays
 * inside the limit less a documented margin. Then one pod floods the table with new flows: the
 * budget caps it, the agent says it is saturated, its heap stays flat, and the other pods are still
 * counted exactly.
 */
class NodeScaleIT {
  private static final int PODS = 110;
  private static final int PINGS = 5;

  /** The DaemonSet's memory limit, KiB. */
  private static final long LIMIT_KIB = 512 * 1024;

  /**
   * Room the 110-pod node must leave under the limit for what the full agent holds beyond this
   * test's capture and tables (node-agent/DESIGN.md, "Memory budget"): Kafka's producer buffer (32
   * MiB), the flow budget's tables at their cap while one doubles (102 MiB) and enrichment's pod
   * index (about 10 MiB for a 10,000-pod cluster), rounded up: 160 MiB.
   */
  private static final long MARGIN_KIB = 160 * 1024;

  @TempDir Path dir;

  @Test
  void everyPodOfAFullNodeIsCapturedExactlyWithinTheMemoryLimit() throws Exception {
    try (NetnsLab lab = new NetnsLab()) {
      String gateway = lab.addGateway();
      List<Pod> pods = new ArrayList<>();
      for (int i = 0; i < PODS; i++) {
        pods.add(lab.addPod());
      }
      try (CaptureChild agent = new CaptureChild(lab.vethPrefix() + "*")) {
        agent.await(l -> l.startsWith("captured " + PODS + " "), "every pod's interface captured");
        // One tcpdump on every interface of the host (-i any, each packet's interface kept): all
        // 110 veths recorded beside the agent by one process instead of 110.
        TcpdumpRecording tcpdump =
            TcpdumpRecording.startOnEveryInterface("ip", dir.resolve("node.pcap"));
        try {
          pingAll(lab, pods, gateway);
          long expected = (long) PODS * PINGS * 2;
          agent.await(
              l -> l.startsWith("captured ") && CaptureChild.frames(l) >= expected, "frames read");
          assertThat(tcpdump.stop()).as("tcpdump's kernel drops").isZero();
        } finally {
          tcpdump.kill();
        }
        agent.stop();

        assertEveryPodCountedExactly(agent, pods);
        Map<String, TcpdumpRecording.Count> seen = tcpdump.countByInterface();
        for (Pod pod : pods) {
          String veth = pod.hostInterface();
          TcpdumpRecording.Count count = seen.get(veth);
          String[] f = agent.value("interface " + veth).split(" ");
          assertThat(count).as("tcpdump saw " + veth).isNotNull();
          assertThat(count.packets()).as("tcpdump's packets on " + veth).isEqualTo(2L * PINGS);
          assertThat(Long.parseLong(f[2]))
              .as("records' packets on " + veth)
              .isEqualTo(count.packets());
          assertThat(Long.parseLong(f[3]))
              .as("records' IP bytes on " + veth)
              .isEqualTo(count.ipBytes());
        }
        assertThat(agent.value("notready")).as("ready").isEmpty();
        String[] memory = agent.value("memory").split(" ");
        long heap = Long.parseLong(memory[0]);
        long anonKiB = Long.parseLong(memory[1]);
        System.out.printf(
            "%d pods: heap after GC %.1f MiB, anonymous RSS %.1f MiB, RSS %.1f MiB%n",
            PODS, heap / 1048576.0, anonKiB / 1024.0, Long.parseLong(memory[2]) / 1024.0);
        assertThat(anonKiB).as("anonymous RSS, KiB").isLessThan(LIMIT_KIB - MARGIN_KIB);
        assertThat(heap).as("heap after GC").isLessThan(100L << 20);
      }
    }
  }

  @Test
  void aPodFloodingNewFlowsFillsOnlyTheBudgetAndTheOthersAreStillCountedExactly() throws Exception {
    int budget = 16_384;
    try (NetnsLab lab = new NetnsLab()) {
      String gateway = lab.addGateway();
      Pod flooder = lab.addPod();
      List<Pod> pods = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        pods.add(lab.addPod());
      }
      try (CaptureChild agent =
          new CaptureChild(lab.vethPrefix() + "*", Integer.toString(budget))) {
        agent.await(l -> l.startsWith("captured 11 "), "every pod's interface captured");
        agent.send("heap");
        long heapBefore =
            Long.parseLong(agent.await(l -> l.startsWith("heap "), "heap").substring(5));

        Process flood =
            lab.start(
                flooder,
                CaptureChild.java()
                    + " -cp "
                    + System.getProperty("java.class.path")
                    + " io.podflow.agent.testing.UdpFlood "
                    + gateway
                    + " 4 8 "
                    + (4L * budget + 1));
        pingAll(lab, pods, gateway);
        assertThat(flood.waitFor(90, TimeUnit.SECONDS)).as("flood ended").isTrue();
        String sent = new String(flood.getInputStream().readAllBytes()).trim();
        long datagrams = Long.parseLong(sent.substring(sent.lastIndexOf(' ') + 1));
        agent.await(
            l -> l.startsWith("captured ") && CaptureChild.frames(l) >= datagrams,
            "the flood read");
        int mark = agent.lines.size();
        agent.send("heap");
        long heapAfter =
            Long.parseLong(agent.awaitFrom(mark, l -> l.startsWith("heap "), "heap").substring(5));
        agent.stop();

        System.out.printf(
            "flood: %d datagrams, %s flows exported early, budget %s, heap %.1f -> %.1f MiB%n",
            datagrams,
            agent.value("evicted"),
            agent.value("budget"),
            heapBefore / 1048576.0,
            heapAfter / 1048576.0);
        assertThat(datagrams).as("flows sent").isGreaterThan(4L * budget);
        assertEveryPodCountedExactly(agent, pods);
        assertThat(Long.parseLong(agent.value("evicted"))).as("flows exported early").isPositive();
        assertThat(agent.value("notready")).isEqualTo("flows_saturated");
        String[] reserved = agent.value("budget").split(" ");
        assertThat(Long.parseLong(reserved[0])).as("budget reserved").isLessThanOrEqualTo(budget);
        // The tables of the budget, while the largest doubles: 16,384 flows x 272 bytes x 1.5.
        assertThat(heapAfter - heapBefore).as("heap grown by the flood").isLessThan(16L << 20);
      }
    }
  }

  @Test
  void podsComingAndGoingAreCapturedThenReleasedAndLeaveNothingBehind() throws Exception {
    int waves = 10;
    int perWave = 50;
    // A lab's subnet holds 253 pods: two labs, one after the other, under one agent.
    try (NetnsLab first = new NetnsLab();
        NetnsLab second = new NetnsLab();
        CaptureChild agent =
            new CaptureChild(first.vethPrefix() + "*," + second.vethPrefix() + "*")) {
      agent.await(l -> l.startsWith("captured 0 "), "started");
      long[] baseline = null;
      for (int wave = 0; wave < waves; wave++) {
        int before = agent.lines.size();
        List<Pod> pods = new ArrayList<>();
        NetnsLab lab = wave < waves / 2 ? first : second;
        for (int i = 0; i < perWave; i++) {
          pods.add(lab.addPod());
        }
        agent.awaitFrom(
            before, l -> l.startsWith("captured " + perWave + " "), "wave " + wave + " captured");
        for (Pod pod : pods) {
          lab.removePod(pod);
        }
        int seen = agent.lines.size();
        agent.awaitFrom(
            seen, l -> l.startsWith("captured 0 held 0 "), "wave " + wave + " released");
        if (wave == 0) {
          baseline = usage(agent); // after the capture path has been loaded and compiled once
        }
      }
      long[] after = usage(agent);
      agent.stop();

      System.out.printf(
          "%d pods came and went: heap %.1f -> %.1f MiB, threads %d -> %d, open files %d -> %d%n",
          waves * perWave,
          baseline[0] / 1048576.0,
          after[0] / 1048576.0,
          baseline[1],
          after[1],
          baseline[2],
          after[2]);
      assertThat(after[0]).as("heap after GC").isLessThan(baseline[0] + (4L << 20));
      assertThat(after[1]).as("threads").isLessThanOrEqualTo(baseline[1] + 2);
      assertThat(after[2]).as("open files").isLessThanOrEqualTo(baseline[2] + 2);
    }
  }

  private static long[] usage(CaptureChild agent) throws Exception {
    int seen = agent.lines.size();
    agent.send("usage");
    String[] f = agent.awaitFrom(seen, l -> l.startsWith("usage "), "usage").split(" ");
    return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])};
  }

  private static void pingAll(NetnsLab lab, List<Pod> pods, String gateway) throws Exception {
    List<Process> pings = new ArrayList<>();
    for (Pod pod : pods) {
      pings.add(lab.start(pod, "ping -q -c " + PINGS + " -i 0.2 -W 2 " + gateway));
    }
    for (Process ping : pings) {
      assertThat(ping.waitFor(60, TimeUnit.SECONDS)).as("ping ended").isTrue();
      assertThat(ping.exitValue()).as("every ping answered").isZero();
    }
  }

  private static void assertEveryPodCountedExactly(CaptureChild agent, List<Pod> pods) {
    for (Pod pod : pods) {
      String[] f = agent.value("interface " + pod.hostInterface()).split(" ");
      assertThat(Long.parseLong(f[0]))
          .as("ICMP packets counted on " + pod.hostInterface())
          .isEqualTo(2L * PINGS);
      assertThat(Long.parseLong(f[1])).as("kernel drops on " + pod.hostInterface()).isZero();
    }
  }
}
