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
    Reporters reporters = new Reporters(routes(), "node-1");
    // 10.1.0.5 is routed to cali5 (its own veth), 10.1.0.6 to cali6.
    FlowRecord.Builder onSource = record("cali5", "10.1.0.5", "node-1", "10.1.0.6", "node-1");
    FlowRecord.Builder onDestination = record("cali6", "10.1.0.5", "node-1", "10.1.0.6", "node-1");
    assertThat(reporters.assign(onSource)).isEqualTo(Reporter.REPORTER_SOURCE);
    assertThat(reporters.assign(onDestination)).isEqualTo(Reporter.REPORTER_DESTINATION);
    assertThat(onSource.getObserver().getReporter()).isEqualTo(Reporter.REPORTER_SOURCE);
  }

  @Test
  void withoutItsPodKnownAnInterfaceReportsForTheOneLocalPod() throws Exception {
    Reporters reporters = new Reporters(routes(), "node-1");
    // Captured on a bridge: the source is a pod of this node, the destination of another node.
    assertThat(reporters.assign(record("cni0", "10.1.0.9", "node-1", "10.2.0.4", "node-2")))
        .isEqualTo(Reporter.REPORTER_SOURCE);
    assertThat(reporters.assign(record("cni0", "10.2.0.4", "node-2", "10.1.0.9", "node-1")))
        .isEqualTo(Reporter.REPORTER_DESTINATION);
    // Both ends local, seen on a bridge: which pod's record this is cannot be told.
    assertThat(reporters.assign(record("cni0", "10.1.0.9", "node-1", "10.1.0.8", "node-1")))
        .isEqualTo(Reporter.REPORTER_UNSPECIFIED);
  }

  @Test
  void routesToSeveralPodsOrToNetworksNameNoPod() throws Exception {
    PodRoutes routes = routes();
    assertThat(routes.leadsTo("cali5", IpKey.of(new byte[] {10, 1, 0, 5}))).isTrue();
    assertThat(routes.knows("eth0")).isFalse(); // a default route and a /24
    assertThat(routes.knows("tunl0")).isFalse(); // two host routes: not one pod's
    assertThat(routes.leadsTo("lxc6", IpKey.of(ipv6("fd00::6")))).isTrue();
    // A dual-stack pod: one route of each family to its veth.
    assertThat(routes.leadsTo("cali5", IpKey.of(ipv6("fd00::5")))).isTrue();
  }

  private PodRoutes routes() throws Exception {
    Path v4 = dir.resolve("route");
    Path v6 = dir.resolve("ipv6_route");
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
    return new PodRoutes(v4, v6).refresh();
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
