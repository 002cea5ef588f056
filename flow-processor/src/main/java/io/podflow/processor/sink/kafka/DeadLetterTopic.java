package io.podflow.processor.sink.kafka;

import io.podflow.schema.kafka.KafkaClientProperties;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The dead-letter topic as a sink's writer reaches it directly, for what a sink itself finds it
 * cannot deliver (a document OpenSearch refuses): same topic and header as {@link DeadLetterSink},
 * at least once because the writer {@link Producer#flush flushes} before each checkpoint.
 */
public record DeadLetterTopic(String bootstrapServers, KafkaClientProperties client, String topic)
    implements Serializable {
  public DeadLetterTopic {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(topic, "topic");
  }

  public Producer open() {
    var settings = ProducerSettings.of(client);
    settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return new Producer(
        new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer()), topic);
  }

  /** Header of a letter whose value was cut to {@link #MAX_VALUE_BYTES}: the original length. */
  public static final String TRUNCATED_HEADER = "podflow.truncated";

  /**
   * The largest value a letter carries: below the producer's {@code max.request.size} (1 MiB by
   * default, which the producer settings leave alone) with room for key, reason and headers. A
   * larger value would fail the send, the next flush, the checkpoint, and again after every
   * restart; it is cut instead, marked and counted.
   */
  public static final int MAX_VALUE_BYTES = 1_048_576 - 64 * 1024;

  /** An open producer to the topic; one per writer. */
  public static final class Producer implements AutoCloseable {
    private final org.apache.kafka.clients.producer.Producer<byte[], byte[]> producer;
    private final String topic;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final AtomicLong truncated = new AtomicLong();

    private Producer(
        org.apache.kafka.clients.producer.Producer<byte[], byte[]> producer, String topic) {
      this.producer = producer;
      this.topic = topic;
    }

    /** Over a given Kafka producer (Kafka's {@code MockProducer} in the sinks' unit tests). */
    public static Producer over(
        org.apache.kafka.clients.producer.Producer<byte[], byte[]> producer, String topic) {
      return new Producer(producer, topic);
    }

    /**
     * Sends {@code value} with its reason, keyed by {@code key} (a document's {@code index/id}:
     * letters for one document land in one partition, in order, and can be found by it); a failure
     * is raised by the next {@link #flush}.
     */
    public void send(String key, String reason, byte[] value) {
      List<Header> headers = new ArrayList<>(2);
      headers.add(
          new RecordHeader(DeadLetterSink.REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8)));
      if (value.length > MAX_VALUE_BYTES) {
        headers.add(
            new RecordHeader(
                TRUNCATED_HEADER, Integer.toString(value.length).getBytes(StandardCharsets.UTF_8)));
        value = Arrays.copyOf(value, MAX_VALUE_BYTES);
        truncated.incrementAndGet();
      }
      producer.send(
          new ProducerRecord<>(
              topic, null, null, key.getBytes(StandardCharsets.UTF_8), value, headers),
          (metadata, e) -> {
            if (e != null) {
              failure.compareAndSet(null, e);
            }
          });
    }

    /** How many letters were cut to {@link #MAX_VALUE_BYTES}. */
    public long truncated() {
      return truncated.get();
    }

    /** Waits until everything sent is acknowledged; throws if anything was not. */
    public void flush() throws IOException {
      producer.flush();
      Exception e = failure.getAndSet(null);
      if (e != null) {
        throw new IOException("could not write to the dead-letter topic " + topic, e);
      }
    }

    @Override
    public void close() {
      producer.close();
    }
  }
}
