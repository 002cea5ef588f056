package io.podflow.stack;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic from its beginning to the end it has now, partition by partition (no consumer
 * group, so no waiting for a rebalance): what was acknowledged before the call is all there. For
 * tests and checks against the local broker.
 */
public final class TopicReader {
  private TopicReader() {}

  public static List<ConsumerRecord<byte[], byte[]>> all(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to its end in 60 s");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** The topic's values, in partition order, decoded by {@code decode}. */
  public static <T> List<T> values(
      String bootstrap, String topic, java.util.function.Function<byte[], T> decode) {
    List<T> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : all(bootstrap, topic)) {
      out.add(decode.apply(r.value()));
    }
    return out;
  }

  /** The latest value of each key (null for a tombstone), as a compacted topic keeps them. */
  public static Map<String, String> latest(String bootstrap, String topic) {
    Map<String, String> out = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : all(bootstrap, topic)) {
      out.put(
          new String(r.key(), StandardCharsets.UTF_8),
          r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
    }
    return out;
  }
}
