package io.podflow.agent.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.flow.v1.ObservationPoint;
import io.podflow.schema.flow.v1.Reporter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportersTest {
  @TempDir Path dir;

  @Test
  void aPodsOwnInterfaceReportsForThatPodOnEitherEnd() throws Exception {
    Reporters reporters = new Reporters(interfaces(), "node-1", name -> true);
    // 10.1.0.5 is routed to cali5 (its own veth), 10.1.0.6 to cali6.
    assertThat(reporters.of(record("cali5", "10.1.0.5", "node-1", "10.1.0.6", "node-1")))
        .containsExactly(Reporter.REPORTER_SOURCE);
    assertThat(reporters.of(record("cali6", "10.1.0.5", "node-1", "10.1.0.6", "node-1")))
        .containsExactly(Reporter.REPORTER_DESTINATION);
  }

  /**
   * docs/SECURITY.md: a pod sending with another pod's address is not published as that pod's
   * egress from the spoofer's own interface (its destination's agent still names the other pod).
   */
  @Test
  void aSourceAddressThatIsNotTheInterfacesPodsIsReportedForNeitherEnd() throws Exception {
    Reporters reporters = new Reporters(interfaces(), "node-1", name -> true);
    // On cali5 (10.1.0.5's veth), a packet from 10.1.0.6 (cali6's pod) to a pod on another node.
    assertThat(reporters.of(record("cali5", "10.1.0.6", "node-1", "10.2.0.9", "node-2")))
        .containsExactly(Reporter.REPORTER_UNSPECIFIED);
  }

  @Test
  void aBridgeReportsForEachLocalPodWhoseOwnInterfaceIsNotCaptured() throws Exception {
    Reporters reporters = new Reporters(interfaces(), "node-1", name -> false);
    // Captured on the bridge only: the source is a pod of this node, the destination of another.
    assertThat(reporters.of(record("cni0", "10.1.0.9", "node-1", "10.2.0.4", "node-2")))
        .containsExactly(Reporter.REPORTER_SOURCE);
    assertThat(reporters.of(record("cni0", "10.2.0.4", "node-2", "10.1.0.9", "node-1")))
        .containsExactly(Reporter.REPORTER_DESTINATION);
    // Two pods of the bridge talking: one observation, reported once for each pod.
    assertThat(reporters.of(record("cni0", "10.1.0.9", "node-1", "10.1.0.8", "node-1")))
        .containsExactly(Reporter.REPORTER_SOURCE, Reporter.REPORTER_DESTINATION);
    // The node's own traffic: no pod to report it for.
    assertThat(reporters.of(record("cni0", "10.0.0.1", "", "10.2.0.4", "node-2")))
        .containsExactly(Reporter.REPORTER_UNSPECIFIED);
  }

  @Test
  void aBridgeLeavesAPodToItsOwnInterfaceWhenThatIsCaptured() throws Exception {
    // vethb9 (10.1.0.9, learnt from the bridge's tables) is captured; vethb8 (10.1.0.8) is not.
    Reporters reporters = new Reporters(interfaces(), "node-1", "vethb9"::equals);
    FlowRecord.Builder onBridge = record("cni0", "10.1.0.9", "node-1", "10.1.0.8", "node-1");
    assertThat(reporters.of(onBridge)).containsExactly(Reporter.REPORTER_DESTINATION);
    assertThat(reporters.of(record("vethb9", "10.1.0.9", "node-1", "10.1.0.8", "node-1")))
        .containsExactly(Reporter.REPORTER_SOURCE);
    // Both pods' own interfaces captured: the bridge's copy of the connection is not reported.
    Reporters both = new Reporters(interfaces(), "node-1", name -> name.startsWith("veth"));
    assertThat(both.of(onBridge)).isEmpty();
  }

  @Test
  void routesToSeveralPodsOrToNetworksNameNoPod() throws Exception {
    PodInterfaces routes = interfaces();
    assertThat(routes.leadsTo("cali5", IpKey.of(new byte[] {10, 1, 0, 5}))).isTrue();
    assertThat(routes.knows("eth0")).isFalse(); // a default route and a /24
    assertThat(routes.knows("tunl0")).isFalse(); // two host routes: not one pod's
    assertThat(routes.leadsTo("lxc6", IpKey.of(ipv6("fd00::6")))).isTrue();
    // A dual-stack pod: one route of each family to its veth.
    assertThat(routes.leadsTo("cali5", IpKey.of(ipv6("fd00::5")))).isTrue();
    assertThat(routes.interfaceOf(IpKey.of(new byte[] {10, 1, 0, 6}))).isEqualTo("cali6");
  }

  @Test
  void bridgePortsAreLearntFromTheForwardingTableAndTheArpTable() throws Exception {
    PodInterfaces bridge = interfaces();
    assertThat(bridge.leadsTo("vethb9", IpKey.of(new byte[] {10, 1, 0, 9}))).isTrue();
    assertThat(bridge.leadsTo("vethb8", IpKey.of(new byte[] {10, 1, 0, 8}))).isTrue();
    assertThat(bridge.interfaceOf(IpKey.of(new byte[] {10, 1, 0, 8}))).isEqualTo("vethb8");
    // Port 3 has two addresses behind it (a nested bridge): no pod's own interface.
    assertThat(bridge.knows("vethnest")).isFalse();
    // An incomplete ARP entry and a MAC the bridge holds as its own name nothing.
    assertThat(bridge.interfaceOf(IpKey.of(new byte[] {10, 1, 0, 7}))).isNull();
    assertThat(bridge.interfaceOf(IpKey.of(new byte[] {10, 1, 0, 1}))).isNull();
  }

  /** A node with routes to cali5, cali6, lxc6 and a bridge cni0 with ports vethb8, vethb9. */
  @Test
  void podsKnownBeforehandAreReportedForOnTheirOwnInterfacesAndARefreshKeepsThem()
      throws Exception {
    // As the replay of pods' own captures knows them: no routes or bridges to read.
    PodInterfaces replayed =
        PodInterfaces.of(
                java.util.Map.of(
                    "veth-a", new byte[] {10, 1, 0, 5}, "veth-b", new byte[] {10, 1, 0, 6}))
            .refresh();
    Reporters reporters = new Reporters(replayed, "node-1", name -> true);
    assertThat(reporters.of(record("veth-a", "10.1.0.5", "node-1", "10.1.0.6", "node-1")))
        .containsExactly(Reporter.REPORTER_SOURCE);
    assertThat(reporters.of(record("veth-b", "10.1.0.5", "node-1", "10.1.0.6", "node-1")))
        .containsExactly(Reporter.REPORTER_DESTINATION);
    assertThat(replayed.interfaceOf(IpKey.of(new byte[] {10, 1, 0, 6}))).isEqualTo("veth-b");
  }

  private PodInterfaces interfaces() throws Exception {
    Path proc = Files.createDirectories(dir.resolve("proc"));
    Path v4 = proc.resolve("route");
    Path v6 = proc.resolve("ipv6_route");
    Files.writeString(
        v4,
        String.join(
            "\n",
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
            "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
            "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
            "cali5\t0500010A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0",
            "cali6\t0600010A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0",
            "tunl0\t0700010A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0",
            "tunl0\t0800010A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0",
            ""));
    // lxc6's own link-local address has a host route too: it names no pod.
    Files.writeString(
        v6,
        "fd000000000000000000000000000006 80 00000000000000000000000000000000 00"
            + " 00000000000000000000000000000000 00000400 00000001 00000000 00000001     lxc6\n"
            + "fd000000000000000000000000000005 80 00000000000000000000000000000000 00"
            + " 00000000000000000000000000000000 00000400 00000001 00000000 00000001    cali5\n"
            + "fe80000000000000a8c1abfffe3c0a1b 80 00000000000000000000000000000000 00"
            + " 00000000000000000000000000000000 00000000 00000002 00000000 80200001     lxc6\n"
            + "ff000000000000000000000000000000 08 00000000000000000000000000000000 00"
            + " 00000000000000000000000000000000 00000100 00000003 00000000 00000001     lxc6\n");
    Files.writeString(
        proc.resolve("arp"),
        String.join(
            "\n",
            "IP address       HW type     Flags       HW address            Mask     Device",
            "10.1.0.9         0x1         0x2         0a:00:00:00:00:09     *        cni0",
            "10.1.0.8         0x1         0x2         0a:00:00:00:00:08     *        cni0",
            "10.1.0.7         0x1         0x0         00:00:00:00:00:00     *        cni0",
            "10.1.0.1         0x1         0x2         0a:00:00:00:00:01     *        cni0",
            "10.1.0.20        0x1         0x2         0a:00:00:00:00:20     *        cni0",
            "10.1.0.21        0x1         0x2         0a:00:00:00:00:21     *        cni0",
            "192.0.2.1        0x1         0x2         0a:00:00:00:00:99     *        eth0",
            ""));
    Path sys = dir.resolve("sys");
    Path cni0 = Files.createDirectories(sys.resolve("cni0"));
    port(cni0, "vethb8", 1);
    port(cni0, "vethb9", 2);
    port(cni0, "vethnest", 3);
    java.io.ByteArrayOutputStream fdb = new java.io.ByteArrayOutputStream();
    fdbEntry(fdb, 0x08, 1, false);
    fdbEntry(fdb, 0x09, 2, false);
    fdbEntry(fdb, 0x20, 3, false);
    fdbEntry(fdb, 0x21, 3, false);
    fdbEntry(fdb, 0x01, 1, true); // the bridge port's own address
    Files.write(cni0.resolve("brforward"), fdb.toByteArray());
    return new PodInterfaces(proc, sys).refresh();
  }

  private static void port(Path bridge, String name, int number) throws Exception {
    Path port = Files.createDirectories(bridge.resolve("brif").resolve(name));
    Files.writeString(port.resolve("port_no"), "0x" + Integer.toHexString(number) + "\n");
  }

  /** struct __fdb_entry: MAC, port_no, is_local, ageing timer, port_hi, pad, unused. */
  private static void fdbEntry(
      java.io.ByteArrayOutputStream out, int lastMacByte, int port, boolean local) {
    out.writeBytes(new byte[] {0x0a, 0, 0, 0, 0, (byte) lastMacByte});
    out.write(port & 0xff);
    out.write(local ? 1 : 0);
    out.writeBytes(new byte[] {0, 0, 0, 0});
    out.write(port >> 8);
    out.writeBytes(new byte[] {0, 0, 0});
  }

  private static FlowRecord.Builder record(
      String iface, String source, String sourceNode, String destination, String destinationNode)
      throws Exception {
    return FlowRecord.newBuilder()
        .setObserver(ObservationPoint.newBuilder().setInterface(iface))
        .setSource(endpoint(source, sourceNode))
        .setDestination(endpoint(destination, destinationNode));
  }

  private static Endpoint.Builder endpoint(String ip, String node) throws Exception {
    return Endpoint.newBuilder()
        .setIp(ByteString.copyFrom(java.net.InetAddress.getByName(ip).getAddress()))
        .setKubernetes(
            KubernetesIdentity.newBuilder().setKind(EndpointKind.ENDPOINT_KIND_POD).setNode(node));
  }

  private static byte[] ipv6(String text) throws Exception {
    return java.net.InetAddress.getByName(text).getAddress();
  }
}
