package io.podflow.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podflow.stack.KafkaBroker.ScramUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A broker with TLS, SCRAM-SHA-512 and Kafka's StandardAuthorizer grants each component's user
 * exactly its ACLs from {@link PodflowAcls}: plain Kafka clients, no podflow code in between.
 */
class SecuredKafkaIT {
  private static final ScramUser ADMIN =
      new ScramUser("podflow-admin", "admin-" + System.nanoTime());
  private static final ScramUser AGENT = new ScramUser(PodflowAcls.AGENT_USER, "agent-secret");
  private static final ScramUser PROCESSOR =
      new ScramUser(PodflowAcls.PROCESSOR_USER, "processor-secret");

  private static Path dir;
  private static KafkaBroker kafka;

  @BeforeAll
  static void startBroker() throws Exception {
    dir = Files.createTempDirectory("podflow-secured-kafka-");
    long started = System.nanoTime();
    kafka =
        KafkaBroker.start(
            dir,
            Duration.ofSeconds(120),
            KafkaBroker.Options.plaintext()
                .withSecuredListener(
                    new KafkaBroker.SecuredListener(
                        ADMIN, List.of(AGENT, PROCESSOR), PodflowAcls.ALL)));
    System.out.printf(
        "secured Kafka (certificates, format, start, ACLs) in %.1f s%n",
        (System.nanoTime() - started) / 1e9);
    kafka.createTopics(
        List.of(
            new NewTopic(PodflowAcls.FLOWS, 2, (short) 1),
            new NewTopic(PodflowAcls.POLICIES, 1, (short) 1),
            new NewTopic(PodflowAcls.ALERTS, 1, (short) 1),
            new NewTopic(PodflowAcls.DEAD_LETTERS, 1, (short) 1)));
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
    if (dir != null) {
      LocalStack.deleteTree(dir);
    }
  }

  @Test
  void theAgentPublishesFlowsAndTheProcessorReadsThemInItsGroup() throws Exception {
    try (var producer = producer(AGENT)) {
      producer
          .send(new ProducerRecord<>(PodflowAcls.FLOWS, "k", "flow-1"))
          .get(30, TimeUnit.SECONDS);
    }
    try (var consumer = consumer(PROCESSOR, PodflowAcls.PROCESSOR_GROUP_PREFIX)) {
      consumer.subscribe(List.of(PodflowAcls.FLOWS));
      List<String> values = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (values.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
      }
      assertThat(values).containsExactly("flow-1");
    }
  }

  @Test
  void theProcessorsPropertiesFileReadsItsPasswordFromASecretFile() throws Exception {
    try (var producer = producer(AGENT)) {
      producer
          .send(new ProducerRecord<>(PodflowAcls.FLOWS, "k", "via-file"))
          .get(30, TimeUnit.SECONDS);
    }
    Path file =
        ClientCredentialFiles.writeKafkaProperties(dir.resolve("processor"), kafka, PROCESSOR);
    assertThat(Files.readString(file)).doesNotContain(PROCESSOR.password());
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(file)) {
      p.load(in);
    }
    p.put("bootstrap.servers", kafka.securedBootstrapServers());
    p.put("group.id", PodflowAcls.PROCESSOR_GROUP_PREFIX + "-file");
    p.put("auto.offset.reset", "earliest");
    try (var consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(PodflowAcls.FLOWS));
      List<String> values = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!values.contains("via-file") && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
      }
      assertThat(values).contains("via-file");
    }
  }

  @Test
  void theAgentWritingAlertsIsRefusedByTheAuthorizer() {
    try (var producer = producer(AGENT)) {
      assertThatThrownBy(
              () ->
                  producer
                      .send(new ProducerRecord<>(PodflowAcls.ALERTS, "k", "not mine"))
                      .get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(TopicAuthorizationException.class)
          .hasMessageContaining(PodflowAcls.ALERTS);
    }
  }

  @Test
  void theProcessorCannotWriteFlowsNorReadWithAGroupOutsideItsPrefix() {
    try (var producer = producer(PROCESSOR)) {
      assertThatThrownBy(
              () ->
                  producer
                      .send(new ProducerRecord<>(PodflowAcls.FLOWS, "k", "forged"))
                      .get(30, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(TopicAuthorizationException.class);
    }
    try (var consumer = consumer(PROCESSOR, "someone-else")) {
      consumer.subscribe(List.of(PodflowAcls.FLOWS));
      assertThatThrownBy(
              () -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline) {
                  consumer.poll(Duration.ofMillis(500));
                }
              })
          .isInstanceOf(GroupAuthorizationException.class);
    }
  }

  @Test
  void theProcessorWritesAlertsAndDeadLetters() throws Exception {
    try (var producer = producer(PROCESSOR)) {
      producer.send(new ProducerRecord<>(PodflowAcls.ALERTS, "k", "a")).get(30, TimeUnit.SECONDS);
      producer
          .send(new ProducerRecord<>(PodflowAcls.DEAD_LETTERS, "k", "d"))
          .get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aWrongPasswordIsRefused() {
    try (var producer = producer(new ScramUser(AGENT.name(), "guess"))) {
      assertThatThrownBy(
              () ->
                  producer
                      .send(new ProducerRecord<>(PodflowAcls.FLOWS, "k", "v"))
                      .get(30, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(SaslAuthenticationException.class);
    }
  }

  private static KafkaProducer<String, String> producer(ScramUser user) {
    Map<String, Object> p = new HashMap<>(kafka.securedClientProperties(user));
    p.put("acks", "all");
    p.put("max.block.ms", "20000");
    p.put("delivery.timeout.ms", "25000");
    p.put("request.timeout.ms", "20000");
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  private static KafkaConsumer<String, String> consumer(ScramUser user, String group) {
    Map<String, Object> p = new HashMap<>(kafka.securedClientProperties(user));
    p.put("group.id", group);
    p.put("auto.offset.reset", "earliest");
    return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
  }
}
