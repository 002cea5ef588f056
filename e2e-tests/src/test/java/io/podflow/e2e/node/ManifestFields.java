package io.podflow.e2e.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A manifest's fields by dotted path ({@code spec.template.spec.containers.0.image}), remembering
 * which were taken: what a translator did not take is what it did not understand.
 */
final class ManifestFields {
  private final JsonNode root;
  private final Set<String> taken = new TreeSet<>();

  ManifestFields(JsonNode root) {
    this.root = root;
  }

  /** The node at {@code path} (missing if absent), without taking it. */
  JsonNode peek(String path) {
    JsonNode node = root;
    for (String segment : path.split("\\.")) {
      node = node.isArray() ? node.path(Integer.parseInt(segment)) : node.path(segment);
      if (node.isMissingNode()) {
        return MissingNode.getInstance();
      }
    }
    return node;
  }

  /** The node at {@code path}, taken with everything under it. */
  JsonNode take(String path) {
    taken.add(path);
    return peek(path);
  }

  /** Every leaf that neither was taken nor lies under a taken node. */
  List<String> untaken() {
    List<String> leaves = new ArrayList<>();
    collect(root, "", leaves);
    return leaves.stream().filter(leaf -> !isTaken(leaf)).toList();
  }

  private boolean isTaken(String leaf) {
    for (String t : taken) {
      if (leaf.equals(t) || leaf.startsWith(t + ".")) {
        return true;
      }
    }
    return false;
  }

  private static void collect(JsonNode node, String path, List<String> leaves) {
    if (node.isObject() && node.size() > 0) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        collect(f.getValue(), path.isEmpty() ? f.getKey() : path + "." + f.getKey(), leaves);
      }
    } else if (node.isArray() && node.size() > 0) {
      for (int i = 0; i < node.size(); i++) {
        collect(node.get(i), path + "." + i, leaves);
      }
    } else {
      leaves.add(path);
    }
  }
}
