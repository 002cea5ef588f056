package io.podflow.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A configuration document read key by key, each key with its type and default, so that a bad value
 * is reported with its key and the form expected, and a key nobody reads (a typo) is reported too.
 * Environment variables {@code PODFLOW_SECTION_KEY} override the file: the key path upper-cased
 * with underscores ({@code PODFLOW_KAFKA_BOOTSTRAPSERVERS}); lists are comma-separated.
 */
final class ConfigTree {
  private final ObjectNode root;
  private final Set<String> read = new TreeSet<>();
  private final List<String> errors = new ArrayList<>();

  ConfigTree(ObjectNode root, Map<String, String> environment) {
    this.root = root;
    environment.forEach(
        (name, value) -> {
          if (name.startsWith("PODFLOW_") && !name.equals("PODFLOW_CONFIG")) {
            override(name.substring("PODFLOW_".length()), value);
          }
        });
  }

  String string(String path, String fallback) {
    JsonNode n = node(path);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isValueNode()) {
      errors.add(path + ": expected text, not " + n.getNodeType().toString().toLowerCase());
      return fallback;
    }
    return n.asText();
  }

  String required(String path, String form) {
    String value = string(path, null);
    if (value == null || value.isBlank()) {
      errors.add(path + ": required (" + form + ")");
    }
    return value;
  }

  long number(String path, long fallback, long min, long max) {
    JsonNode n = node(path);
    if (n == null || n.isNull()) {
      return fallback;
    }
    long value;
    if (n.isIntegralNumber()) {
      // asLong() keeps the low 64 bits: 2^64+1024 would be 1024. Past a long is out of range.
      if (!n.canConvertToLong()) {
        errors.add(path + ": must be between " + min + " and " + max + ", not " + n.asText());
        return fallback;
      }
      value = n.longValue();
    } else {
      String text = n.asText().trim();
      try {
        value = Long.parseLong(text);
      } catch (NumberFormatException e) {
        boolean digits = text.matches("[-+]?\\d+");
        errors.add(
            digits
                ? path + ": must be between " + min + " and " + max + ", not " + text
                : path + ": expected a whole number, not '" + n.asText() + "'");
        return fallback;
      }
    }
    if (value < min || value > max) {
      errors.add(path + ": must be between " + min + " and " + max + ", not " + value);
      return fallback;
    }
    return value;
  }

  Duration seconds(String path, long fallback, long min, long max) {
    return Duration.ofSeconds(number(path, fallback, min, max));
  }

  boolean flag(String path, boolean fallback) {
    JsonNode n = node(path);
    if (n == null || n.isNull()) {
      return fallback;
    }
    String text = n.asText().trim();
    if (n.isBoolean() || text.equals("true") || text.equals("false")) {
      return n.isBoolean() ? n.asBoolean() : Boolean.parseBoolean(text);
    }
    errors.add(path + ": expected true or false, not '" + text + "'");
    return fallback;
  }

  List<String> list(String path, List<String> fallback) {
    JsonNode n = node(path);
    if (n == null || n.isNull()) {
      return fallback;
    }
    List<String> out = new ArrayList<>();
    if (n.isArray()) {
      n.forEach(e -> out.add(e.asText()));
    } else {
      for (String part : n.asText().split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }

  Map<String, String> map(String path) {
    JsonNode n = node(path);
    Map<String, String> out = new LinkedHashMap<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isObject()) {
      errors.add(path + ": expected a map of keys to values");
      return out;
    }
    markAllRead(path, n);
    n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  /** A value that failed a check of its own (its key and what was expected). */
  void error(String message) {
    errors.add(message);
  }

  /** Every error found: bad values, missing keys, keys nobody reads. */
  List<String> errors() {
    List<String> all = new ArrayList<>(errors);
    collectUnread("", root, all);
    return all;
  }

  private JsonNode node(String path) {
    read.add(path);
    JsonNode n = root;
    for (String part : path.split("\\.")) {
      if (n == null || !n.isObject()) {
        return null;
      }
      n = n.get(part);
    }
    return n;
  }

  private void markAllRead(String path, JsonNode n) {
    read.add(path);
    if (n.isObject()) {
      n.fieldNames().forEachRemaining(k -> markAllRead(path + "." + k, n.get(k)));
    }
  }

  private void collectUnread(String prefix, JsonNode n, List<String> out) {
    Iterator<String> names = n.fieldNames();
    while (names.hasNext()) {
      String key = names.next();
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      JsonNode child = n.get(key);
      if (child.isObject() && !read.contains(path)) {
        collectUnread(path, child, out);
      } else if (!read.contains(path)) {
        out.add(path + ": unknown key" + suggestion(path));
      }
    }
  }

  private String suggestion(String path) {
    String parent = path.contains(".") ? path.substring(0, path.lastIndexOf('.') + 1) : "";
    List<String> siblings =
        read.stream()
            .filter(r -> r.startsWith(parent) && r.indexOf('.', parent.length()) < 0)
            .toList();
    return siblings.isEmpty() ? "" : " (known here: " + String.join(", ", siblings) + ")";
  }

  /**
   * Applies {@code KAFKA_BOOTSTRAPSERVERS=value} to the key it names (matched ignoring case).
   * Variables that name no key of the configuration are left alone: Kubernetes itself sets {@code
   * PODFLOW_..._SERVICE_HOST} and {@code _PORT} variables for Services named podflow-*. ({@code
   * kafka.properties} keys have dots, so they are set in the file.)
   */
  private void override(String name, String value) {
    String[] parts = name.split("_");
    for (String part : parts) {
      if (KnownKeys.known(part) == null) {
        return;
      }
    }
    ObjectNode n = root;
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      String key = matchKey(n, parts[i]);
      path.append(i == 0 ? "" : ".").append(key);
      if (i == parts.length - 1) {
        n.set(key, TextNode.valueOf(value));
      } else {
        JsonNode child = n.get(key);
        if (child == null || !child.isObject()) {
          child = n.putObject(key);
        }
        n = (ObjectNode) child;
      }
    }
  }

  private static String matchKey(ObjectNode n, String upper) {
    Iterator<String> names = n.fieldNames();
    while (names.hasNext()) {
      String k = names.next();
      if (k.equalsIgnoreCase(upper)) {
        return k;
      }
    }
    return KnownKeys.spelling(upper);
  }
}
