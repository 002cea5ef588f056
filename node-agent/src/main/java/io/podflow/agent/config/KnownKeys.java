package io.podflow.agent.config;

import java.util.List;
import java.util.Locale;

/** The keys of the agent's configuration, for environment overrides of keys the file lacks. */
final class KnownKeys {
  static final List<String> ALL =
      List.of(
          "cluster",
          "node",
          "agent",
          "capture",
          "interfaces",
          "filter",
          "snaplen",
          "bufferBytes",
          "batchDelayMs",
          "immediate",
          "threads",
          "flows",
          "activeTimeoutSeconds",
          "idleTimeoutSeconds",
          "maxFlows",
          "enrichment",
          "enabled",
          "clusterCidrs",
          "tombstoneSeconds",
          "staleAfterSeconds",
          "kafka",
          "bootstrapServers",
          "topic",
          "compression",
          "properties",
          "spool",
          "dir",
          "maxBytes",
          "fsync",
          "http",
          "port",
          "address",
          "policies",
          "leaseNamespace");

  private KnownKeys() {}

  /** The key's spelling, or null when no key of the configuration is spelled so. */
  static String known(String upper) {
    for (String k : ALL) {
      if (k.toUpperCase(Locale.ROOT).equals(upper)) {
        return k;
      }
    }
    return null;
  }

  static String spelling(String upper) {
    for (String k : ALL) {
      if (k.toUpperCase(Locale.ROOT).equals(upper)) {
        return k;
      }
    }
    return upper.toLowerCase(Locale.ROOT);
  }
}
