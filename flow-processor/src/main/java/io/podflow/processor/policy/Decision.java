package io.podflow.processor.policy;

import java.util.List;

/**
 * The verdict on one connection (source to destination port), with what decided it on each side:
 * egress at the source pod, ingress at the destination pod, and the policy-set revision it was
 * computed with. The one-line explanation is written when first asked for, so a verdict nobody
 * reads costs no text.
 */
public final class Decision {
  private boolean allowed;
  private Side egress;
  private Side ingress;
  private PolicySet set;
  private PolicySet.PodEntry sourcePod;
  private byte[] source;
  private PolicySet.PodEntry destinationPod;
  private byte[] destination;
  private int port;
  private Protocol protocol;
  private String explanation;

  /**
   * An empty decision, for {@link PolicyEngine#decide(byte[], byte[], int, Protocol, Decision)}.
   */
  public Decision() {}

  Decision set(
      boolean allowed,
      Side egress,
      Side ingress,
      PolicySet set,
      PolicySet.PodEntry sourcePod,
      byte[] source,
      PolicySet.PodEntry destinationPod,
      byte[] destination,
      int port,
      Protocol protocol) {
    this.allowed = allowed;
    this.egress = egress;
    this.ingress = ingress;
    this.set = set;
    this.sourcePod = sourcePod;
    this.source = source;
    this.destinationPod = destinationPod;
    this.destination = destination;
    this.port = port;
    this.protocol = protocol;
    this.explanation = null;
    return this;
  }

  public boolean allowed() {
    return allowed;
  }

  /** Egress at the source pod. */
  public Side egress() {
    return egress;
  }

  /** Ingress at the destination pod. */
  public Side ingress() {
    return ingress;
  }

  public String revision() {
    return set.revision();
  }

  /** One line a person can act on. */
  public String explanation() {
    if (explanation == null) {
      explanation =
          sourcePod != null
                  && destinationPod != null
                  && Pod.same(sourcePod.pod(), destinationPod.pod())
              ? "allowed: traffic of " + sourcePod.pod().ref() + " to itself is always allowed"
              : Explanations.of(
                  egress, ingress, sourcePod, source, destinationPod, destination, port, protocol);
    }
    return explanation;
  }

  @Override
  public String toString() {
    return (allowed ? "ALLOWED" : "DENIED") + " (" + explanation() + ")";
  }

  /** What a side's policies did. */
  public enum Action {
    ALLOWED,
    DENIED,
    /** No policy selects the pod for this direction: allowed, not isolated. */
    NOT_SELECTED
  }

  /** A policy, by namespace and name. */
  public record PolicyRef(String namespace, String name) {
    @Override
    public String toString() {
      return namespace + "/" + name;
    }
  }

  /** A rule: the policy and the rule's index in its ingress or egress list. */
  public record RuleRef(String namespace, String name, int rule) {
    @Override
    public String toString() {
      return namespace + "/" + name + " rule " + rule;
    }
  }

  /**
   * One side's result.
   *
   * @param allowedBy the first policy and rule (by namespace/name, then index) that allowed it
   * @param isolatedBy the policies that select the pod for this direction
   */
  public record Side(
      Action action, boolean isolated, RuleRef allowedBy, List<PolicyRef> isolatedBy) {
    public Side {
      isolatedBy = List.copyOf(isolatedBy);
    }

    static final Side NOT_SELECTED = new Side(Action.NOT_SELECTED, false, null, List.of());
  }
}
