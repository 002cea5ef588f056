package io.podflow.schema.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Whether the policies topic is compacted, as agent and processor require before they use it: with
 * {@code cleanup.policy=delete} (what a broker that creates topics on first use gives) policies age
 * out after the retention time, and flows are judged without them, silently. Only {@code compact}
 * passes; {@code compact,delete} deletes by age too.
 */
public final class CompactedTopicCheck {
  private CompactedTopicCheck() {}

  /** What the check found. */
  public enum State {
    COMPACTED,
    NOT_COMPACTED,
    MISSING,
    NOT_AUTHORIZED,
    UNREACHABLE
  }

  /**
   * @param message for a person: what was found and the command that fixes it (empty when
   *     compacted)
   */
  public record Result(State state, String message) {
    public boolean compacted() {
      return state == State.COMPACTED;
    }
  }

  /** Asks the broker for {@code topic}'s cleanup policy, waiting at most {@code timeout}. */
  public static Result check(Admin admin, String topic, String bootstrapServers, Duration timeout) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    try {
      Map<ConfigResource, Config> configs =
          admin
              .describeConfigs(List.of(resource))
              .all()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      ConfigEntry entry = configs.get(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG);
      String policy = entry == null || entry.value() == null ? "delete" : entry.value();
      return of(topic, bootstrapServers, policy);
    } catch (ExecutionException e) {
      return failed(topic, bootstrapServers, e.getCause());
    } catch (TimeoutException e) {
      return failed(topic, bootstrapServers, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(topic, bootstrapServers, e);
    }
  }

  /** The verdict on a topic whose {@code cleanup.policy} is {@code policy}. */
  static Result of(String topic, String bootstrapServers, String policy) {
    if (policy.trim().equals(TopicConfig.CLEANUP_POLICY_COMPACT)) {
      return new Result(State.COMPACTED, "");
    }
    return new Result(
        State.NOT_COMPACTED,
        "Kafka topic "
            + topic
            + " has cleanup.policy="
            + policy
            + ", but it must be compacted (cleanup.policy=compact): otherwise policies age out"
            + " after the topic's retention time and flows are judged without them. Fix it with: "
            + fixCommand(topic, bootstrapServers));
  }

  /** The verdict when asking failed with {@code cause}. */
  static Result failed(String topic, String bootstrapServers, Throwable cause) {
    if (cause instanceof UnknownTopicOrPartitionException) {
      return new Result(
          State.MISSING,
          "Kafka topic "
              + topic
              + " does not exist; create podflow's topics first: podflow setup --bootstrap-servers "
              + bootstrapServers
              + " (see its --help for partitions, replication and --kafka-properties)");
    }
    if (cause instanceof AuthorizationException) {
      return new Result(
          State.NOT_AUTHORIZED,
          "not allowed to read the configuration of Kafka topic "
              + topic
              + " ("
              + cause.getClass().getSimpleName()
              + "): grant this component's Kafka user the Describe and DescribeConfigs operations"
              + " on that topic (Strimzi KafkaUser acls, or kafka-acls.sh --add --operation"
              + " DescribeConfigs --topic "
              + topic
              + ")");
    }
    return new Result(
        State.UNREACHABLE,
        "could not read the configuration of Kafka topic "
            + topic
            + " from "
            + bootstrapServers
            + " ("
            + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage())
            + ")");
  }

  /** The command that makes {@code topic} compacted. */
  public static String fixCommand(String topic, String bootstrapServers) {
    boolean standard = topic.equals(PodflowTopic.POLICIES.topic());
    String kafkaConfigs =
        "kafka-configs.sh --bootstrap-server "
            + bootstrapServers
            + " --alter --entity-type topics --entity-name "
            + topic
            + " --add-config cleanup.policy=compact";
    return standard
        ? "podflow setup --bootstrap-servers "
            + bootstrapServers
            + " --fix (or "
            + kafkaConfigs
            + ")"
        : kafkaConfigs;
  }
}
