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

/**
 * A NetworkPolicy manifest to the engine's model, with the API server's validation rules
 * (networking/validation and apimachinery's label selector rules): every field of the right type,
 * no unknown field, CIDRs, ports, protocols, selectors and policy types as the server takes them.
 */
final class PolicyReader {
  private static final Set<String> SPEC = Set.of("podSelector", "ingress", "egress", "policyTypes");
  private static final Set<String> INGRESS_RULE = Set.of("from", "ports");
  private static final Set<String> EGRESS_RULE = Set.of("to", "ports");
  private static final Set<String> PEER = Set.of("podSelector", "namespaceSelector", "ipBlock");
  private static final Set<String> IP_BLOCK = Set.of("cidr", "except");
  private static final Set<String> PORT = Set.of("protocol", "port", "endPort");
  private static final Set<String> SELECTOR = Set.of("matchLabels", "matchExpressions");
  private static final Set<String> REQUIREMENT = Set.of("key", "operator", "values");

  private PolicyReader() {}

  static NetworkPolicy read(JsonNode doc) {
    String name = Manifests.name(doc, ApiSyntax::dnsSubdomain);
    String namespace = Manifests.namespace(doc);
    JsonNode spec = Fields.object(doc.get("spec"), "spec");
    if (spec == null) {
      throw new IllegalArgumentException("spec is missing");
    }
    Fields.only(spec, "spec", SPEC);
    if (!spec.has("podSelector")) {
      throw new IllegalArgumentException("spec.podSelector is missing (use {} for every pod)");
    }
    LabelSelector podSelector = selector(spec.get("podSelector"), "spec.podSelector");
    List<Rule> ingress = rules(spec.get("ingress"), "from", INGRESS_RULE, "spec.ingress");
    List<Rule> egress = rules(spec.get("egress"), "to", EGRESS_RULE, "spec.egress");
    boolean isolatesIngress;
    boolean isolatesEgress;
    JsonNode policyTypes = spec.get("policyTypes");
    // An empty list is no list: the API server defaults both alike (and serializers write []).
    if (policyTypes != null
        && !policyTypes.isNull()
        && !(policyTypes.isArray() && policyTypes.isEmpty())) {
      Set<String> types = new HashSet<>();
      int i = 0;
      for (JsonNode t : Fields.array(policyTypes, "spec.policyTypes")) {
        String at = "spec.policyTypes[" + i++ + "]";
        String type = Fields.text(t, at);
        if (!"Ingress".equals(type) && !"Egress".equals(type)) {
          throw new IllegalArgumentException(at + ": '" + type + "' is not Ingress or Egress");
        }
        if (!types.add(type)) {
          throw new IllegalArgumentException(at + ": " + type + " is listed twice");
        }
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

  private static List<Rule> rules(
      JsonNode list, String peersField, Set<String> known, String where) {
    List<Rule> rules = new ArrayList<>();
    int index = 0;
    for (JsonNode item : Fields.array(list, where)) {
      String at = where + "[" + index++ + "]";
      JsonNode rule = Fields.object(item, at);
      List<Peer> peers = new ArrayList<>();
      List<PortSpec> ports = new ArrayList<>();
      if (rule != null) {
        Fields.only(rule, at, known);
        int p = 0;
        for (JsonNode peer : Fields.array(rule.get(peersField), at + "." + peersField)) {
          peers.add(peer(peer, at + "." + peersField + "[" + p++ + "]"));
        }
        int q = 0;
        for (JsonNode port : Fields.array(rule.get("ports"), at + ".ports")) {
          ports.add(port(port, at + ".ports[" + q++ + "]"));
        }
      }
      rules.add(new Rule(peers, ports));
    }
    return rules;
  }

  private static Peer peer(JsonNode node, String where) {
    JsonNode peer = Fields.object(node, where);
    if (peer == null) {
      throw new IllegalArgumentException(
          where + ": a peer needs podSelector, namespaceSelector or ipBlock");
    }
    Fields.only(peer, where, PEER);
    boolean hasBlock = peer.hasNonNull("ipBlock");
    boolean hasSelector = peer.hasNonNull("podSelector") || peer.hasNonNull("namespaceSelector");
    if (hasBlock && hasSelector) {
      throw new IllegalArgumentException(where + ": ipBlock cannot be combined with a selector");
    }
    if (hasBlock) {
      return ipBlock(Fields.object(peer.get("ipBlock"), where + ".ipBlock"), where + ".ipBlock");
    }
    if (!hasSelector) {
      throw new IllegalArgumentException(
          where + ": a peer needs podSelector, namespaceSelector or ipBlock");
    }
    return new Peer.Pods(
        peer.hasNonNull("podSelector")
            ? selector(peer.get("podSelector"), where + ".podSelector")
            : null,
        peer.hasNonNull("namespaceSelector")
            ? selector(peer.get("namespaceSelector"), where + ".namespaceSelector")
            : null);
  }

  private static Peer ipBlock(JsonNode block, String where) {
    Fields.only(block, where, IP_BLOCK);
    String text = Fields.text(block.get("cidr"), where + ".cidr");
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException(where + ".cidr is missing");
    }
    Cidr cidr = cidr(text, where + ".cidr");
    List<Cidr> except = new ArrayList<>();
    int i = 0;
    for (JsonNode e : Fields.array(block.get("except"), where + ".except")) {
      String at = where + ".except[" + i++ + "]";
      String exceptText = Fields.text(e, at);
      Cidr excluded = cidr(exceptText == null ? "" : exceptText, at);
      // The API server wants a strict subset: an except as wide as the block leaves nothing.
      if (excluded.network().length != cidr.network().length
          || excluded.prefixLength() <= cidr.prefixLength()
          || !cidr.contains(excluded.network())) {
        throw new IllegalArgumentException(
            at + ": " + excluded + " is not a strict subset of " + cidr);
      }
      except.add(excluded);
    }
    return new Peer.IpBlock(cidr, except);
  }

  private static Cidr cidr(String text, String where) {
    try {
      return Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage());
    }
  }

  private static PortSpec port(JsonNode node, String where) {
    JsonNode port = Fields.object(node, where);
    if (port == null) {
      return new PortSpec(Protocol.TCP, null, null, null);
    }
    Fields.only(port, where, PORT);
    String protocolText = Fields.text(port.get("protocol"), where + ".protocol");
    Protocol protocol = protocolText == null ? Protocol.TCP : exactProtocol(protocolText);
    if (protocol == null) {
      throw new IllegalArgumentException(
          where + ".protocol: '" + protocolText + "' is not TCP, UDP or SCTP");
    }
    JsonNode value = port.get("port");
    Integer number = null;
    String name = null;
    if (value != null && !value.isNull()) {
      if (value.isTextual()) {
        name = value.textValue();
        Fields.check(name, ApiSyntax::serviceName, where + ".port: '" + name + "'");
      } else if (value.isIntegralNumber()) {
        number = Fields.integer(value, where + ".port", 1, 65535);
      } else {
        throw new IllegalArgumentException(
            where + ".port: must be a number or a name, not " + value);
      }
    }
    Integer endPort = null;
    JsonNode end = port.get("endPort");
    if (end != null && !end.isNull()) {
      endPort = Fields.integer(end, where + ".endPort", 1, 65535);
      if (number == null) {
        throw new IllegalArgumentException(
            where + ".endPort: may only be given with a numeric port");
      }
      if (endPort < number) {
        throw new IllegalArgumentException(
            where + ".endPort: " + endPort + " must be greater than or equal to port " + number);
      }
    }
    try {
      return new PortSpec(protocol, number, name, endPort);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage());
    }
  }

