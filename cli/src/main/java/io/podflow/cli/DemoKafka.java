package io.podflow.cli;

import io.podflow.processor.job.FlowTopics;
import io.podflow.schema.flow.v1.FlowRecord;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Produces the demo's flow records, waiting for every acknowledgement. */
final class DemoKafka {
  private DemoKafka() {}

  static int produce(String bootstrap, List<FlowRecord> records) throws Exception {
    Properties config = new Properties();
    config.putAll(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ByteArraySerializer.class.getName(),
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ByteArraySerializer.class.getName()));
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
      for (FlowRecord record : records) {
        producer
            .send(new ProducerRecord<>(FlowTopics.FLOWS, null, record.toByteArray()))
            .get(30, TimeUnit.SECONDS);
      }
    }
    return records.size();
  }
}
