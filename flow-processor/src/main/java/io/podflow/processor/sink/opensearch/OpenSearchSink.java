package io.podflow.processor.sink.opensearch;

import java.time.Duration;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Indexes documents into OpenSearch with bulk requests, by count and by time, and flushes at every
 * checkpoint: a checkpoint completes only once what came before it is indexed, and a replay from it
 * writes documents whose ids are derived from their content, so it overwrites instead of
 * duplicating (exactly once in effect). Rejections that may pass later (429, 5xx, OpenSearch away)
 * are retried with backoff until they pass; documents OpenSearch refuses for good (a mapping
 * conflict) are counted and logged.
 */
public final class OpenSearchSink implements Sink<Document> {
  private static final long serialVersionUID = 1L;

  private final OpenSearchEndpoint endpoint;
  private final int bulkActions;
  private final Duration bulkInterval;

  public OpenSearchSink(OpenSearchEndpoint endpoint, int bulkActions, Duration bulkInterval) {
    this.endpoint = endpoint;
    this.bulkActions = bulkActions;
    this.bulkInterval = bulkInterval;
  }

  @Override
  public SinkWriter<Document> createWriter(WriterInitContext context) {
    return new BulkWriter(endpoint, bulkActions, bulkInterval, context);
  }
}
