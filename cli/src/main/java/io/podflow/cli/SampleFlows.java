package io.podflow.cli;

import com.google.protobuf.ByteString;
import io.podflow.schema.flow.v1.CaptureDirection;
import io.podflow.schema.flow.v1.DirectionCounters;
import io.podflow.schema.flow.v1.EndReason;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.EnrichmentStatus;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Icmp;
import io.podflow.schema.flow.v1.InitiatorRule;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.flow.v1.ObservationPoint;
import io.podflow.schema.flow.v1.Outcome;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.schema.flow.v1.Tcp;
import io.podflow.schema.flow.v1.TcpState;
import java.time.Instant;
import java.util.List;

/**
 * Flow records as an agent would publish them for a small shop application, for the demo until the
 * agent captures the demo's own traffic. They are labelled as samples (cluster {@code demo-sample})
 * so nobody mistakes them for observed traffic.
 */
final class SampleFlows {
  static final String CLUSTER = "demo-sample";

  private SampleFlows() {}

  static List<FlowRecord> endingAt(Instant end) {
    long endNs = end.getEpochSecond() * 1_000_000_000L + end.getNano();
    Pod web = new Pod("frontend", "web", "web-6f7c9d", "Deployment", "web", "10.244.1.11");
    Pod api = new Pod("shop", "api", "api-5d8b7c", "Deployment", "api", "10.244.1.12");
    Pod db = new Pod("shop", "db", "db-0", "StatefulSet", "db", "10.244.2.13");
    Pod dns =
        new Pod("kube-system", "kube-dns", "coredns-7c4d", "Deployment", "coredns", "10.244.2.2");
    return List.of(
        tcp(web, 41000, api, 8080, endNs, 14, 1_820, 12, 9_640),
        tcp(api, 52344, db, 5432, endNs, 22, 3_050, 20, 18_200),
        tcp(web, 41002, db, 5432, endNs, 3, 180, 0, 0),
        udp(web, 53111, dns, 53, endNs),
        ping(api, db, endNs));
  }

  private record Pod(
      String namespace, String app, String name, String workloadKind, String workload, String ip) {
    Endpoint.Builder endpoint() {
      return Endpoint.newBuilder()
          .setIp(ByteString.copyFrom(ipv4(ip)))
          .setKubernetes(
              KubernetesIdentity.newBuilder()
                  .setKind(EndpointKind.ENDPOINT_KIND_POD)
                  .setNamespace(namespace)
                  .setPodName(name)
                  .putLabels("app", app)
                  .setWorkloadKind(workloadKind)
                  .setWorkloadName(workload)
                  .setServiceAccount("default")
                  .setNode(ip.startsWith("10.244.1.") ? "node-1" : "node-2"));
    }
  }

  private static FlowRecord.Builder base(Pod source, Pod destination, long endNs, int protocol) {
    return FlowRecord.newBuilder()
        .setSchemaVersion(1)
        .setCluster(CLUSTER)
        .setObserver(
            ObservationPoint.newBuilder()
                .setNode(source.ip.startsWith("10.244.1.") ? "node-1" : "node-2")
                .setInterface("any")
                .setCaptureDirection(CaptureDirection.CAPTURE_DIRECTION_BOTH)
                .setReporter(Reporter.REPORTER_SOURCE)
                .setAgent("podflow-agent-sample"))
        .setTimeStartNs(endNs - 4_000_000_000L)
        .setTimeEndNs(endNs)
        .setFlowStartNs(endNs - 4_000_000_000L)
        .setEndReason(EndReason.END_REASON_IDLE_TIMEOUT)
        .setProtocol(protocol)
        .setIpVersion(4)
        .setSamplingRate(1)
        .setEnrichment(EnrichmentStatus.ENRICHMENT_STATUS_COMPLETE);
  }

  private static FlowRecord tcp(
      Pod source,
      int sourcePort,
      Pod destination,
      int port,
      long endNs,
      long packetsOut,
      long bytesOut,
      long packetsBack,
      long bytesBack) {
    boolean answered = packetsBack > 0;
    return base(source, destination, endNs, 6)
        .setInitiatorRule(InitiatorRule.INITIATOR_RULE_HANDSHAKE)
        .setSource(source.endpoint().setPort(sourcePort))
        .setDestination(destination.endpoint().setPort(port))
        .setSourceToDestination(
            DirectionCounters.newBuilder()
                .setPackets(packetsOut)
                .setBytes(bytesOut)
                .setTcpFlags(answered ? 0x1b : 0x02))
        .setDestinationToSource(
            DirectionCounters.newBuilder()
                .setPackets(packetsBack)
                .setBytes(bytesBack)
                .setTcpFlags(answered ? 0x1b : 0))
        .setTcp(
            Tcp.newBuilder()
                .setState(answered ? TcpState.TCP_STATE_CLOSED_FIN : TcpState.TCP_STATE_OPENING))
        .setOutcome(answered ? Outcome.OUTCOME_ESTABLISHED : Outcome.OUTCOME_NO_RESPONSE)
        .build();
  }

  private static FlowRecord udp(Pod source, int sourcePort, Pod destination, int port, long endNs) {
    return base(source, destination, endNs, 17)
        .setInitiatorRule(InitiatorRule.INITIATOR_RULE_FIRST_PACKET)
        .setSource(source.endpoint().setPort(sourcePort))
        .setDestination(destination.endpoint().setPort(port))
        .setSourceToDestination(DirectionCounters.newBuilder().setPackets(2).setBytes(148))
        .setDestinationToSource(DirectionCounters.newBuilder().setPackets(2).setBytes(260))
        .setOutcome(Outcome.OUTCOME_ESTABLISHED)
        .build();
  }

  private static FlowRecord ping(Pod source, Pod destination, long endNs) {
    return base(source, destination, endNs, 1)
        .setInitiatorRule(InitiatorRule.INITIATOR_RULE_FIRST_PACKET)
        .setIcmp(Icmp.newBuilder().setType(8).setCode(0).setEchoId(31))
        .setSource(source.endpoint())
        .setDestination(destination.endpoint())
        .setSourceToDestination(DirectionCounters.newBuilder().setPackets(3).setBytes(252))
        .setDestinationToSource(DirectionCounters.newBuilder().setPackets(3).setBytes(252))
        .setOutcome(Outcome.OUTCOME_ESTABLISHED)
        .build();
  }

  private static byte[] ipv4(String dotted) {
    String[] parts = dotted.split("\\.");
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      bytes[i] = (byte) Integer.parseInt(parts[i]);
    }
    return bytes;
  }
}
