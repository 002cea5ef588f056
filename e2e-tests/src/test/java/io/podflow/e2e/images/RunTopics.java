package io.podflow.e2e.images;

import io.podflow.stack.KafkaBroker;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A test run's own flows and policies topics on the shared broker, made as {@code podflow setup}
 * makes them (policies compacted, which agent and processor check at start).
 */
public record RunTopics(String flows, String policies) {
  public static RunTopics create(KafkaBroker kafka, String run) {
    RunTopics topics = new RunTopics(run + ".flows", run + ".policies");
    kafka.createTopics(
        List.of(
            new NewTopic(topics.flows(), 1, (short) 1),
            new NewTopic(topics.policies(), 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact"))));
    return topics;
  }
}
