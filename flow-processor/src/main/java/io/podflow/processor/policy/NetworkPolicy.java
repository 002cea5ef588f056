package io.podflow.processor.policy;

import java.util.List;
import java.util.Objects;

/**
 * A networking.k8s.io/v1 NetworkPolicy, validated. {@code isolatesIngress}/{@code isolatesEgress}
 * are the effective policyTypes: as written, or by default Ingress, plus Egress when the policy has
 * egress rules.
 */
public record NetworkPolicy(
    String namespace,
    String name,
    LabelSelector podSelector,
    boolean isolatesIngress,
    boolean isolatesEgress,
    List<Rule> ingress,
    List<Rule> egress) {

  public NetworkPolicy {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(podSelector, "podSelector");
    ingress = List.copyOf(ingress);
    egress = List.copyOf(egress);
  }

  public String ref() {
    return namespace + "/" + name;
  }
}
