package io.podflow.processor.sink.opensearch;

import io.podflow.processor.sink.kafka.DeadLetterTopic;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Indexes documents into OpenSearch with bulk requests, by count and by time. At least once, and
 * exactly once in effect: what is not indexed at a checkpoint is in the checkpoint (the writer's
 * state), and a replay writes documents whose ids are derived from their content, so it overwrites
 * instead of duplicating. What may pass later (429, 5xx, OpenSearch away, and refused credentials
 * or permissions, which someone fixes) is retried with backoff on timers, never by sleeping in the
 * task; a document OpenSearch refuses for good (a mapping conflict, or too large alone) goes to the
 * dead-letter topic with OpenSearch's reason; a request too large is halved until it passes.
 */
public final class OpenSearchSink
    implements Sink<Document>, SupportsWriterState<Document, PendingDocuments> {
  private static final long serialVersionUID = 1L;

  private final OpenSearchEndpoint endpoint;
  private final int bulkActions;
  private final Duration bulkInterval;
  private final DeadLetterTopic deadLetters;

  public OpenSearchSink(
      OpenSearchEndpoint endpoint,
      int bulkActions,
      Duration bulkInterval,
      DeadLetterTopic deadLetters) {
    if (bulkActions < 1) {
      throw new IllegalArgumentException("bulkActions must be at least 1");
    }
    this.endpoint = endpoint;
    this.bulkActions = bulkActions;
    this.bulkInterval = bulkInterval;
    this.deadLetters = deadLetters;
  }

  @Override
  public StatefulSinkWriter<Document, PendingDocuments> createWriter(WriterInitContext context) {
    return new BulkWriter(endpoint, bulkActions, bulkInterval, deadLetters, context, List.of());
  }

  @Override
  public StatefulSinkWriter<Document, PendingDocuments> restoreWriter(
      WriterInitContext context, Collection<PendingDocuments> state) {
    return new BulkWriter(endpoint, bulkActions, bulkInterval, deadLetters, context, state);
  }

  @Override
  public SimpleVersionedSerializer<PendingDocuments> getWriterStateSerializer() {
    return PendingDocuments.Serializer.INSTANCE;
  }
}
