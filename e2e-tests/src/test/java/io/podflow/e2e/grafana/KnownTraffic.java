package io.podflow.e2e.grafana;

import com.google.protobuf.ByteString;
import io.podflow.processor.sink.opensearch.Document;
import io.podflow.processor.sink.opensearch.FlowDocuments;
import io.podflow.processor.sink.opensearch.ViolationDocuments;
import io.podflow.processor.verdict.Violation;
import io.podflow.schema.flow.v1.AgentLoss;
import io.podflow.schema.flow.v1.DirectionCounters;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.Enforcement;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.flow.v1.ObservationPoint;
import io.podflow.schema.flow.v1.Outcome;
import io.podflow.schema.flow.v1.PolicyRef;
import io.podflow.schema.flow.v1.PolicyResult;
import io.podflow.schema.flow.v1.PolicySide;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.schema.flow.v1.Verdict;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Judged flow records of one cluster, all ended within the last five minutes, as the flow processor
 * would index them: flow documents, and violations summed per key and minute. Tests compute what
 * each panel should show from {@link #records} and {@link #violations}.
 */
record KnownTraffic(String cluster, List<FlowRecord> records, List<Violation> violations) {
  record Pod(String namespace, String workloadKind, String workload, String name, String ip) {}

  private static final Pod FRONTEND =
      new Pod("shop", "Deployment", "frontend", "frontend-7d4f9-q2x8z", "10.1.0.5");
  private static final Pod CART_A =
      new Pod("shop", "Deployment", "cart", "cart-5c6b7-h4k2p", "10.1.0.6");
  private static final Pod CART_B =
      new Pod("shop", "Deployment", "cart", "cart-5c6b7-m9t3w", "10.1.0.16");
  private static final Pod DB = new Pod("shop", "StatefulSet", "db", "db-0", "10.1.0.9");
  private static final Pod GATEWAY =
      new Pod("web", "Deployment", "gateway", "gateway-6f8b9-r7v2n", "10.2.0.4");
  private static final Pod PROMETHEUS =
      new Pod("monitoring", "StatefulSet", "prometheus", "prometheus-0", "10.3.0.2");

  private static final PolicyResult ALLOWED = verdict(Verdict.VERDICT_ALLOWED).build();
  private static final PolicyResult NOT_SELECTED = verdict(Verdict.VERDICT_NOT_SELECTED).build();

  /** Denied on ingress, and it went through: an enforcement gap. */
  private static final PolicyResult GAP = deniedIngress(Enforcement.ENFORCEMENT_ESTABLISHED);

  private static final PolicyResult BLOCKED = deniedIngress(Enforcement.ENFORCEMENT_BLOCKED);

  /** Denied on egress (to the world, here). */
  private static final PolicyResult EGRESS_DENIED = deniedEgress();

  private static final long SECOND = 1_000_000_000L;

  static KnownTraffic endingBefore(Instant now, String cluster) {
    Records r = new Records(cluster, now.getEpochSecond() * SECOND + now.getNano());
    List<FlowRecord.Builder> records =
        List.of(
            r.flow(235, pod(GATEWAY, 41000), pod(FRONTEND, 8080), 30_000, ALLOWED),
            r.flow(175, pod(FRONTEND, 41001), service("cart", CART_A), 12_000, ALLOWED),
            r.flow(115, pod(FRONTEND, 41002), service("cart", CART_B), 8_000, ALLOWED),
            r.flow(55, pod(FRONTEND, 41003), service("cart", CART_B), 600, ALLOWED)
                .setOutcome(Outcome.OUTCOME_RESET),
            r.flow(115, pod(FRONTEND, 41004), external("93.184.216.34", 443), 50_000, NOT_SELECTED),
            r.flow(175, pod(CART_A, 41005), pod(DB, 5432), 20_000, ALLOWED),
            r.flow(115, pod(FRONTEND, 41006), pod(DB, 5432), 3_000, GAP),
            r.flow(55, pod(FRONTEND, 41007), pod(DB, 5432), 1_000, GAP),
            r.flow(175, pod(PROMETHEUS, 41008), pod(DB, 9187), 300, BLOCKED)
                .setOutcome(Outcome.OUTCOME_NO_RESPONSE),
            // Scraped while the agent's capture lost packets: the record carries the loss.
            r.flow(235, pod(PROMETHEUS, 41009), pod(FRONTEND, 9090), 2_000, ALLOWED)
                .setLoss(
                    AgentLoss.newBuilder()
                        .setKernelDrops(7)
                        .setDecoderDrops(2)
                        .setFlowsEvicted(1)
                        .setSpoolDrops(3)),
            // Denied on egress to the world: a destination without namespace or workload.
            r.flow(55, pod(GATEWAY, 41010), external("198.51.100.7", 25), 120, EGRESS_DENIED));
    List<FlowRecord> built = records.stream().map(FlowRecord.Builder::build).toList();
    return new KnownTraffic(cluster, built, perMinute(built));
  }

  /** The documents the flow processor writes for these records and violations. */
  List<Document> documents() {
    FlowDocuments flows = new FlowDocuments();
    ViolationDocuments minutes = new ViolationDocuments();
    List<Document> documents = new ArrayList<>();
    records.forEach(r -> documents.add(flows.of(r)));
    violations.forEach(v -> documents.add(minutes.of(v)));
    return documents;
  }

  static long bytes(FlowRecord r) {
    return r.getSourceToDestination().getBytes() + r.getDestinationToSource().getBytes();
  }

  /** The processor's aggregation: one violation per denying side, summed per key and minute. */
  private static List<Violation> perMinute(List<FlowRecord> records) {
    Map<String, Violation> minutes = new LinkedHashMap<>();
    for (FlowRecord r : records) {
      for (Violation v : Violation.of(r)) {
        v.minuteMillis = Math.floorDiv(v.lastNanos / 1_000_000, 60_000) * 60_000;
        minutes.merge(v.key() + "@" + v.minuteMillis, v, Violation::add);
      }
    }
    return List.copyOf(minutes.values());
  }

  private static Endpoint.Builder pod(Pod pod, int port) {
    return Endpoint.newBuilder().setIp(ip(pod.ip())).setPort(port).setKubernetes(identity(pod));
  }

  /** A connection to a Service's cluster IP, joined with its backend's record by the processor. */
  private static Endpoint.Builder service(String name, Pod backend) {
    return Endpoint.newBuilder()
        .setIp(ip("10.96.0.20"))
        .setPort(80)
        .setNatIp(ip(backend.ip()))
        .setNatPort(8080)
        .setKubernetes(identity(backend).setServiceName(name).setServicePortName("http"));
  }

  private static Endpoint.Builder external(String address, int port) {
    return Endpoint.newBuilder()
        .setIp(ip(address))
        .setPort(port)
        .setKubernetes(
            KubernetesIdentity.newBuilder().setKind(EndpointKind.ENDPOINT_KIND_EXTERNAL));
  }

  private static KubernetesIdentity.Builder identity(Pod pod) {
    return KubernetesIdentity.newBuilder()
        .setKind(EndpointKind.ENDPOINT_KIND_POD)
        .setNamespace(pod.namespace())
        .setPodName(pod.name())
        .setWorkloadKind(pod.workloadKind())
        .setWorkloadName(pod.workload())
        .putLabels("app", pod.workload());
  }

  private static PolicyResult deniedIngress(Enforcement enforcement) {
    return denied(enforcement)
        .setIngress(deniedBy("shop", "db-allow-cart"))
        .setExplanation("ingress to shop/db denied: isolated by shop/db-allow-cart")
        .build();
  }

  private static PolicyResult deniedEgress() {
    return denied(Enforcement.ENFORCEMENT_BLOCKED)
        .setEgress(deniedBy("web", "gateway-egress"))
        .setExplanation("egress from web/gateway denied: isolated by web/gateway-egress")
        .build();
  }

  private static PolicyResult.Builder denied(Enforcement enforcement) {
    return verdict(Verdict.VERDICT_DENIED).setViolation(true).setEnforcement(enforcement);
  }

  private static PolicyResult.Builder verdict(Verdict verdict) {
    return PolicyResult.newBuilder().setVerdict(verdict).setRevision("r1");
  }

  private static PolicySide deniedBy(String namespace, String policy) {
    return PolicySide.newBuilder()
        .setAction(Verdict.VERDICT_DENIED)
        .setIsolated(true)
        .addIsolatedBy(PolicyRef.newBuilder().setNamespace(namespace).setName(policy))
        .build();
  }

  private static ByteString ip(String address) {
    try {
      return ByteString.copyFrom(InetAddress.getByName(address).getAddress());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(address, e);
    }
  }

  /** Records of one cluster, merged from both reporters, ending some seconds before {@code end}. */
  private record Records(String cluster, long end) {
    FlowRecord.Builder flow(
        int secondsAgo,
        Endpoint.Builder source,
        Endpoint.Builder destination,
        long bytes,
        PolicyResult policy) {
      long last = end - secondsAgo * SECOND;
      return FlowRecord.newBuilder()
          .setSchemaVersion(1)
          .setCluster(cluster)
          .setObserver(
              ObservationPoint.newBuilder()
                  .setNode("node-a")
                  .setInterface("veth1")
                  .setAgent("podflow-agent-a")
                  .setReporter(Reporter.REPORTER_BOTH))
          .setTimeStartNs(last - 2 * SECOND)
          .setTimeEndNs(last)
          .setFlowStartNs(last - 2 * SECOND)
          .setProtocol(6)
          .setIpVersion(4)
          .setSource(source)
          .setDestination(destination)
          // Three quarters of the bytes from the source: the sum is what dashboards add up.
          .setSourceToDestination(
              DirectionCounters.newBuilder()
                  .setPackets(bytes / 400 + 1)
                  .setBytes(bytes - bytes / 4))
          .setDestinationToSource(
              DirectionCounters.newBuilder().setPackets(bytes / 1200 + 1).setBytes(bytes / 4))
          .setOutcome(Outcome.OUTCOME_ESTABLISHED)
          .setPolicy(policy);
    }
  }
}
