package io.podflow.processor.policy;

import io.podflow.processor.policy.Decision.Action;
import io.podflow.processor.policy.Decision.Side;
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
 * A verdict allocates one small object; the sides it returns are prepared when the policy set is
 * built. Thread-safe: the policy set is immutable.
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
    return decide(source, destination, port, protocol, new Decision());
  }

  /**
   * The same, written into {@code into} (which is returned): no allocation. The decision reads the
   * address arrays until it is reused, for its explanation.
   */
  public Decision decide(
      byte[] source, byte[] destination, int port, Protocol protocol, Decision into) {
    return decide(
        applicable(set.podAt(source)),
        source,
        applicable(set.podAt(destination)),
        destination,
        port,
        protocol,
        into);
  }

  /**
   * The verdict on a connection whose ends are named by the caller (a flow record names its pods)
   * instead of looked up by address in the policy set.
   *
   * @param sourcePod the source's pod, its address left null; null when the source is not a pod
   * @param destinationPod the same for the destination: its named ports are the container ports the
   *     record says the destination port has
   */
  public Decision decide(
      Pod sourcePod,
      byte[] source,
      Pod destinationPod,
      byte[] destination,
      int port,
      Protocol protocol,
      Decision into) {
    return decide(
        sourcePod == null ? null : applicable(set.entryFor(sourcePod)),
        source,
        destinationPod == null ? null : applicable(set.entryFor(destinationPod)),
        destination,
        port,
        protocol,
        into);
  }

  private Decision decide(
      PolicySet.PodEntry from,
      byte[] source,
      PolicySet.PodEntry to,
      byte[] destination,
      int port,
      Protocol protocol,
      Decision into) {
    Pod fromPod = from == null ? null : from.pod();
    Pod toPod = to == null ? null : to.pod();
    if (Pod.same(fromPod, toPod)) {
      return into.set(
          true,
          Side.NOT_SELECTED,
          Side.NOT_SELECTED,
          set,
          from,
          source,
          to,
          destination,
          port,
          protocol);
    }
    Side egress =
        from == null
            ? Side.NOT_SELECTED
            : side(from.egress(), false, to, destination, port, protocol, toPod);
    Side ingress =
        to == null
            ? Side.NOT_SELECTED
            : side(to.ingress(), true, from, source, port, protocol, toPod);
    boolean allowed = egress.action() != Action.DENIED && ingress.action() != Action.DENIED;
    return into.set(allowed, egress, ingress, set, from, source, to, destination, port, protocol);
  }

  private static PolicySet.PodEntry applicable(PolicySet.PodEntry entry) {
    return entry == null || entry.pod().hostNetwork() ? null : entry;
  }

  private Side side(
      PolicySet.Selecting selecting,
      boolean ingress,
      PolicySet.PodEntry peer,
      byte[] peerIp,
      int port,
      Protocol protocol,
      Pod destination) {
    List<NetworkPolicy> policies = selecting.policies;
    for (int p = 0; p < policies.size(); p++) {
      NetworkPolicy policy = policies.get(p);
      List<Rule> rules = ingress ? policy.ingress() : policy.egress();
      for (int i = 0; i < rules.size(); i++) {
        if (matches(rules.get(i), policy, peer, peerIp, port, protocol, destination)) {
          return selecting.allowed[p][i];
        }
      }
    }
    return selecting.denied;
  }

  private boolean matches(
      Rule rule,
      NetworkPolicy policy,
      PolicySet.PodEntry peer,
      byte[] peerIp,
      int port,
      Protocol protocol,
      Pod destination) {
    List<PortSpec> ports = rule.ports();
    if (!ports.isEmpty()) {
      boolean portMatches = false;
      for (int i = 0; i < ports.size() && !portMatches; i++) {
        portMatches = ports.get(i).matches(protocol, port, destination);
      }
      if (!portMatches) {
        return false;
      }
    }
    List<Peer> peers = rule.peers();
    if (peers.isEmpty()) {
      return true;
    }
    for (int i = 0; i < peers.size(); i++) {
      if (peerMatches(peers.get(i), policy, peer, peerIp)) {
        return true;
      }
    }
    return false;
  }

  private static boolean peerMatches(
      Peer peer, NetworkPolicy policy, PolicySet.PodEntry entry, byte[] ip) {
    if (peer instanceof Peer.IpBlock block) {
      return block.contains(ip);
    }
    Peer.Pods pods = (Peer.Pods) peer;
    if (entry == null) {
      return false;
    }
    Pod pod = entry.pod;
    if (pods.namespaceSelector() == null) {
      if (!pod.namespace().equals(policy.namespace())) {
        return false;
      }
    } else if (!pods.namespaceSelector().matches(entry.namespaceLabels)) {
      return false;
    }
    return pods.podSelector() == null || pods.podSelector().matches(pod.labels());
  }
}
