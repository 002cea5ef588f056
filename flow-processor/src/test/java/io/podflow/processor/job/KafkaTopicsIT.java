package io.podflow.processor.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podflow.schema.kafka.KafkaClientProperties;
import io.podflow.schema.kafka.PodflowTopic;
import io.podflow.schema.kafka.TopicSetup;
import io.podflow.schema.kafka.TopicSetup.Outcome;
import io.podflow.schema.kafka.TopicSetup.Plan;
import io.podflow.schema.kafka.TopicSetup.Status;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.junit.LocalStackExtension;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Topics as code against the real local Kafka: {@code podflow setup}'s logic creates the topics
 * with their settings and changes nothing when run again; a policies topic that is not compacted is
 * reported (or fixed when asked), and the processor refuses to start on it or on none.
 */
@ExtendWith(LocalStackExtension.class)
class KafkaTopicsIT {
  @Test
  void setupCreatesTheTopicsWithTheirSettingsAndChangesNothingTheSecondTime(KafkaBroker kafka)
      throws Exception {
    String servers = kafka.bootstrapServers();
    Plan sixFlowPartitions = new Plan(Map.of(PodflowTopic.FLOWS, 6), Optional.empty(), false);

    List<Outcome> first = TopicSetup.apply(servers, KafkaClientProperties.NONE, sixFlowPartitions);
    assertThat(first).extracting(Outcome::status).containsOnly(Status.CREATED).hasSize(4);
    try (Admin admin = admin(servers)) {
      assertThat(config(admin, PodflowTopic.POLICIES).get("cleanup.policy").value())
          .isEqualTo("compact");
      assertThat(config(admin, PodflowTopic.FLOWS).get("retention.ms").value())
          .isEqualTo("86400000");
      assertThat(config(admin, PodflowTopic.FLOWS).get("cleanup.policy").value())
          .isEqualTo("delete");
      assertThat(config(admin, PodflowTopic.ALERTS).get("retention.ms").value())
          .isEqualTo("604800000");
      assertThat(config(admin, PodflowTopic.DEAD_LETTERS).get("retention.ms").value())
          .isEqualTo("604800000");
      assertThat(
              admin
                  .describeTopics(List.of(PodflowTopic.FLOWS.topic()))
                  .allTopicNames()
                  .get()
                  .get(PodflowTopic.FLOWS.topic())
                  .partitions())
          .hasSize(6);
    }

    assertThat(TopicSetup.apply(servers, KafkaClientProperties.NONE, sixFlowPartitions))
        .extracting(Outcome::status)
        .containsOnly(Status.UNCHANGED);

    // Asked for other partitions: said, and left alone (repartitioning moves connections' keys).
    List<Outcome> other = TopicSetup.apply(servers, KafkaClientProperties.NONE, Plan.defaults());
    assertThat(outcome(other, PodflowTopic.FLOWS).status()).isEqualTo(Status.DIFFERS);
    assertThat(outcome(other, PodflowTopic.FLOWS).detail()).contains("6 partitions (asked for 12)");
    assertThat(outcome(other, PodflowTopic.POLICIES).status()).isEqualTo(Status.UNCHANGED);

    // Someone made the policies topic delete by age.
    try (Admin admin = admin(servers)) {
      admin
          .incrementalAlterConfigs(
              Map.of(
                  resource(PodflowTopic.POLICIES),
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SET))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    Outcome unusable =
        outcome(
            TopicSetup.apply(servers, KafkaClientProperties.NONE, sixFlowPartitions),
            PodflowTopic.POLICIES);
    assertThat(unusable.status()).isEqualTo(Status.UNUSABLE);
    assertThat(unusable.detail())
        .contains("podflow.policies.v1 has cleanup.policy=delete")
        .contains("podflow setup --bootstrap-servers " + servers + " --fix");

    ProcessorConfig standardTopics = config(servers);
    assertThatThrownBy(() -> FlowProcessorJob.requireCompactedPolicies(standardTopics))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("podflow flow processor will not start: ")
        .hasMessageContaining("Kafka topic podflow.policies.v1 has cleanup.policy=delete")
        .hasMessageContaining("--fix");

    Outcome fixed =
        outcome(
            TopicSetup.apply(
                servers,
                KafkaClientProperties.NONE,
                new Plan(Map.of(PodflowTopic.FLOWS, 6), Optional.empty(), true)),
            PodflowTopic.POLICIES);
    assertThat(fixed.status()).isEqualTo(Status.FIXED);
    FlowProcessorJob.requireCompactedPolicies(standardTopics); // starts now
  }

  @Test
  void theProcessorRefusesToStartWithoutItsPoliciesTopic(KafkaBroker kafka) {
    ProcessorConfig config =
        ProcessorConfig.parse(
            new String[] {
              "--bootstrap-servers=" + kafka.bootstrapServers(),
              "--opensearch=http://127.0.0.1:9200",
              "--policies-topic=missing" + System.nanoTime()
            },
            Map.of());
    assertThatThrownBy(() -> FlowProcessorJob.requireCompactedPolicies(config))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not exist")
        .hasMessageContaining("podflow setup --bootstrap-servers " + kafka.bootstrapServers());
    // Asking did not create it (a broker that creates topics on use would make it uncompacted).
    try (Admin admin = admin(kafka.bootstrapServers())) {
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .doesNotContain(config.policiesTopic());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static ProcessorConfig config(String servers) {
    return ProcessorConfig.parse(
        new String[] {"--bootstrap-servers=" + servers, "--opensearch=http://127.0.0.1:9200"},
        Map.of());
  }

  private static Outcome outcome(List<Outcome> outcomes, PodflowTopic topic) {
    return outcomes.stream().filter(o -> o.topic() == topic).findFirst().orElseThrow();
  }

  private static Admin admin(String servers) {
    return Admin.create(KafkaClientProperties.NONE.adminConfig(servers, 30_000));
  }

  private static ConfigResource resource(PodflowTopic topic) {
    return new ConfigResource(ConfigResource.Type.TOPIC, topic.topic());
  }

  /**
   * A topic's configuration. The broker learns of a topic the controller just created through its
   * metadata log, a moment later (under load, after the creation's answer): until then describing
   * it says the topic is unknown, so that answer is asked again for a while.
   */
  private static Config config(Admin admin, PodflowTopic topic) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return admin
            .describeConfigs(List.of(resource(topic)))
            .all()
            .get(30, TimeUnit.SECONDS)
            .get(resource(topic));
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}
