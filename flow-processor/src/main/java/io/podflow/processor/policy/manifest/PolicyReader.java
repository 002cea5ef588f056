package io.podflow.processor.policy.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.podflow.processor.policy.LabelSelector;
import io.podflow.processor.policy.NetworkPolicy;
import io.podflow.processor.policy.Peer;
import io.podflow.processor.policy.PortSpec;
import io.podflow.processor.policy.Protocol;
import io.podflow.processor.policy.Rule;
import io.podflow.schema.net.Cidr;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A NetworkPolicy manifest to the engine's model, with the API server's validation rules. */
final class PolicyReader {
  private PolicyReader() {}

  static NetworkPolicy read(JsonNode doc) {
    String name = Manifests.required(doc, "/metadata/name");
    String namespace = doc.at("/metadata/namespace").asText("default");
    JsonNode spec = doc.path("spec");
    if (!spec.has("podSelector")) {
      throw new IllegalArgumentException("spec.podSelector is missing (use {} for every pod)");
    }
    LabelSelector podSelector = selector(spec.get("podSelector"), "spec.podSelector");
    List<Rule> ingress = rules(spec.path("ingress"), "from", "spec.ingress");
    List<Rule> egress = rules(spec.path("egress"), "to", "spec.egress");
    boolean isolatesIngress;
    boolean isolatesEgress;
    if (spec.has("policyTypes")) {
      Set<String> types = new HashSet<>();
      for (JsonNode t : spec.get("policyTypes")) {
        if (!t.asText().equals("Ingress") && !t.asText().equals("Egress")) {
          throw new IllegalArgumentException(
              "spec.policyTypes: '" + t.asText() + "' is not Ingress or Egress");
        }
        types.add(t.asText());
      }
      isolatesIngress = types.contains("Ingress");
      isolatesEgress = types.contains("Egress");
    } else {
      isolatesIngress = true;
      isolatesEgress = spec.hasNonNull("egress");
    }
    return new NetworkPolicy(
        namespace, name, podSelector, isolatesIngress, isolatesEgress, ingress, egress);
  }

  private static List<Rule> rules(JsonNode list, String peersField, String where) {
    List<Rule> rules = new ArrayList<>();
    if (list == null || list.isMissingNode() || list.isNull()) {
      return rules;
    }
    int index = 0;
    for (JsonNode rule : list) {
      String at = where + "[" + index++ + "]";
      List<Peer> peers = new ArrayList<>();
      int p = 0;
      for (JsonNode peer : rule.path(peersField)) {
        peers.add(peer(peer, at + "." + peersField + "[" + p++ + "]"));
      }
      List<PortSpec> ports = new ArrayList<>();
      int q = 0;
      for (JsonNode port : rule.path("ports")) {
        ports.add(port(port, at + ".ports[" + q++ + "]"));
      }
      rules.add(new Rule(peers, ports));
    }
    return rules;
  }

  private static Peer peer(JsonNode peer, String where) {
    boolean hasBlock = peer.has("ipBlock");
    boolean hasSelector = peer.has("podSelector") || peer.has("namespaceSelector");
    if (hasBlock && hasSelector) {
      throw new IllegalArgumentException(where + ": ipBlock cannot be combined with a selector");
    }
    if (hasBlock) {
      JsonNode block = peer.get("ipBlock");
      Cidr cidr;
      try {
        cidr = Cidr.parse(block.path("cidr").asText(null));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ".ipBlock.cidr: " + e.getMessage());
      }
      List<Cidr> except = new ArrayList<>();
      for (JsonNode e : block.path("except")) {
        Cidr excluded;
        try {
          excluded = Cidr.parse(e.asText());
        } catch (IllegalArgumentException x) {
          throw new IllegalArgumentException(where + ".ipBlock.except: " + x.getMessage());
        }
        if (excluded.prefixLength() < cidr.prefixLength() || !cidr.contains(excluded.network())) {
          throw new IllegalArgumentException(
              where + ".ipBlock.except: " + excluded + " is not inside " + cidr);
        }
        except.add(excluded);
      }
      return new Peer.IpBlock(cidr, except);
    }
    if (!hasSelector) {
      throw new IllegalArgumentException(
          where + ": a peer needs podSelector, namespaceSelector or ipBlock");
    }
    return new Peer.Pods(
        peer.has("podSelector") ? selector(peer.get("podSelector"), where + ".podSelector") : null,
        peer.has("namespaceSelector")
            ? selector(peer.get("namespaceSelector"), where + ".namespaceSelector")
            : null);
  }

  private static PortSpec port(JsonNode port, String where) {
    Protocol protocol = Protocol.parse(port.path("protocol").asText("TCP"));
    if (protocol == null) {
      throw new IllegalArgumentException(
          where + ".protocol: '" + port.get("protocol").asText() + "' is not TCP, UDP or SCTP");
    }
    JsonNode value = port.get("port");
    Integer number = null;
    String name = null;
    if (value != null && !value.isNull()) {
      if (value.isInt()) {
        number = value.asInt();
      } else if (value.isTextual()) {
        name = value.asText();
      } else {
        throw new IllegalArgumentException(where + ".port: a number or a name");
      }
    }
    Integer endPort = port.hasNonNull("endPort") ? port.get("endPort").asInt() : null;
    try {
      return new PortSpec(protocol, number, name, endPort);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage());
    }
  }

  private static LabelSelector selector(JsonNode node, String where) {
    if (node == null || node.isNull()) {
      return LabelSelector.ALL;
    }
    List<LabelSelector.Requirement> expressions = new ArrayList<>();
    int i = 0;
    for (JsonNode e : node.path("matchExpressions")) {
      String at = where + ".matchExpressions[" + i++ + "]";
      LabelSelector.Operator op = LabelSelector.Operator.parse(e.path("operator").asText(""));
      if (op == null) {
        throw new IllegalArgumentException(
            at
                + ": unknown operator '"
                + e.path("operator").asText("")
                + "' (In, NotIn, Exists, DoesNotExist)");
      }
      if (!e.hasNonNull("key")) {
        throw new IllegalArgumentException(at + ": key is missing");
      }
      Set<String> values = new HashSet<>();
      e.path("values").forEach(v -> values.add(v.asText()));
      try {
        expressions.add(new LabelSelector.Requirement(e.get("key").asText(), op, values));
      } catch (IllegalArgumentException x) {
        throw new IllegalArgumentException(at + ": " + x.getMessage());
      }
    }
    return new LabelSelector(Manifests.labels(node.path("matchLabels")), expressions);
  }
}
