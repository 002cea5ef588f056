package io.podflow.schema;

import com.google.protobuf.ByteString;
import io.podflow.schema.flow.v1.AgentLoss;
import io.podflow.schema.flow.v1.CaptureDirection;
import io.podflow.schema.flow.v1.DirectionCounters;
import io.podflow.schema.flow.v1.EndReason;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.Enforcement;
import io.podflow.schema.flow.v1.EnrichmentStatus;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.InitiatorRule;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.flow.v1.ObservationPoint;
import io.podflow.schema.flow.v1.Outcome;
import io.podflow.schema.flow.v1.PendingResult;
import io.podflow.schema.flow.v1.PolicyRef;
import io.podflow.schema.flow.v1.PolicyResult;
import io.podflow.schema.flow.v1.PolicyRuleRef;
import io.podflow.schema.flow.v1.PolicySide;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.schema.flow.v1.Tcp;
import io.podflow.schema.flow.v1.TcpState;
import io.podflow.schema.flow.v1.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A flow record with every field set: a denied web-to-db connection that went through. The encoded
 * bytes are committed as {@code golden/flow-record-v1.binpb}; {@link #main} rewrites them and must
 * only be run for a deliberate, compatible schema addition.
 */
public final class GoldenRecord {
  private GoldenRecord() {}

  public static FlowRecord full() {
    return FlowRecord.newBuilder()
        .setSchemaVersion(1)
        .setCluster("prod-eu1")
        .setObserver(
            ObservationPoint.newBuilder()
                .setNode("node-a")
                .setInterface("veth3f1a")
                .setCaptureDirection(CaptureDirection.CAPTURE_DIRECTION_BOTH)
                .setReporter(Reporter.REPORTER_DESTINATION)
                .setAgent("podflow-agent-x7k2p"))
        .setTimeStartNs(1_764_140_977_123_456_789L)
        .setTimeEndNs(1_764_140_979_623_456_789L)
        .setEndReason(EndReason.END_REASON_FIN)
        .setIntervalIndex(2)
        .setFlowStartNs(1_764_140_957_000_000_001L)
        .setProtocol(6)
        .setIpVersion(4)
        .setInitiatorRule(InitiatorRule.INITIATOR_RULE_HANDSHAKE)
        .setSource(
            Endpoint.newBuilder()
                .setIp(ByteString.copyFrom(new byte[] {10, 1, 0, 5}))
                .setPort(43512)
                .setKubernetes(
                    KubernetesIdentity.newBuilder()
                        .setKind(EndpointKind.ENDPOINT_KIND_POD)
                        .setPodName("web-7d9f8b6c5-x2x4z")
                        .setNamespace("web")
                        .putLabels("app", "web")
                        .putLabels("app.kubernetes.io/part-of", "shop")
                        .setWorkloadKind("Deployment")
                        .setWorkloadName("web")
                        .setServiceAccount("web")
                        .setNode("node-b")))
        .setDestination(
            Endpoint.newBuilder()
                .setIp(ByteString.copyFrom(new byte[] {10, 1, 0, 9}))
                .setPort(5432)
                .setPortName("postgres")
                .setKubernetes(
                    KubernetesIdentity.newBuilder()
                        .setKind(EndpointKind.ENDPOINT_KIND_POD)
                        .setPodName("db-0")
                        .setNamespace("shop")
                        .putLabels("app", "db")
                        .setWorkloadKind("StatefulSet")
                        .setWorkloadName("db")
                        .setServiceAccount("db")
                        .setNode("node-a")
                        .setServiceName("db")
                        .setServicePortName("postgres")))
        .setSourceToDestination(
            DirectionCounters.newBuilder().setPackets(12).setBytes(1480).setTcpFlags(0x1b))
        .setDestinationToSource(
            DirectionCounters.newBuilder().setPackets(10).setBytes(5230).setTcpFlags(0x13))
        .setTcp(Tcp.newBuilder().setState(TcpState.TCP_STATE_CLOSED_FIN).setHandshakeRttNs(182_000))
        .setOutcome(Outcome.OUTCOME_ESTABLISHED)
        .setLoss(
            AgentLoss.newBuilder()
                .setKernelDrops(3)
                .setDecoderDrops(1)
                .setFlowsEvicted(0)
                .setSpoolDrops(0))
        .setSamplingRate(1)
        .setEnrichment(EnrichmentStatus.ENRICHMENT_STATUS_COMPLETE)
        .setPolicy(
            PolicyResult.newBuilder()
                .setVerdict(Verdict.VERDICT_DENIED)
                .setEgress(PolicySide.newBuilder().setAction(Verdict.VERDICT_NOT_SELECTED))
                .setIngress(
                    PolicySide.newBuilder()
                        .setAction(Verdict.VERDICT_DENIED)
                        .setIsolated(true)
                        .addIsolatedBy(
                            PolicyRef.newBuilder().setNamespace("shop").setName("db-allow-api")))
                .setExplanation(
                    "ingress to shop/db denied: isolated by shop/db-allow-api; its rule 0 allows"
                        + " pods app=api in namespaces team=shop, source is app=web in namespace"
                        + " web")
                .setRevision("shop@1842")
                .setViolation(true)
                .setEnforcement(Enforcement.ENFORCEMENT_ESTABLISHED)
                .addPending(
                    PendingResult.newBuilder()
                        .setPolicySet("staged")
                        .setVerdict(Verdict.VERDICT_ALLOWED)
                        .setIngress(
                            PolicySide.newBuilder()
                                .setAction(Verdict.VERDICT_ALLOWED)
                                .setIsolated(true)
                                .setAllowedBy(
                                    PolicyRuleRef.newBuilder()
                                        .setNamespace("shop")
                                        .setName("db-allow-web")
                                        .setRuleIndex(0)))
                        .setExplanation("ingress to shop/db allowed by shop/db-allow-web rule 0")))
        .build();
  }

  /** Rewrites the golden bytes; see the class comment. */
  public static void main(String[] args) throws IOException {
    Path out =
        Path.of(args.length > 0 ? args[0] : "src/test/resources/golden/flow-record-v1.binpb");
    Files.write(out, full().toByteArray());
  }
}
