package io.podflow.processor.policy;

import io.podflow.processor.policy.Decision.Action;
import io.podflow.processor.policy.Decision.PolicyRef;
import io.podflow.processor.policy.Decision.Side;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** One line a person can act on, for a decision. */
final class Explanations {
  private Explanations() {}

  static String of(
      Side egress,
      Side ingress,
      Pod sourcePod,
      byte[] source,
      Pod destinationPod,
      byte[] destination,
      int port,
      Protocol protocol,
      PolicySet set) {
    Endpoint src = new Endpoint(sourcePod, source);
    Endpoint dst = new Endpoint(destinationPod, destination);
    String target = describe(dst) + " port " + port + "/" + protocol;
    if (ingress.action() == Action.DENIED) {
      return "ingress to "
          + name(dst)
          + " denied: "
          + isolation(ingress.isolatedBy(), false, set)
          + "; source is "
          + describe(src);
    }
    if (egress.action() == Action.DENIED) {
      return "egress from "
          + name(src)
          + " denied: "
          + isolation(egress.isolatedBy(), true, set)
          + "; destination is "
          + target;
    }
    if (egress.action() == Action.NOT_SELECTED && ingress.action() == Action.NOT_SELECTED) {
      return "allowed: no policy selects "
          + name(src)
          + " for egress or "
          + name(dst)
          + " for ingress";
    }
    StringBuilder text = new StringBuilder("allowed:");
    text.append(
        egress.action() == Action.ALLOWED
            ? " egress from " + name(src) + " by " + egress.allowedBy()
            : " egress from " + name(src) + " not isolated");
    text.append(
        ingress.action() == Action.ALLOWED
            ? "; ingress to " + name(dst) + " by " + ingress.allowedBy()
            : "; ingress to " + name(dst) + " not isolated");
    return text.toString();
  }

  private static String isolation(List<PolicyRef> policies, boolean egress, PolicySet set) {
    StringBuilder text = new StringBuilder("isolated by ");
    for (int i = 0; i < policies.size(); i++) {
      PolicyRef ref = policies.get(i);
      text.append(i == 0 ? "" : ", ").append(ref);
      NetworkPolicy policy = find(set, ref);
      List<Rule> rules = policy == null ? List.of() : egress ? policy.egress() : policy.ingress();
      if (rules.isEmpty()) {
        text.append(" (no ").append(egress ? "egress" : "ingress").append(" rules: denies all)");
      } else {
        for (int r = 0; r < rules.size(); r++) {
          text.append(r == 0 ? "; its rule " : ", rule ")
              .append(r)
              .append(" allows ")
              .append(rules.get(r));
        }
      }
    }
    return text.toString();
  }

  private static NetworkPolicy find(PolicySet set, PolicyRef ref) {
    for (NetworkPolicy p : set.policies()) {
      if (p.namespace().equals(ref.namespace()) && p.name().equals(ref.name())) {
        return p;
      }
    }
    return null;
  }

  /** One end of the connection: a pod (not hostNetwork) or just an address. */
  private record Endpoint(Pod pod, byte[] ip) {}

  private static String name(Endpoint e) {
    return e.pod() == null ? ip(e.ip()) : e.pod().ref();
  }

  private static String describe(Endpoint e) {
    if (e.pod() == null) {
      return ip(e.ip()) + " (not a pod)";
    }
    String labels = LabelSelector.of(e.pod().labels()).toString();
    return (e.pod().labels().isEmpty() ? "a pod with no labels" : labels)
        + " in namespace "
        + e.pod().namespace();
  }

  private static String ip(byte[] address) {
    try {
      return InetAddress.getByAddress(address).getHostAddress();
    } catch (UnknownHostException e) {
      return "?";
    }
  }
}
