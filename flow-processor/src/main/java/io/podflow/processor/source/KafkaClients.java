package io.podflow.processor.source;

import io.podflow.schema.kafka.KafkaClientProperties;
import java.util.Properties;

/** The user's Kafka client settings as a source builder takes them. */
final class KafkaClients {
  private KafkaClients() {}

  static Properties properties(KafkaClientProperties client) {
    Properties p = new Properties();
    p.putAll(client.asMap());
    return p;
  }
}
