package io.podflow.processor.policy;

import io.podflow.processor.policy.Decision.Action;
import io.podflow.processor.policy.Decision.PolicyRef;
import io.podflow.processor.policy.Decision.RuleRef;
import io.podflow.processor.policy.Decision.Side;
import java.util.ArrayList;
import java.util.List;

/**
 * NetworkPolicy verdicts with networking.k8s.io/v1 semantics, explained.
 *
 * <p>Traffic from A to B is allowed when A's egress allows it and B's ingress allows it. A pod is
 * isolated for a direction when a policy of its namespace selects it with that policyType; an
 * isolated side allows the traffic when any rule of any selecting policy matches the peer and the
 * port. A side whose endpoint is not a pod (outside the cluster, or a hostNetwork pod, which
 * NetworkPolicy does not apply to) has nothing to say. Choices where the API leaves room, as
 * conformant plugins behave:
 *
 * <ul>
 *   <li>a pod's traffic to itself is always allowed;
 *   <li>ipBlock peers match any address in the block, pod addresses included (as Calico does); pod
 *       selectors never match a hostNetwork pod or a non-pod address;
 *   <li>named ports resolve against the destination pod's container ports, so a named port in an
 *       egress rule to a non-pod address matches nothing.
 * </ul>
 *
 * <p>Verdicts are about the connection as initiated; replies of an allowed connection are allowed.
 * Thread-safe: the policy set is immutable.
 */
public final class PolicyEngine {
  private final PolicySet set;

  public PolicyEngine(PolicySet set) {
    this.set = set;
  }

  public PolicySet policySet() {
    return set;
  }

  /** The verdict on a connection from {@code source} to {@code destination}:{@code port}. */
  public Decision decide(byte[] source, byte[] destination, int port, Protocol protocol) {
    Pod from = applicable(set.podAt(source));
    Pod to = applicable(set.podAt(destination));
    if (from != null && from == to) {
      return new Decision(
          true,
          Side.NOT_SELECTED,
          Side.NOT_SELECTED,
          "allowed: traffic of " + from.ref() + " to itself is always allowed",
          set.revision());
    }
    Endpoint src = new Endpoint(from, source);
    Endpoint dst = new Endpoint(to, destination);
    Side egress =
        from == null
            ? Side.NOT_SELECTED
            : side(set.egressPolicies(from), false, dst, port, protocol, to);
    Side ingress =
        to == null
            ? Side.NOT_SELECTED
            : side(set.ingressPolicies(to), true, src, port, protocol, to);
    boolean allowed = egress.action() != Action.DENIED && ingress.action() != Action.DENIED;
    return new Decision(
        allowed,
        egress,
        ingress,
        Explanations.of(egress, ingress, src, dst, port, protocol, set),
        set.revision());
  }

  private static Pod applicable(Pod pod) {
    return pod == null || pod.hostNetwork() ? null : pod;
  }

  /** The other end of a rule: a pod (not hostNetwork) or just an address. */
  record Endpoint(Pod pod, byte[] ip) {}

  private Side side(
      List<NetworkPolicy> selecting,
      boolean ingress,
      Endpoint peer,
      int port,
      Protocol protocol,
      Pod destination) {
    if (selecting.isEmpty()) {
      return Side.NOT_SELECTED;
    }
    for (NetworkPolicy policy : selecting) {
      List<Rule> rules = ingress ? policy.ingress() : policy.egress();
      for (int i = 0; i < rules.size(); i++) {
        if (matches(rules.get(i), policy, peer, port, protocol, destination)) {
          return new Side(
              Action.ALLOWED,
              true,
              new RuleRef(policy.namespace(), policy.name(), i),
              refs(selecting));
        }
      }
    }
    return new Side(Action.DENIED, true, null, refs(selecting));
  }

  private boolean matches(
      Rule rule,
      NetworkPolicy policy,
      Endpoint peer,
      int port,
      Protocol protocol,
      Pod destination) {
    if (!rule.ports().isEmpty()) {
      boolean portMatches = false;
      for (PortSpec spec : rule.ports()) {
        if (spec.matches(protocol, port, destination)) {
          portMatches = true;
          break;
        }
      }
      if (!portMatches) {
        return false;
      }
    }
    if (rule.peers().isEmpty()) {
      return true;
    }
    for (Peer p : rule.peers()) {
      if (peerMatches(p, policy, peer)) {
        return true;
      }
    }
    return false;
  }

  private boolean peerMatches(Peer peer, NetworkPolicy policy, Endpoint endpoint) {
    if (peer instanceof Peer.IpBlock block) {
      return block.contains(endpoint.ip());
    }
    Peer.Pods pods = (Peer.Pods) peer;
    Pod pod = endpoint.pod();
    if (pod == null) {
      return false;
    }
    if (pods.namespaceSelector() == null) {
      if (!pod.namespace().equals(policy.namespace())) {
        return false;
      }
    } else if (!pods.namespaceSelector().matches(set.labelsOfNamespace(pod.namespace()))) {
      return false;
    }
    return pods.podSelector() == null || pods.podSelector().matches(pod.labels());
  }

  private static List<PolicyRef> refs(List<NetworkPolicy> policies) {
    List<PolicyRef> refs = new ArrayList<>(policies.size());
    for (NetworkPolicy p : policies) {
      refs.add(new PolicyRef(p.namespace(), p.name()));
    }
    return refs;
  }
}
