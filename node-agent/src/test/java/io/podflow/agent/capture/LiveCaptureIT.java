package io.podflow.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.agent.app.LiveFlows;
import io.podflow.agent.app.OfflineReplay;
import io.podflow.agent.app.OfflineReplay.FrameSourceKind;
import io.podflow.agent.flow.FlowTableConfig;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.InitiatorRule;
import io.podflow.schema.flow.v1.Outcome;
import io.podflow.schema.flow.v1.TcpState;
import io.podflow.schema.json.IpText;
import io.podflow.stack.lab.NetnsLab;
import io.podflow.stack.lab.NetnsLab.Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live capture with pcap4j on real interfaces: pods are network namespaces on a bridge, traffic is
 * real ping, UDP and TCP between them, and what the agent reports is checked against what was sent
 * and against tcpdump's capture of the same interface.
 */
class LiveCaptureIT {
  private static final FlowTableConfig LONG_TIMEOUTS =
      FlowTableConfig.defaults().withTimeouts(Duration.ofMinutes(10), Duration.ofMinutes(10));

  @TempDir Path dir;

  @Test
  void flowsCapturedLiveMatchWhatWasSent() throws Exception {
    try (NetnsLab lab = new NetnsLab()) {
      Pod client = lab.addPod();
      Pod server = lab.addPod();
      String captured = client.hostInterface();
      Path pcap = dir.resolve("client.pcap");
      Process tcpdump =
          new ProcessBuilder(
                  "tcpdump",
                  "--immediate-mode",
                  "-i",
                  captured,
                  "-U",
                  "-n",
                  "-w",
                  pcap.toString(),
                  "ip")
              .redirectErrorStream(true)
              .start();
      List<FlowRecord> records = new CopyOnWriteArrayList<>();
      LiveFlows agent =
          new LiveFlows(
                  CaptureConfig.of(List.of(captured), "ip"),
                  LONG_TIMEOUTS,
                  "lab",
                  "node",
                  "agent",
                  records::add)
              .start();
      try {
        awaitCapturing(agent, captured);
        Thread.sleep(1000); // tcpdump too

        lab.run(client, "ping -c 5 -i 0.2 -W 1 " + server.ip());
        lab.start(server, "nc -u -l 9999");
        Thread.sleep(300);
        // One socket, four writes spaced out: nc sends each read as one datagram.
        lab.run(
            client,
            "sh -c \"for i in 1 2 3 4; do head -c 100 /dev/zero; sleep 0.2; done"
                + " | nc -u -w1 -p 40000 "
                + server.ip()
                + " 9999\"");
        lab.start(server, "sh -c \"printf world | nc -l -N 8080\"");
        Thread.sleep(300);
        lab.run(client, "sh -c \"printf hello | nc -N -w 5 " + server.ip() + " 8080\"");
        Thread.sleep(1000); // both captures have delivered the last packets
      } finally {
        agent.close();
        tcpdump.destroy();
        tcpdump.waitFor(10, TimeUnit.SECONDS);
      }

      FlowRecord ping = only(records, 1);
      assertThat(ip(ping.getSource())).isEqualTo(client.ip());
      assertThat(ping.getIcmp().getType()).isEqualTo(8);
      assertThat(ping.getSourceToDestination().getPackets()).isEqualTo(5);
      assertThat(ping.getDestinationToSource().getPackets()).isEqualTo(5);
      assertThat(ping.getSourceToDestination().getBytes()).isEqualTo(5 * 84);

      FlowRecord udp = only(records, 17);
      assertThat(udp.getSource().getPort()).isEqualTo(40000);
      assertThat(udp.getDestination().getPort()).isEqualTo(9999);
      assertThat(udp.getSourceToDestination().getPackets()).isEqualTo(4);
      assertThat(udp.getSourceToDestination().getBytes()).isEqualTo(4 * (20 + 8 + 100));
      assertThat(udp.getDestinationToSource().getPackets()).isZero();

      FlowRecord tcp = only(records, 6);
      assertThat(ip(tcp.getSource())).isEqualTo(client.ip());
      assertThat(tcp.getDestination().getPort()).isEqualTo(8080);
      assertThat(tcp.getInitiatorRule()).isEqualTo(InitiatorRule.INITIATOR_RULE_HANDSHAKE);
      assertThat(tcp.getTcp().getState()).isEqualTo(TcpState.TCP_STATE_CLOSED_FIN);
      assertThat(tcp.getTcp().hasHandshakeRttNs()).isTrue();
      assertThat(tcp.getOutcome()).isEqualTo(Outcome.OUTCOME_ESTABLISHED);

      // tcpdump captured the same interface: the same flows, packet for packet.
      List<FlowRecord> offline = new java.util.ArrayList<>();
      OfflineReplay.run(pcap, LONG_TIMEOUTS, FrameSourceKind.JAVA, offline::add);
      // (Only the pods' own flows: the kernel's multicast reports come and go with timing.)
      assertThat(summary(records, client.ip(), server.ip()))
          .isEqualTo(summary(offline, client.ip(), server.ip()))
          .hasSize(3);
      assertThat(agent.stats()).allSatisfy(s -> assertThat(s.kernelDrops()).isZero());
    }
  }

