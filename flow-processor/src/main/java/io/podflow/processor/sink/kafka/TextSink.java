package io.podflow.processor.sink.kafka;

import io.podflow.schema.kafka.KafkaClientProperties;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerRecord;

/** JSON texts (alerts) to a Kafka topic, at least once. */
public final class TextSink {
  private TextSink() {}

  /**
   * @param client the user's client settings (TLS, SASL); acks=all and idempotence go on top
   */
  public static KafkaSink<String> create(
      String bootstrapServers, KafkaClientProperties client, String topic) {
    return KafkaSink.<String>builder()
        .setKafkaProducerConfig(ProducerSettings.of(client))
        .setBootstrapServers(bootstrapServers)
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .setRecordSerializer(new Serializer(topic))
        .build();
  }

  private record Serializer(String topic) implements KafkaRecordSerializationSchema<String> {
    @Override
    public ProducerRecord<byte[], byte[]> serialize(
        String text, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(topic, text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