  /** The protocol spelled as the API takes it: upper case only. */
  static Protocol exactProtocol(String text) {
    return switch (text) {
      case "TCP" -> Protocol.TCP;
      case "UDP" -> Protocol.UDP;
      case "SCTP" -> Protocol.SCTP;
      default -> null;
    };
  }

  private static LabelSelector selector(JsonNode node, String where) {
    JsonNode selector = Fields.object(node, where);
    if (selector == null) {
      return LabelSelector.ALL;
    }
    Fields.only(selector, where, SELECTOR);
    List<LabelSelector.Requirement> expressions = new ArrayList<>();
    int i = 0;
    for (JsonNode item :
        Fields.array(selector.get("matchExpressions"), where + ".matchExpressions")) {
      String at = where + ".matchExpressions[" + i++ + "]";
      JsonNode e = Fields.object(item, at);
      if (e == null) {
        throw new IllegalArgumentException(at + ": must be an object, not null");
      }
      Fields.only(e, at, REQUIREMENT);
      String operator = Fields.text(e.get("operator"), at + ".operator");
      LabelSelector.Operator op = LabelSelector.Operator.parse(operator);
      if (op == null) {
        throw new IllegalArgumentException(
            at + ": unknown operator '" + operator + "' (In, NotIn, Exists, DoesNotExist)");
      }
      String key = Fields.text(e.get("key"), at + ".key");
      if (key == null) {
        throw new IllegalArgumentException(at + ": key is missing");
      }
      Fields.check(key, ApiSyntax::labelKey, at + ".key: '" + key + "'");
      Set<String> values = new HashSet<>();
      int v = 0;
      for (JsonNode valueNode : Fields.array(e.get("values"), at + ".values")) {
        String valueAt = at + ".values[" + v++ + "]";
        String value = Fields.text(valueNode, valueAt);
        if (value == null) {
          throw new IllegalArgumentException(valueAt + ": must be a string, not null");
        }
        Fields.check(value, ApiSyntax::labelValue, valueAt + ": '" + value + "'");
        values.add(value);
      }
      try {
        expressions.add(new LabelSelector.Requirement(key, op, values));
      } catch (IllegalArgumentException x) {
        throw new IllegalArgumentException(at + ": " + x.getMessage());
      }
    }
    return new LabelSelector(
        Fields.labels(selector.get("matchLabels"), where + ".matchLabels"), expressions);
  }
}