  @Test
  void interfacesThatAppearAreCapturedAndOnesThatVanishEndWithoutHarm() throws Exception {
    try (NetnsLab lab = new NetnsLab()) {
      Pod first = lab.addPod();
      List<FlowRecord> records = new CopyOnWriteArrayList<>();
      CaptureConfig config =
          CaptureConfig.of(List.of(lab.vethPrefix() + "*"), "ip")
              .withRescanInterval(Duration.ofMillis(300));
      try (LiveFlows agent =
          new LiveFlows(config, LONG_TIMEOUTS, "lab", "node", "agent", records::add).start()) {
        awaitCapturing(agent, first.hostInterface());

        Pod second = lab.addPod();
        awaitCapturing(agent, second.hostInterface());
        lab.run(first, "ping -c 2 -i 0.2 -W 1 " + second.ip());
        lab.removePod(second);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (agent.capture().interfaces().contains(second.hostInterface())
            && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(agent.capture().interfaces())
            .contains(first.hostInterface())
            .doesNotContain(second.hostInterface());

        Pod third = lab.addPod();
        awaitCapturing(agent, third.hostInterface());
        lab.run(first, "ping -c 1 -W 1 " + third.ip());
      }
      // The vanished interface flushed its flows when its capture ended, with every packet up to
      // the pod's deletion: the two echo requests and the two replies sent just before it.
      List<FlowRecord> vanished =
          records.stream()
              .filter(r -> r.getObserver().getInterface().equals(lab.vethPrefix() + "2"))
              .filter(r -> r.getProtocol() == 1)
              .toList();
      assertThat(vanished).isNotEmpty();
      assertThat(vanished.stream().mapToLong(r -> r.getSourceToDestination().getPackets()).sum())
          .isEqualTo(2);
      assertThat(vanished.stream().mapToLong(r -> r.getDestinationToSource().getPackets()).sum())
          .isEqualTo(2);
      assertThat(records)
          .filteredOn(r -> r.getObserver().getInterface().equals(lab.vethPrefix() + "3"))
          .isNotEmpty();
    }
  }

  private static void awaitCapturing(LiveFlows agent, String name) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!agent.capture().interfaces().contains(name)) {
      assertThat(System.nanoTime()).as("capture on " + name + " started").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static FlowRecord only(List<FlowRecord> records, int protocol) {
    List<FlowRecord> matching = records.stream().filter(r -> r.getProtocol() == protocol).toList();
    assertThat(matching).as("records of protocol " + protocol + " in " + records).hasSize(1);
    return matching.get(0);
  }

  private static String ip(io.podflow.schema.flow.v1.Endpoint endpoint) {
    return IpText.format(endpoint.getIp().toByteArray());
  }

  private static List<String> summary(List<FlowRecord> records, String a, String b) {
    List<String> pods = List.of(a, b);
    return records.stream()
        .filter(r -> pods.contains(ip(r.getSource())) && pods.contains(ip(r.getDestination())))
        .map(
            r ->
                r.getProtocol()
                    + " "
                    + ip(r.getSource())
                    + ":"
                    + r.getSource().getPort()
                    + " > "
                    + ip(r.getDestination())
                    + ":"
                    + r.getDestination().getPort()
                    + " "
                    + r.getSourceToDestination().getPackets()
                    + "/"
                    + r.getSourceToDestination().getBytes()
                    + " "
                    + r.getDestinationToSource().getPackets()
                    + "/"
                    + r.getDestinationToSource().getBytes())
        .sorted()
        .toList();
  }
}
