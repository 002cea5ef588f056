package io.podflow.agent.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podflow.agent.publish.PublisherConfig;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.TopicReader;
import io.podflow.stack.junit.LocalStackExtension;
import io.podflow.stack.lab.MockApiServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Leader-elected publication of NetworkPolicies and Namespaces to a compacted topic. */
@ExtendWith(LocalStackExtension.class)
class PolicyPublisherIT {
  @TempDir Path dir;

  @Test
  void oneElectedAgentPublishesPoliciesWithTombstonesAndAnotherTakesOver(KafkaBroker kafka)
      throws Exception {
    String topic = "policies-" + System.nanoTime();
    kafka.createTopics(
        List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))));
    // A policy deleted while no agent was leader: the topic still has it.
    try (KafkaProducer<byte[], byte[]> p = producer(kafka.bootstrapServers())) {
      p.send(new ProducerRecord<>(topic, bytes("lab/shop/gone"), bytes("{}"))).get();
      p.send(new ProducerRecord<>(topic, bytes("other-cluster/x/y"), bytes("{}"))).get();
    }
    try (MockApiServer api = new MockApiServer();
        KubernetesClient client = api.server().createClient()) {
      client.resource(namespace("podflow")).create();
      client.resource(namespace("shop")).create();
      client.resource(policy("deny-all")).create();

      PublisherConfig config =
          PublisherConfig.of(kafka.bootstrapServers(), dir.resolve("spool")).withTopic(topic);
      PolicyPublisher a = new PolicyPublisher(client, settings(topic, "agent-a"), config).start();
      PolicyPublisher b = new PolicyPublisher(client, settings(topic, "agent-b"), config).start();
      try {
        await(() -> a.isLeader() || b.isLeader());
        PolicyPublisher leader = a.isLeader() ? a : b;
        PolicyPublisher other = leader == a ? b : a;
        assertThat(other.isLeader()).isFalse();

        await(
            () ->
                TopicReader.latest(kafka.bootstrapServers(), topic)
                    .containsKey("lab/shop/deny-all"));
        Map<String, String> state = TopicReader.latest(kafka.bootstrapServers(), topic);
        assertThat(state.get("lab/shop/deny-all"))
            .contains("\"kind\":\"NetworkPolicy\"")
            .contains("\"name\":\"deny-all\"");
        assertThat(state.get("lab//shop")).contains("\"kind\":\"Namespace\"");
        assertThat(state).containsEntry("lab/shop/gone", null); // tombstoned on election
        assertThat(state).containsEntry("other-cluster/x/y", "{}"); // not this cluster's

        client.network().v1().networkPolicies().inNamespace("shop").withName("deny-all").delete();
        await(
            () ->
                TopicReader.latest(kafka.bootstrapServers(), topic).get("lab/shop/deny-all")
                    == null);

        leader.close(); // releases the Lease
        await(other::isLeader);
        client.resource(policy("allow-web")).create();
        await(
            () ->
                TopicReader.latest(kafka.bootstrapServers(), topic).get("lab/shop/allow-web")
                    != null);
      } finally {
        a.close();
        b.close();
      }
    }
  }

  @Test
  void anAgentRefusesToStartOnAPoliciesTopicThatIsNotCompacted(KafkaBroker kafka) throws Exception {
    String topic = "policies-deleting-" + System.nanoTime();
    kafka.createTopics(List.of(new NewTopic(topic, 1, (short) 1))); // the broker's default: delete
    try (MockApiServer api = new MockApiServer();
        KubernetesClient client = api.server().createClient()) {
      PublisherConfig config =
          PublisherConfig.of(kafka.bootstrapServers(), dir.resolve("spool")).withTopic(topic);
      PolicyPublisher publisher = new PolicyPublisher(client, settings(topic, "agent-a"), config);
      assertThatThrownBy(publisher::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("podflow agent will not start: Kafka topic " + topic)
          .hasMessageContaining("has cleanup.policy=delete")
          .hasMessageContaining("--add-config cleanup.policy=compact");
      publisher.close();
    }
  }

  @Test
  void anAgentStartedBeforeSetupPublishesOnceTheCompactedTopicIsThereAndNeverCreatesIt(
      KafkaBroker kafka) throws Exception {
    String topic = "policies-later-" + System.nanoTime();
    try (MockApiServer api = new MockApiServer();
        KubernetesClient client = api.server().createClient()) {
      client.resource(namespace("podflow")).create();
      client.resource(namespace("shop")).create();
      client.resource(policy("deny-all")).create();
      PublisherConfig config =
          PublisherConfig.of(kafka.bootstrapServers(), dir.resolve("spool")).withTopic(topic);
      try (PolicyPublisher publisher =
          new PolicyPublisher(client, settings(topic, "agent-a"), config).start()) {
        // Elected, checked, stepped back, paused: long enough for several rounds of that.
        Thread.sleep(5_000);
        assertThat(publisher.published()).isZero();
        try (Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
          // The broker creates topics on first use: had the agent produced or asked for the
          // topic's partitions, it would exist now, deleting by age.
          assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(topic);
        }
        kafka.createTopics(
            List.of(
                new NewTopic(topic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))));
        await(
            () ->
                TopicReader.latest(kafka.bootstrapServers(), topic)
                    .containsKey("lab/shop/deny-all"));
        // Leading counts from the end of the resync (tombstones read back, producer flushed),
        // which follows the first records' arrival.
        await(publisher::isLeader);
      }
    }
  }

  private static PolicySettings settings(String topic, String identity) {
    return new PolicySettings(
        "lab",
        identity,
        topic,
        "podflow",
        "podflow-policy-publisher",
        Duration.ofSeconds(3),
        Duration.ofSeconds(2),
        Duration.ofMillis(300));
  }

  private static io.fabric8.kubernetes.api.model.Namespace namespace(String name) {
    return new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build();
  }

  private static io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy policy(String name) {
    return new NetworkPolicyBuilder()
        .withNewMetadata()
        .withNamespace("shop")
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withNewPodSelector()
        .endPodSelector()
        .withPolicyTypes("Ingress")
        .endSpec()
        .build();
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition reached in time").isLessThan(deadline);
      Thread.sleep(100);
    }
  }
}
