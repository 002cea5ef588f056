package io.podflow.processor.sink.kafka;

import io.podflow.processor.job.DeadLetter;
import io.podflow.schema.kafka.KafkaClientProperties;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Records the job could not use, to the dead-letter topic: the bytes as they came, the reason in
 * the {@code podflow.reason} header. At least once: a dead letter repeated after a restore is
 * harmless, a lost one is not.
 */
public final class DeadLetterSink {
  public static final String REASON_HEADER = "podflow.reason";

  private DeadLetterSink() {}

  /**
   * @param client the user's client settings (TLS, SASL); acks=all and idempotence go on top
   */
  public static KafkaSink<DeadLetter> create(
      String bootstrapServers, KafkaClientProperties client, String topic) {
    return KafkaSink.<DeadLetter>builder()
        .setKafkaProducerConfig(ProducerSettings.of(client))
        .setBootstrapServers(bootstrapServers)
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .setRecordSerializer(new Serializer(topic))
        .build();
  }

  private record Serializer(String topic) implements KafkaRecordSerializationSchema<DeadLetter> {
    @Override
    public ProducerRecord<byte[], byte[]> serialize(
        DeadLetter letter, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(
          topic,
          null,
          null,
          null,
          letter.value,
          List.of(new RecordHeader(REASON_HEADER, letter.reason.getBytes(StandardCharsets.UTF_8))));
    }
  }
}
