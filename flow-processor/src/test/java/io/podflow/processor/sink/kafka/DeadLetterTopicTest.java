package io.podflow.processor.sink.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** What a letter carries: its document's key, its reason, and a value that fits a request. */
class DeadLetterTopicTest {
  private final MockProducer<byte[], byte[]> kafka =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final DeadLetterTopic.Producer letters =
      DeadLetterTopic.Producer.over(kafka, "podflow-dead-letters");

  @Test
  void aLetterIsKeyedByItsDocumentsIndexAndId() throws Exception {
    letters.send("podflow-flows-2026.12.03/abc", "mapping conflict", "{}".getBytes());
    letters.flush();

    ProducerRecord<byte[], byte[]> sent = kafka.history().get(0);
    assertThat(new String(sent.key(), StandardCharsets.UTF_8))
        .isEqualTo("podflow-flows-2026.12.03/abc");
    assertThat(sent.headers().lastHeader(DeadLetterTopic.TRUNCATED_HEADER)).isNull();
    assertThat(letters.truncated()).isZero();
  }

  @Test
  void aValueOverTheRequestLimitIsCutMarkedWithItsLengthAndCounted() throws Exception {
    byte[] huge = new byte[2 * 1024 * 1024];
    letters.send("podflow-flows-2026.12.03/big", "too large", huge);
    letters.flush();

    ProducerRecord<byte[], byte[]> sent = kafka.history().get(0);
    assertThat(sent.value()).hasSize(DeadLetterTopic.MAX_VALUE_BYTES);
    assertThat(DeadLetterTopic.MAX_VALUE_BYTES).isLessThan(1_048_576);
    assertThat(
            new String(
                sent.headers().lastHeader(DeadLetterTopic.TRUNCATED_HEADER).value(),
                StandardCharsets.UTF_8))
        .isEqualTo(Integer.toString(huge.length));
    assertThat(letters.truncated()).isEqualTo(1);
  }
}
