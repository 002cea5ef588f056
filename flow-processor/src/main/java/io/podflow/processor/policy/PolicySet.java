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
  private final IpIndex<PodEntry> podsByIp = new IpIndex<>();
  private final List<NetworkPolicy> policies;
  private final Map<String, List<NetworkPolicy>> byNamespace = new HashMap<>();
  private final Map<List<NetworkPolicy>, Selecting> ingressShared = new HashMap<>();
  private final Map<List<NetworkPolicy>, Selecting> egressShared = new HashMap<>();

  /** Entries of pods named by flow records rather than given to the constructor. */
  private final Map<Pod, PodEntry> named = new java.util.concurrent.ConcurrentHashMap<>();

  public PolicySet(
      String revision,
      Map<String, Map<String, String>> namespaceLabels,
      List<Pod> pods,
      List<NetworkPolicy> policies) {
    this.revision = revision;
    // The API server labels every namespace with its name (since Kubernetes 1.22), which is how
    // policies select a namespace by name.
    Map<String, Map<String, String>> labelled = new HashMap<>();
    namespaceLabels.forEach(
        (name, labels) -> {
          Map<String, String> withName = new HashMap<>(labels);
          withName.put("kubernetes.io/metadata.name", name);
          labelled.put(name, Map.copyOf(withName));
        });
    this.namespaceLabels = Map.copyOf(labelled);
    List<NetworkPolicy> sorted = new ArrayList<>(policies);
    sorted.sort(Comparator.comparing(NetworkPolicy::namespace).thenComparing(NetworkPolicy::name));
    this.policies = List.copyOf(sorted);
    for (NetworkPolicy p : this.policies) {
      byNamespace.computeIfAbsent(p.namespace(), k -> new ArrayList<>()).add(p);
    }
    for (Pod pod : pods) {
      if (pod.ip() != null) {
        podsByIp.put(pod.ip(), entry(pod));
      }
    }
  }

  /**
   * A pod's entry: the policies that select it, per direction. Pods of one workload are selected by
   * the same policies: they share one prepared Selecting (and its texts), which keeps what verdicts
   * read small enough to stay in cache.
   */
  private synchronized PodEntry entry(Pod pod) {
    List<NetworkPolicy> ingress = new ArrayList<>();
    List<NetworkPolicy> egress = new ArrayList<>();
    // NetworkPolicy does not apply to pods in the node's network namespace.
    if (!pod.hostNetwork()) {
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
    }
    return new PodEntry(
        pod,
        namespaceLabels.getOrDefault(pod.namespace(), Map.of()),
        ingressShared.computeIfAbsent(ingress, k -> new Selecting(k, true)),
        egressShared.computeIfAbsent(egress, k -> new Selecting(k, false)));
  }

  /**
   * The entry of a pod this set was not built with, as a flow record names it (its address is not
   * part of it): worked out once per pod, then shared. Bounded: past {@code MAX_NAMED} pods the
   * memo starts again (pods come and go; a long-lived set must not keep every one it saw).
   */
  PodEntry entryFor(Pod pod) {
    PodEntry entry = named.get(pod);
    if (entry == null) {
      if (named.size() >= MAX_NAMED) {
        named.clear();
      }
      entry = entry(pod);
      named.put(pod, entry);
    }
    return entry;
  }

  private static final int MAX_NAMED = 500_000;

  /**
   * A pod with, per direction, the policies that select it and their prepared results, and the
   * fixed parts of the sentences that explain verdicts about it.
   */
  static final class PodEntry {
    final Pod pod;
    final Map<String, String> namespaceLabels;
    final Selecting ingress;
    final Selecting egress;
    final String ref;
    final String description;
    // Written on first use (many pods are never denied); a race only computes it twice.
    private String ingressDenied;
    private String egressDenied;

    PodEntry(Pod pod, Map<String, String> namespaceLabels, Selecting ingress, Selecting egress) {
      this.pod = pod;
      this.namespaceLabels = namespaceLabels;
      this.ingress = ingress;
      this.egress = egress;
      this.ref = pod.ref();
      this.description =
          (pod.labels().isEmpty()
                  ? "a pod with no labels"
                  : LabelSelector.of(pod.labels()).toString())
              + " in namespace "
              + pod.namespace();
    }

    String ingressDenied() {
      String text = ingressDenied;
      if (text == null) {
        text = "ingress to " + ref + " denied: " + ingress.isolation + "; source is ";
        ingressDenied = text;
      }
      return text;
    }

    String egressDenied() {
      String text = egressDenied;
      if (text == null) {
        text = "egress from " + ref + " denied: " + egress.isolation + "; destination is ";
        egressDenied = text;
      }
      return text;
    }

    Pod pod() {
      return pod;
    }

    Selecting ingress() {
      return ingress;
    }

    Selecting egress() {
      return egress;
    }

    String ref() {
      return ref;
    }

    String description() {
      return description;
    }
  }

  /**
   * The policies that select a pod for one direction, with the results a verdict can return made
   * once: "denied by these" and "allowed by policy i, rule j".
   */
  static final class Selecting {
    final List<NetworkPolicy> policies;
    final Decision.Side denied;
    final Decision.Side[][] allowed;

    /** "isolated by ns/name; its rule 0 allows ..." for denials, written once. */
    final String isolation;

    Selecting(List<NetworkPolicy> policies, boolean ingress) {
      this.policies = List.copyOf(policies);
      this.isolation = Explanations.isolation(policies, !ingress);
      List<Decision.PolicyRef> refs = new ArrayList<>();
      for (NetworkPolicy p : policies) {
        refs.add(new Decision.PolicyRef(p.namespace(), p.name()));
      }
      this.denied =
          policies.isEmpty()
              ? Decision.Side.NOT_SELECTED
              : new Decision.Side(Decision.Action.DENIED, true, null, refs);
      this.allowed = new Decision.Side[policies.size()][];
      for (int i = 0; i < policies.size(); i++) {
        NetworkPolicy p = policies.get(i);
        List<Rule> rules = ingress ? p.ingress() : p.egress();
        allowed[i] = new Decision.Side[rules.size()];
        for (int r = 0; r < rules.size(); r++) {
          allowed[i][r] =
              new Decision.Side(
                  Decision.Action.ALLOWED,
                  true,
                  new Decision.RuleRef(p.namespace(), p.name(), r),
                  refs);
        }
      }
    }
  }

  public String revision() {
    return revision;
  }

  public List<NetworkPolicy> policies() {
    return policies;
  }

  PodEntry podAt(byte[] ip) {
    return podsByIp.get(ip);
  }
}
