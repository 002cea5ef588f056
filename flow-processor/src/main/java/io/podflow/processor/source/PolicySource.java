package io.podflow.processor.source;

import io.podflow.schema.kafka.KafkaClientProperties;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
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

  /**
   * Key and value as they are; a record that names nothing (no key, a key of another form) is not
   * passed on. Every record the job cannot use is logged and counted ({@link
   * RejectedPolicyRecords}): metrics {@code policyRecordsRejected} (records) and {@code
   * policiesUnreadable} (keys whose latest record is unusable), in the source's {@code
   * deserializer} group.
   */
  static final class Deserializer implements KafkaRecordDeserializationSchema<PolicyChange> {
    private static final long serialVersionUID = 1L;

    static final String REJECTED = "policyRecordsRejected";
    static final String UNREADABLE = "policiesUnreadable";

    private transient RejectedPolicyRecords rejected;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
      MetricGroup metrics = context.getMetricGroup();
      rejected = new RejectedPolicyRecords(metrics.counter(REJECTED, new SimpleCounter()));
      metrics.gauge(UNREADABLE, () -> rejected.unreadable());
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<PolicyChange> out) {
      String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
      String where = record.topic() + "-" + record.partition() + "@" + record.offset();
      if (rejected.accept(key, record.value(), where)) {
        out.collect(new PolicyChange(key, record.value()));
      }
    }

    @Override
    public TypeInformation<PolicyChange> getProducedType() {
      return TypeInformation.of(PolicyChange.class);
    }
  }
}
