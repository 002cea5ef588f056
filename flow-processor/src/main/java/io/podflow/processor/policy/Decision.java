package io.podflow.processor.policy;

import java.util.List;

/**
 * The verdict on one connection (source to destination port), with what decided it on each side:
 * egress at the source pod, ingress at the destination pod.
 *
 * @param revision the policy-set revision the verdict was computed with
 */
public record Decision(
    boolean allowed, Side egress, Side ingress, String explanation, String revision) {

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
   * @param isolatedBy the policies that select the pod for this direction (all of them when denied)
   */
  public record Side(
      Action action, boolean isolated, RuleRef allowedBy, List<PolicyRef> isolatedBy) {
    public Side {
      isolatedBy = List.copyOf(isolatedBy);
    }

    static final Side NOT_SELECTED = new Side(Action.NOT_SELECTED, false, null, List.of());
  }
}
