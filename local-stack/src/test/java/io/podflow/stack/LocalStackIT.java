package io.podflow.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class LocalStackIT {

  @Test
  void startsRealServersThatAnswerAndLeavesNothingBehindWhenClosed() throws Exception {
    LocalStack stack = LocalStack.start(LocalStack.Options.defaults());
    List<ProcessHandle> servers;
    try {
      servers = ProcessHandle.current().children().toList();
      assertThat(servers).hasSizeGreaterThanOrEqualTo(2);

      String json = get(stack.openSearch().httpUri() + "/");
      assertThat(json).contains("\"number\" : \"2.19.6\"");

      stack.kafka().createTopics(List.of(new NewTopic("stack-check", 1, (short) 1)));
      try (var producer = producer(stack.kafka())) {
        producer.send(new ProducerRecord<>("stack-check", "k", "hello")).get(30, TimeUnit.SECONDS);
      }
      try (var consumer = consumer(stack.kafka())) {
        consumer.subscribe(List.of("stack-check"));
        List<String> values = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (values.isEmpty() && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
            values.add(r.value());
          }
        }
        assertThat(values).containsExactly("hello");
      }
    } finally {
      stack.close();
    }
    assertThat(servers).noneMatch(ProcessHandle::isAlive);
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(Files.exists(stack.dir())).isFalse();
  }

  @Test
  void kafkaBrokerRestartsOnTheSameAddressWithItsData() throws Exception {
    try (LocalStack stack = LocalStack.start(LocalStack.Options.defaults())) {
      KafkaBroker kafka = stack.kafka();
      kafka.createTopics(List.of(new NewTopic("restart-check", 1, (short) 1)));
      try (var producer = producer(kafka)) {
        producer
            .send(new ProducerRecord<>("restart-check", "k", "before"))
            .get(30, TimeUnit.SECONDS);
      }
      kafka.stop();
      assertThat(kafka.isRunning()).isFalse();
      kafka.start(Duration.ofSeconds(90));
      try (var consumer = consumer(kafka)) {
        consumer.subscribe(List.of("restart-check"));
        List<String> values = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (values.isEmpty() && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
        }
        assertThat(values).containsExactly("before");
      }
    }
  }

  private static String get(String uri) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(java.net.URI.create(uri)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  static KafkaProducer<String, String> producer(KafkaBroker kafka) {
    Properties p = new Properties();
    p.putAll(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
    return new KafkaProducer<>(p);
  }

  static KafkaConsumer<String, String> consumer(KafkaBroker kafka) {
    Properties p = new Properties();
    p.putAll(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, "stack-check-" + System.nanoTime(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
    return new KafkaConsumer<>(p);
  }
}
