package io.podflow.schema.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates podflow's topics with their settings ({@link PodflowTopic}), and leaves the ones that
 * exist as they are: running it again changes nothing. An existing topic is reported when it
 * differs from podflow's settings. Partitions, retention and replication are the operator's to
 * tune, so a difference there is a note; a policies topic that is not compacted is an error
 * (podflow will not run with it), changed to compacted only when asked ({@code fix}), since
 * altering a topic someone made is a decision for a person.
 */
public final class TopicSetup {
  /**
   * @param partitions per topic; topics not named get their {@link PodflowTopic#defaultPartitions}
   * @param replicationFactor empty for the broker's {@code default.replication.factor}
   * @param fix make an existing policies topic compacted instead of reporting it
   */
  public record Plan(
      Map<PodflowTopic, Integer> partitions, Optional<Short> replicationFactor, boolean fix) {
    public Plan {
      partitions = Map.copyOf(partitions);
      partitions.forEach(
          (topic, n) -> {
            if (n < 1) {
              throw new IllegalArgumentException(topic.topic() + " needs at least one partition");
            }
          });
      replicationFactor.ifPresent(
          r -> {
            if (r < 1) {
              throw new IllegalArgumentException("the replication factor must be at least 1");
            }
          });
    }

    /** Every topic with its default partitions, the broker's replication factor, no fixing. */
    public static Plan defaults() {
      return new Plan(Map.of(), Optional.empty(), false);
    }

    public int partitionsOf(PodflowTopic topic) {
      return partitions.getOrDefault(topic, topic.defaultPartitions());
    }
  }

  /** What was done to one topic. */
  public enum Status {
    CREATED,
    /** Existed with podflow's settings. */
    UNCHANGED,
    /** Existed with other partitions or settings, left as they are (a note, not an error). */
    DIFFERS,
    /** Existed as podflow cannot use it (a policies topic not compacted): an error. */
    UNUSABLE,
    /** Was unusable and has been made usable ({@link Plan#fix}). */
    FIXED
  }

  /**
   * @param detail for a person; empty when there is nothing to say
   */
  public record Outcome(PodflowTopic topic, Status status, String detail) {
    public boolean failed() {
      return status == Status.UNUSABLE;
    }

    @Override
    public String toString() {
      return topic.topic()
          + ": "
          + status.name().toLowerCase(java.util.Locale.ROOT)
          + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
  }

  private final Admin admin;
  private final String bootstrapServers;
  private final Duration timeout;

  /**
   * @param bootstrapServers for the fix commands in messages
   * @param timeout for each request to the broker
   */
  public TopicSetup(Admin admin, String bootstrapServers, Duration timeout) {
    this.admin = admin;
    this.bootstrapServers = bootstrapServers;
    this.timeout = timeout;
  }

  /**
   * {@link #apply(Plan)} with an admin client of its own: {@code client}'s settings (TLS, SASL),
   * each request answered within 30 seconds.
   */
  public static List<Outcome> apply(
      String bootstrapServers, KafkaClientProperties client, Plan plan) {
    int timeout = 30_000;
    try (Admin admin = Admin.create(client.adminConfig(bootstrapServers, timeout))) {
      return new TopicSetup(admin, bootstrapServers, Duration.ofMillis(timeout)).apply(plan);
    }
  }

  /**
   * Creates what is missing and reports on what exists, every topic of {@link PodflowTopic}.
   *
   * @throws IllegalStateException when the broker does not answer or refuses a request (named)
   */
  public List<Outcome> apply(Plan plan) {
    Map<PodflowTopic, Outcome> outcomes = new EnumMap<>(PodflowTopic.class);
    Set<String> existing = await(admin.listTopics().names(), "list topics");
    for (PodflowTopic topic : PodflowTopic.values()) {
      if (!existing.contains(topic.topic())) {
        outcomes.put(topic, create(topic, plan));
      }
    }
    for (PodflowTopic topic : PodflowTopic.values()) {
      if (!outcomes.containsKey(topic)) {
        outcomes.put(topic, inspect(topic, plan));
      }
    }
    return List.copyOf(outcomes.values());
  }

  private Outcome create(PodflowTopic topic, Plan plan) {
    NewTopic request =
        new NewTopic(topic.topic(), Optional.of(plan.partitionsOf(topic)), plan.replicationFactor())
            .configs(topic.configs());
    try {
      admin.createTopics(List.of(request)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new Outcome(
          topic,
          Status.CREATED,
          plan.partitionsOf(topic) + " partitions, " + describe(topic.configs()));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return inspect(topic, plan); // made by someone else meanwhile
      }
      throw new IllegalStateException(
          "could not create Kafka topic " + topic.topic() + ": " + reason(e.getCause()), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Kafka at " + bootstrapServers + " did not create " + topic.topic() + " in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private Outcome inspect(PodflowTopic topic, Plan plan) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic.topic());
    Config config =
        await(admin.describeConfigs(List.of(resource)).all(), "describe " + topic.topic())
            .get(resource);
    List<String> differences = new ArrayList<>();
    String cleanup = value(config, TopicConfig.CLEANUP_POLICY_CONFIG);
    CompactedTopicCheck.Result compaction =
        CompactedTopicCheck.of(topic.topic(), bootstrapServers, cleanup);
    if (topic == PodflowTopic.POLICIES && !compaction.compacted()) {
      if (!plan.fix()) {
        return new Outcome(topic, Status.UNUSABLE, compaction.message());
      }
      AlterConfigOp compact =
          new AlterConfigOp(
              new ConfigEntry(
                  TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT),
              AlterConfigOp.OpType.SET);
      await(
          admin.incrementalAlterConfigs(Map.of(resource, List.of(compact))).all(),
          "make " + topic.topic() + " compacted");
      return new Outcome(topic, Status.FIXED, "cleanup.policy was " + cleanup + ", now compact");
    }
    topic
        .configs()
        .forEach(
            (key, wanted) -> {
              String has = value(config, key);
              if (!wanted.equals(has)) {
                differences.add(key + "=" + has + " (podflow creates it with " + wanted + ")");
              }
            });
    TopicDescription description =
        await(admin.describeTopics(List.of(topic.topic())).allTopicNames(), "describe")
            .get(topic.topic());
    int partitions = description.partitions().size();
    if (partitions != plan.partitionsOf(topic)) {
      differences.add(partitions + " partitions (asked for " + plan.partitionsOf(topic) + ")");
    }
    if (differences.isEmpty()) {
      return new Outcome(topic, Status.UNCHANGED, "");
    }
    return new Outcome(topic, Status.DIFFERS, String.join(", ", differences) + "; left as it is");
  }

  private static String value(Config config, String key) {
    ConfigEntry entry = config.get(key);
    return entry == null ? "" : String.valueOf(entry.value());
  }

  private static String describe(Map<String, String> configs) {
    List<String> parts = new ArrayList<>();
    new java.util.TreeMap<>(configs).forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(", ", parts);
  }

  private <T> T await(org.apache.kafka.common.KafkaFuture<T> future, String what) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "Kafka at " + bootstrapServers + " refused to " + what + ": " + reason(e.getCause()), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Kafka at " + bootstrapServers + " did not answer (" + what + ") within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String reason(Throwable cause) {
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }
}
