package io.podflow.processor.policy.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podflow.processor.policy.NetworkPolicy;
import io.podflow.processor.policy.PolicySet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * One cluster's NetworkPolicies and Namespaces as the agents publish them to the compacted policy
 * topic: keyed {@code cluster/namespace/name} ({@code cluster//name} for a Namespace), the full
 * object as JSON, a null value (tombstone) when it was deleted. Turned into a {@link PolicySet}
 * when asked, once per change. Its revision is a checksum of the objects, so the same objects
 * always give the same revision (after a restore, too). An object that cannot be read is left out,
 * with the reason kept in {@link #errors()}.
 */
public final class PublishedPolicies {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String cluster;
  private final SortedMap<String, byte[]> objects = new TreeMap<>();
  private final Map<String, String> errors = new HashMap<>();
  private PolicySet set;

  public PublishedPolicies(String cluster) {
    this.cluster = cluster;
  }

  /** The cluster a key of the policy topic belongs to, or null when it is not such a key. */
  public static String clusterOf(String key) {
    int slash = key.indexOf('/');
    return slash <= 0 || key.indexOf('/', slash + 1) < 0 ? null : key.substring(0, slash);
  }

  /** Takes in one record of the topic (value null: deleted). */
  public PublishedPolicies apply(String key, byte[] value) {
    if (value == null) {
      objects.remove(key);
    } else {
      objects.put(key, value);
    }
    set = null;
    return this;
  }

  /** Whether any object (at least the cluster's Namespaces) has been published. */
  public boolean isEmpty() {
    return objects.isEmpty();
  }

  /** The policies in force, and the namespaces' labels. */
  public PolicySet policySet() {
    PolicySet s = set;
    if (s == null) {
      s = build();
      set = s;
    }
    return s;
  }

  /**
   * Why one record of the topic would be left out of its cluster's policies, read exactly as {@link
   * #policySet()} reads it; null when it can be read (or is a tombstone).
   */
  public static String unreadable(String key, byte[] value) {
    return value == null ? null : new PublishedPolicies("").apply(key, value).errors().get(key);
  }

  /** Objects left out, by key, with the reason. */
  public Map<String, String> errors() {
    policySet();
    return Map.copyOf(errors);
  }

  private PolicySet build() {
    errors.clear();
    Map<String, Map<String, String>> namespaces = new HashMap<>();
    List<NetworkPolicy> policies = new ArrayList<>();
    CRC32C checksum = new CRC32C();
    for (Map.Entry<String, byte[]> e : objects.entrySet()) {
      checksum.update(e.getKey().getBytes(StandardCharsets.UTF_8));
      checksum.update(e.getValue());
      try {
        JsonNode doc = JSON.readTree(e.getValue());
        switch (doc.path("kind").asText("")) {
          case "Namespace" ->
              namespaces.put(
                  Manifests.name(doc, ApiSyntax::dnsLabel), Manifests.metadataLabels(doc));
          case "NetworkPolicy" -> policies.add(PolicyReader.read(doc));
          default -> errors.put(e.getKey(), "neither a Namespace nor a NetworkPolicy");
        }
      } catch (IOException | RuntimeException ex) {
        errors.put(e.getKey(), ex.getMessage());
      }
    }
    // A namespace only a policy mentions exists, with no labels (its own object may come later).
    policies.forEach(p -> namespaces.putIfAbsent(p.namespace(), Map.of()));
    String revision = cluster + "@" + Long.toHexString(checksum.getValue());
    return new PolicySet(revision, namespaces, List.of(), policies);
  }
}
