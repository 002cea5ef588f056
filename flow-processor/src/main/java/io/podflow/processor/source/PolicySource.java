package io.podflow.processor.source;

import io.podflow.schema.kafka.KafkaClientProperties;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The Kafka source of the compacted policy topic, read from its start (compaction keeps the last
 * value of every key, so the start is the whole state) and then followed.
 */
public final class PolicySource {
  private PolicySource() {}

  /**
   * @param client the user's client settings (TLS, SASL); the source's own go on top
   * @param bounded stop at the offsets that are latest when the job starts (replays, tests)
   */
  public static KafkaSource<PolicyChange> create(
      String bootstrapServers,
      KafkaClientProperties client,
      String topic,
      String groupId,
      boolean bounded) {
    var builder =
        KafkaSource.<PolicyChange>builder()
            .setProperties(KafkaClients.properties(client))
            .setBootstrapServers(bootstrapServers)
            .setTopics(topic)
            .setGroupId(groupId + "-policies")
            .setStartingOffsets(OffsetsInitializer.earliest())
            .setDeserializer(new Deserializer());
    if (bounded) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }

  /** Key and value as they are; a record without a key names nothing and is skipped. */
  static final class Deserializer implements KafkaRecordDeserializationSchema<PolicyChange> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<PolicyChange> out) {
      if (record.key() != null) {
        out.collect(
            new PolicyChange(new String(record.key(), StandardCharsets.UTF_8), record.value()));
      }
    }

    @Override
    public TypeInformation<PolicyChange> getProducedType() {
      return TypeInformation.of(PolicyChange.class);
    }
  }
}
