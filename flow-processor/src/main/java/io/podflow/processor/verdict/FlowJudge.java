package io.podflow.processor.verdict;

import io.podflow.processor.policy.Decision;
import io.podflow.processor.policy.Pod;
import io.podflow.processor.policy.PolicyEngine;
import io.podflow.processor.policy.PolicySet;
import io.podflow.processor.policy.Protocol;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.Enforcement;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.flow.v1.Outcome;
import io.podflow.schema.flow.v1.PolicyRef;
import io.podflow.schema.flow.v1.PolicyResult;
import io.podflow.schema.flow.v1.PolicyRuleRef;
import io.podflow.schema.flow.v1.PolicySide;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.schema.flow.v1.TcpState;
import io.podflow.schema.flow.v1.Verdict;
import java.util.List;

/**
 * A flow record judged against the policies in force: both sides are worked out (egress at the
 * source pod, ingress at the destination pod), and the record's verdict is the side its reporter
 * stands for — egress for a SOURCE record, ingress for a DESTINATION record, both for a merged
 * (BOTH) or unattributed one. Denied traffic also says whether the network plugin stopped it:
 * BLOCKED when no answer was seen, ESTABLISHED when the handshake completed or replies flowed (the
 * plugin does not enforce the policy).
 */
public final class FlowJudge {
  private FlowJudge() {}

  /** The record with its {@code policy} set. */
  public static FlowRecord judge(FlowRecord record, PolicySet policies) {
    Protocol protocol = protocol(record.getProtocol());
    // Traffic to a Service is judged where the cluster translated it to: its backend pod.
    Endpoint to = record.getDestination();
    boolean translated = !to.getNatIp().isEmpty();
    int port = translated && to.hasNatPort() ? to.getNatPort() : to.hasPort() ? to.getPort() : -1;
    Decision d =
        new PolicyEngine(policies)
            .decide(
                pod(record.getSource(), null, 0),
                record.getSource().getIp().toByteArray(),
                pod(to, protocol, port),
                (translated ? to.getNatIp() : to.getIp()).toByteArray(),
                port,
                protocol,
                new Decision());
    Reporter reporter = record.getObserver().getReporter();
    Verdict verdict =
        switch (reporter) {
          case REPORTER_SOURCE -> verdict(d.egress().action());
          case REPORTER_DESTINATION -> verdict(d.ingress().action());
          default -> overall(d);
        };
    boolean violation = verdict == Verdict.VERDICT_DENIED;
    PolicyResult.Builder result =
        PolicyResult.newBuilder()
            .setVerdict(verdict)
            .setEgress(side(d.egress()))
            .setIngress(side(d.ingress()))
            .setExplanation(d.explanation())
            .setRevision(d.revision())
            .setViolation(violation);
    if (violation) {
      result.setEnforcement(
          answered(record) ? Enforcement.ENFORCEMENT_ESTABLISHED : Enforcement.ENFORCEMENT_BLOCKED);
    }
    return record.toBuilder().setPolicy(result).build();
  }

  /** Whether the traffic itself shows the connection went through. */
  static boolean answered(FlowRecord record) {
    if (record.getOutcome() == Outcome.OUTCOME_ESTABLISHED) {
      return true;
    }
    if (record.getOutcome() == Outcome.OUTCOME_ICMP_UNREACHABLE
        || record.getOutcome() == Outcome.OUTCOME_RESET) {
      return false;
    }
    if (record.getProtocol() == 6) {
      TcpState state = record.getTcp().getState();
      return state == TcpState.TCP_STATE_ESTABLISHED || state == TcpState.TCP_STATE_CLOSED_FIN;
    }
    return record.getDestinationToSource().getPackets() > 0;
  }

  private static Verdict overall(Decision d) {
    if (!d.allowed()) {
      return Verdict.VERDICT_DENIED;
    }
    boolean selected =
        d.egress().action() != Decision.Action.NOT_SELECTED
            || d.ingress().action() != Decision.Action.NOT_SELECTED;
    return selected ? Verdict.VERDICT_ALLOWED : Verdict.VERDICT_NOT_SELECTED;
  }

  private static Verdict verdict(Decision.Action action) {
    return switch (action) {
      case ALLOWED -> Verdict.VERDICT_ALLOWED;
      case DENIED -> Verdict.VERDICT_DENIED;
      case NOT_SELECTED -> Verdict.VERDICT_NOT_SELECTED;
    };
  }

  private static PolicySide side(Decision.Side side) {
    PolicySide.Builder b =
        PolicySide.newBuilder().setAction(verdict(side.action())).setIsolated(side.isolated());
    if (side.allowedBy() != null) {
      b.setAllowedBy(
          PolicyRuleRef.newBuilder()
              .setNamespace(side.allowedBy().namespace())
              .setName(side.allowedBy().name())
              .setRuleIndex(side.allowedBy().rule()));
    }
    for (Decision.PolicyRef ref : side.isolatedBy()) {
      b.addIsolatedBy(PolicyRef.newBuilder().setNamespace(ref.namespace()).setName(ref.name()));
    }
    return b.build();
  }

  /**
   * The pod an end names, or null when it is not a pod (NetworkPolicy has nothing to say about it).
   * The destination's named port, when the record has one, is its only container port the engine
   * needs: a rule naming a port matches when that name stands for the record's port.
   */
  private static Pod pod(Endpoint end, Protocol protocol, int port) {
    KubernetesIdentity k = end.getKubernetes();
    if (k.getKind() != EndpointKind.ENDPOINT_KIND_POD) {
      return null;
    }
    List<Pod.ContainerPort> ports =
        protocol != null && port >= 0 && !end.getPortName().isEmpty()
            ? List.of(new Pod.ContainerPort(end.getPortName(), port, protocol))
            : List.of();
    return new Pod(k.getNamespace(), k.getPodName(), k.getLabelsMap(), null, false, ports);
  }

  /** TCP, UDP, SCTP; null for others (ICMP matches only rules without ports). */
  private static Protocol protocol(int number) {
    return switch (number) {
      case 6 -> Protocol.TCP;
      case 17 -> Protocol.UDP;
      case 132 -> Protocol.SCTP;
      default -> null;
    };
  }
}
