package io.podflow.agent.enrich;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One copy of each namespace, node, workload and label text, and of each set of labels: the pods of
 * one workload share their labels, and 100,000 pods hold a few thousand distinct strings.
 */
final class Interner {
  private final Map<String, String> strings = new ConcurrentHashMap<>();
  private final Map<Map<String, String>, Map<String, String>> labelSets = new ConcurrentHashMap<>();

  private final Map<NamedPorts, NamedPorts> ports = new ConcurrentHashMap<>();

  NamedPorts ports(NamedPorts p) {
    NamedPorts known = ports.putIfAbsent(p, p);
    return known == null ? p : known;
  }

  String get(String s) {
    String known = strings.putIfAbsent(s, s);
    return known == null ? s : known;
  }

  Map<String, String> labels(Map<String, String> labels) {
    Map<String, String> known = labelSets.get(labels);
    if (known != null) {
      return known;
    }
    Map<String, String> copy = new java.util.HashMap<>();
    labels.forEach((k, v) -> copy.put(get(k), get(v)));
    Map<String, String> frozen = Map.copyOf(copy);
    known = labelSets.putIfAbsent(frozen, frozen);
    return known == null ? frozen : known;
  }
}
