package io.podflow.processor.policy;

import io.podflow.processor.policy.Decision.Action;
import io.podflow.processor.policy.Decision.RuleRef;
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
      PolicySet.PodEntry from,
      byte[] source,
      PolicySet.PodEntry to,
      byte[] destination,
      int port,
      Protocol protocol) {
    if (ingress.action() == Action.DENIED) {
      return to.ingressDenied() + describe(from, source);
    }
    if (egress.action() == Action.DENIED) {
      return from.egressDenied() + describe(to, destination) + " port " + port + "/" + protocol;
    }
    if (egress.action() == Action.NOT_SELECTED && ingress.action() == Action.NOT_SELECTED) {
      return "allowed: no policy selects "
          + name(from, source)
          + " for egress or "
          + name(to, destination)
          + " for ingress";
    }
    // One concatenation per case: this text is built for every allowed flow, and intermediate
    // strings (a RuleRef's toString, each half) were most of its cost.
    String fromName = name(from, source);
    String toName = name(to, destination);
    RuleRef e = egress.allowedBy();
    RuleRef i = ingress.allowedBy();
    if (e != null && i != null) {
      return "allowed: egress from "
          + fromName
          + " by "
          + e.namespace()
          + "/"
          + e.name()
          + " rule "
          + e.rule()
          + "; ingress to "
          + toName
          + " by "
          + i.namespace()
          + "/"
          + i.name()
          + " rule "
          + i.rule();
    }
    if (e != null) {
      return "allowed: egress from "
          + fromName
          + " by "
          + e.namespace()
          + "/"
          + e.name()
          + " rule "
          + e.rule()
          + "; ingress to "
          + toName
          + " not isolated";
    }
    return "allowed: egress from "
        + fromName
        + " not isolated; ingress to "
        + toName
        + " by "
        + i.namespace()
        + "/"
        + i.name()
        + " rule "
        + i.rule();
  }

  /** The policies isolating a pod in one direction, with what their rules allow. */
  static String isolation(List<NetworkPolicy> policies, boolean egress) {
    StringBuilder text = new StringBuilder("isolated by ");
    for (int i = 0; i < policies.size(); i++) {
      NetworkPolicy policy = policies.get(i);
      text.append(i == 0 ? "" : ", ").append(policy.ref());
      List<Rule> rules = egress ? policy.egress() : policy.ingress();
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

  private static String name(PolicySet.PodEntry entry, byte[] ip) {
    return entry == null ? ip(ip) : entry.ref();
  }

  private static String describe(PolicySet.PodEntry entry, byte[] ip) {
    return entry == null ? ip(ip) + " (not a pod)" : entry.description();
  }

  private static String ip(byte[] address) {
    try {
      return InetAddress.getByAddress(address).getHostAddress();
    } catch (UnknownHostException e) {
      return "?";
    }
  }
}
