package io.podflow.schema.kafka;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The Kafka topics podflow writes and reads, with the settings they are created with ({@code
 * podflow setup}, the demo, deploy/'s KafkaTopic resources). Agent, processor and setup name them
 * here, so that a topic's name and its settings cannot drift apart.
 */
public enum PodflowTopic {
  /** Flow records (protobuf {@code podflow.flow.v1.FlowRecord}) published by the agents. */
  FLOWS("podflow.flows.v1", 12, deleteAfter(Duration.ofHours(24))),

  /**
   * NetworkPolicies and Namespaces (JSON), keyed cluster/namespace/name. Compacted: the last value
   * of every key is the policy in force, however old; a topic that deletes by age would lose the
   * policies nobody changed lately, and flows would be judged without them.
   */
  POLICIES(
      "podflow.policies.v1",
      1,
      Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),

  /** Policy-violation alerts (JSON), for consumers other than Alertmanager. */
  ALERTS("podflow.alerts.v1", 3, deleteAfter(Duration.ofDays(7))),

  /** Records the job could not read, with the reason in the {@code podflow.reason} header. */
  DEAD_LETTERS("podflow.deadletters.v1", 3, deleteAfter(Duration.ofDays(7)));

  private final String topic;
  private final int partitions;
  private final Map<String, String> configs;

  PodflowTopic(String topic, int partitions, Map<String, String> configs) {
    this.topic = topic;
    this.partitions = partitions;
    this.configs = configs;
  }

  /** The topic's name. */
  public String topic() {
    return topic;
  }

  /** Partitions it is created with unless told otherwise. */
  public int defaultPartitions() {
    return partitions;
  }

  /** Topic-level settings it is created with (cleanup policy, retention). */
  public Map<String, String> configs() {
    return configs;
  }

  private static Map<String, String> deleteAfter(Duration retention) {
    return Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG,
        TopicConfig.CLEANUP_POLICY_DELETE,
        TopicConfig.RETENTION_MS_CONFIG,
        Long.toString(retention.toMillis()));
  }
}
