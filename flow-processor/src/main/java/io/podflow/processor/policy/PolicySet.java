package io.podflow.processor.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of what verdicts depend on: namespaces and their labels, pods by IP, and
 * NetworkPolicies, with each pod's selecting policies worked out once, so a verdict looks only at
 * the policies that select its two pods. Policies are kept in namespace/name order, which makes
 * verdicts independent of the order they were given in.
 */
public final class PolicySet {
  private final String revision;
  private final Map<String, Map<String, String>> namespaceLabels;
  private final IpIndex<Pod> podsByIp = new IpIndex<>();
  private final Map<Pod, List<NetworkPolicy>> ingressOf = new HashMap<>();
  private final Map<Pod, List<NetworkPolicy>> egressOf = new HashMap<>();
  private final List<NetworkPolicy> policies;

  public PolicySet(
      String revision,
      Map<String, Map<String, String>> namespaceLabels,
      List<Pod> pods,
      List<NetworkPolicy> policies) {
    this.revision = revision;
    this.namespaceLabels = Map.copyOf(namespaceLabels);
    List<NetworkPolicy> sorted = new ArrayList<>(policies);
    sorted.sort(Comparator.comparing(NetworkPolicy::namespace).thenComparing(NetworkPolicy::name));
    this.policies = List.copyOf(sorted);
    Map<String, List<NetworkPolicy>> byNamespace = new HashMap<>();
    for (NetworkPolicy p : this.policies) {
      byNamespace.computeIfAbsent(p.namespace(), k -> new ArrayList<>()).add(p);
    }
    for (Pod pod : pods) {
      if (pod.ip() != null) {
        podsByIp.put(pod.ip(), pod);
      }
      if (pod.hostNetwork()) {
        continue; // NetworkPolicy does not apply to pods in the node's network namespace
      }
      List<NetworkPolicy> ingress = new ArrayList<>();
      List<NetworkPolicy> egress = new ArrayList<>();
      for (NetworkPolicy p : byNamespace.getOrDefault(pod.namespace(), List.of())) {
        if (p.podSelector().matches(pod.labels())) {
          if (p.isolatesIngress()) {
            ingress.add(p);
          }
          if (p.isolatesEgress()) {
            egress.add(p);
          }
        }
      }
      ingressOf.put(pod, List.copyOf(ingress));
      egressOf.put(pod, List.copyOf(egress));
    }
  }

  public String revision() {
    return revision;
  }

  public List<NetworkPolicy> policies() {
    return policies;
  }

  Pod podAt(byte[] ip) {
    return podsByIp.get(ip);
  }

  Map<String, String> labelsOfNamespace(String namespace) {
    return namespaceLabels.getOrDefault(namespace, Map.of());
  }

  List<NetworkPolicy> ingressPolicies(Pod pod) {
    return ingressOf.getOrDefault(pod, List.of());
  }

  List<NetworkPolicy> egressPolicies(Pod pod) {
    return egressOf.getOrDefault(pod, List.of());
  }
}
