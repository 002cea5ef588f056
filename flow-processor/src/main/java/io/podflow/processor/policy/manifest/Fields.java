package io.podflow.processor.policy.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Typed reads of a manifest's fields, each error naming the field's path: a field of the wrong type
 * ({@code podSelector: "x"}, {@code ingress: {from: 7}}) is an error, never read as empty, and an
 * unknown field in a NetworkPolicy ({@code form:} for {@code from:}) is refused as the API server's
 * strict field validation refuses it, never ignored into an allow-all rule.
 */
final class Fields {
  /** How much of a wrong value a message quotes. */
  private static final int SHOWN = 40;

  private Fields() {}

  /** The object at {@code node}, or null when absent or null. */
  static JsonNode object(JsonNode node, String path) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw wrongType(path, "an object", node);
    }
    return node;
  }

  /** The list at {@code node}, empty when absent or null. */
  static Iterable<JsonNode> array(JsonNode node, String path) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw wrongType(path, "a list", node);
    }
    return node;
  }

  /** The text at {@code node}, or null when absent or null. */
  static String text(JsonNode node, String path) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw wrongType(path, "a string", node);
    }
    return node.textValue();
  }

  /** A whole number in {@code min..max}; a number past an int is out of range, never wrapped. */
  static int integer(JsonNode node, String path, int min, int max) {
    if (!node.isIntegralNumber()) {
      throw wrongType(path, "a whole number", node);
    }
    if (!node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
      throw new IllegalArgumentException(
          path + ": " + node.asText() + " is out of range " + min + "-" + max);
    }
    return node.intValue();
  }

  static boolean bool(JsonNode node, String path) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      throw wrongType(path, "true or false", node);
    }
    return node.booleanValue();
  }

  /** Refuses fields of {@code object} other than {@code known}. */
  static void only(JsonNode object, String path, Set<String> known) {
    Iterator<String> names = object.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new IllegalArgumentException(
            (path.isEmpty() ? "" : path + ".")
                + name
                + ": unknown field (known: "
                + String.join(", ", known.stream().sorted().toList())
                + ")");
      }
    }
  }

  /** A map of labels, each key and value checked as the API server checks them. */
  static Map<String, String> labels(JsonNode node, String path) {
    Map<String, String> labels = new HashMap<>();
    JsonNode map = object(node, path);
    if (map == null) {
      return labels;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = map.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      String at = path + "." + e.getKey();
      check(e.getKey(), ApiSyntax::labelKey, path + ": key '" + e.getKey() + "'");
      String value = text(e.getValue(), at);
      if (value == null) {
        throw wrongType(at, "a string", e.getValue());
      }
      check(value, ApiSyntax::labelValue, at + ": value '" + value + "'");
      labels.put(e.getKey(), value);
    }
    return labels;
  }

  /** Throws {@code what} and the rule's complaint when {@code rule} finds {@code text} wrong. */
  static void check(String text, Function<String, String> rule, String what) {
    String wrong = rule.apply(text);
    if (wrong != null) {
      throw new IllegalArgumentException(what + " " + wrong);
    }
  }

  private static IllegalArgumentException wrongType(String path, String expected, JsonNode node) {
    String found = node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    String shown = node.toString();
    if (shown.length() > SHOWN) {
      shown = shown.substring(0, SHOWN) + "...";
    }
    return new IllegalArgumentException(
        path
            + ": must be "
            + expected
            + ", not "
            + (node.isValueNode() ? found + " " + shown : found));
  }
}
