package io.podflow.processor.verdict;

import io.podflow.schema.flow.v1.Enforcement;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.flow.v1.PolicySide;
import io.podflow.schema.flow.v1.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * Denied traffic of one kind — cluster, source workload, destination workload, port, the side that
 * denied it and the policy that isolates that side — counted over a minute. A Flink POJO (public
 * fields), built from judged records by {@link #of} and summed by {@link #add}.
 */
public final class Violation {
  public String cluster;
  public String direction;
  public String policyNamespace;
  public String policyName;
  public String sourceNamespace;
  public String sourceWorkloadKind;
  public String sourceWorkloadName;
  public String destinationNamespace;
  public String destinationWorkloadKind;
  public String destinationWorkloadName;
  public int port;
  public int protocol;
  public boolean established;
  public String explanation;
  public String revision;
  public long flows;
  public long packets;
  public long bytes;
  public long firstNanos;
  public long lastNanos;

  /** Start of the minute, set by the aggregation. */
  public long minuteMillis;

  public Violation() {}

  /** One violation per side of the record that denied it (none when it was not denied). */
  public static List<Violation> of(FlowRecord judged) {
    List<Violation> out = new ArrayList<>(1);
    if (!judged.getPolicy().getViolation()) {
      return out;
    }
    side(judged, "egress", judged.getPolicy().getEgress(), out);
    side(judged, "ingress", judged.getPolicy().getIngress(), out);
    return out;
  }

  private static void side(FlowRecord r, String direction, PolicySide side, List<Violation> out) {
    if (side.getAction() != Verdict.VERDICT_DENIED) {
      return;
    }
    Violation v = new Violation();
    v.cluster = r.getCluster();
    v.direction = direction;
    v.policyNamespace = side.getIsolatedByCount() > 0 ? side.getIsolatedBy(0).getNamespace() : "";
    v.policyName = side.getIsolatedByCount() > 0 ? side.getIsolatedBy(0).getName() : "";
    KubernetesIdentity source = r.getSource().getKubernetes();
    KubernetesIdentity destination = r.getDestination().getKubernetes();
    v.sourceNamespace = source.getNamespace();
    v.sourceWorkloadKind = source.getWorkloadKind();
    v.sourceWorkloadName = workload(source);
    v.destinationNamespace = destination.getNamespace();
    v.destinationWorkloadKind = destination.getWorkloadKind();
    v.destinationWorkloadName = workload(destination);
    v.port = r.getDestination().hasPort() ? r.getDestination().getPort() : 0;
    v.protocol = r.getProtocol();
    v.established = r.getPolicy().getEnforcement() == Enforcement.ENFORCEMENT_ESTABLISHED;
    v.explanation = r.getPolicy().getExplanation();
    v.revision = r.getPolicy().getRevision();
    v.flows = 1;
    v.packets = r.getSourceToDestination().getPackets() + r.getDestinationToSource().getPackets();
    v.bytes = r.getSourceToDestination().getBytes() + r.getDestinationToSource().getBytes();
    v.firstNanos = r.getTimeStartNs();
    v.lastNanos = r.getTimeEndNs();
    out.add(v);
  }

  /** A workload's name, or the pod's when it has none, so that bare pods are told apart. */
  private static String workload(KubernetesIdentity k) {
    return k.getWorkloadName().isEmpty() ? k.getPodName() : k.getWorkloadName();
  }

  /** What this violation is counted by (everything but the counts, times and texts). */
  public String key() {
    return String.join(
        "\u0000",
        cluster,
        direction,
        policyNamespace,
        policyName,
        sourceNamespace,
        sourceWorkloadKind,
        sourceWorkloadName,
        destinationNamespace,
        destinationWorkloadKind,
        destinationWorkloadName,
        Integer.toString(port),
        Integer.toString(protocol));
  }

  /** The alert this violation raises: the same for the minutes it lasts, whatever the port. */
  public String alertKey() {
    return String.join(
        "\u0000",
        cluster,
        policyNamespace,
        policyName,
        sourceNamespace,
        sourceWorkloadName,
        destinationNamespace,
        destinationWorkloadName,
        established ? "critical" : "warning");
  }

  /** The sum of two counts of the same key (this one, changed). */
  public Violation add(Violation o) {
    flows += o.flows;
    packets += o.packets;
    bytes += o.bytes;
    established |= o.established;
    if (o.lastNanos >= lastNanos) {
      explanation = o.explanation;
      revision = o.revision;
    }
    firstNanos = Math.min(firstNanos, o.firstNanos);
    lastNanos = Math.max(lastNanos, o.lastNanos);
    return this;
  }
}
