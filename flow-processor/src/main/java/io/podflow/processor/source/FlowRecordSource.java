package io.podflow.processor.source;

import io.podflow.schema.kafka.KafkaClientProperties;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Kafka source of encoded flow records. Records stay bytes until a function decodes them, so an
 * undecodable record is handled (counted, sent aside) in one place instead of failing the source.
 */
public final class FlowRecordSource {
  private FlowRecordSource() {}

  /**
   * Reads {@code topic} from the earliest offset.
   *
   * @param client the user's client settings (TLS, SASL); the source's own go on top
   * @param bounded stop at the offsets that are latest when the job starts (replays, tests)
   */
  public static KafkaSource<byte[]> create(
      String bootstrapServers,
      KafkaClientProperties client,
      String topic,
      String groupId,
      boolean bounded) {
    var builder =
        KafkaSource.<byte[]>builder()
            .setProperties(KafkaClients.properties(client))
            .setBootstrapServers(bootstrapServers)
            .setTopics(topic)
            .setGroupId(groupId)
            .setStartingOffsets(OffsetsInitializer.earliest())
            .setDeserializer(
                KafkaRecordDeserializationSchema.valueOnly(ByteArrayDeserializer.class));
    if (bounded) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }
}
