package io.podflow.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podflow.processor.policy.Decision;
import io.podflow.processor.policy.Decision.PolicyRef;
import io.podflow.processor.policy.Decision.Side;
import java.util.Locale;

/** A decision in the {@code policy.*} names of the flow record's JSON form (schemas/README.md). */
final class DecisionJson {
  private DecisionJson() {}

  static ObjectNode of(Decision d) {
    ObjectNode policy = JsonNodeFactory.instance.objectNode();
    policy.put("verdict", d.allowed() ? "allowed" : "denied");
    policy.set("egress", side(d.egress()));
    policy.set("ingress", side(d.ingress()));
    policy.put("explanation", d.explanation());
    policy.put("revision", d.revision());
    return policy;
  }

  private static ObjectNode side(Side side) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("action", side.action().name().toLowerCase(Locale.ROOT));
    json.put("isolated", side.isolated());
    if (side.allowedBy() != null) {
      ObjectNode by = json.putObject("allowed_by");
      by.put("namespace", side.allowedBy().namespace());
      by.put("name", side.allowedBy().name());
      by.put("rule_index", side.allowedBy().rule());
    }
    if (!side.isolatedBy().isEmpty()) {
      ArrayNode list = json.putArray("isolated_by");
      for (PolicyRef ref : side.isolatedBy()) {
        list.addObject().put("namespace", ref.namespace()).put("name", ref.name());
      }
    }
    return json;
  }
}
