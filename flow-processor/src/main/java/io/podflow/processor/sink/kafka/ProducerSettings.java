package io.podflow.processor.sink.kafka;

import io.podflow.schema.kafka.KafkaClientProperties;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The producer settings of the job's Kafka sinks: the user's (TLS, SASL), then acks=all and
 * idempotence, said here rather than left to Kafka's defaults, so that no default of another client
 * version weakens them ({@link KafkaClientProperties#refusals} keeps the user from doing so).
 */
final class ProducerSettings {
  private ProducerSettings() {}

  static Properties of(KafkaClientProperties client) {
    Properties p = new Properties();
    p.putAll(client.asMap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return p;
  }
}
