package io.podflow.processor.sink.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The writer of {@link OpenSearchSink}: one per parallel instance. */
final class BulkWriter implements SinkWriter<Document> {
  private static final Logger LOG = LoggerFactory.getLogger(BulkWriter.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] ACTION_INDEX = ascii("{\"index\":{\"_index\":\"");
  private static final byte[] ACTION_ID = ascii("\",\"_id\":\"");
  private static final byte[] ACTION_END = ascii("\"}}\n");
  private static final long FIRST_BACKOFF_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  private final OpenSearchClient client;
  private final int bulkActions;
  private final long intervalMillis;
  private final ProcessingTimeService time;
  private final List<Document> buffer = new ArrayList<>();
  private final Counter indexed;
  private final Counter rejected;
  private final Counter retries;
  private final Counter bulks;
  private volatile long lastBulkMillis;

  BulkWriter(
      OpenSearchEndpoint endpoint, int bulkActions, Duration interval, WriterInitContext context) {
    this.client = endpoint.openClient();
    this.bulkActions = bulkActions;
    this.intervalMillis = interval.toMillis();
    this.time = context.getProcessingTimeService();
    var metrics = context.metricGroup();
    indexed = metrics.counter("documentsIndexed");
    rejected = metrics.counter("documentsRejected");
    retries = metrics.counter("bulkRetries");
    bulks = metrics.counter("bulkRequests");
    metrics.gauge("lastBulkLatencyMillis", () -> lastBulkMillis);
    installTemplates();
    time.registerTimer(time.getCurrentProcessingTime() + intervalMillis, this::onTimer);
    if (context.getTaskInfo().getIndexOfThisSubtask() == 0) {
      // One writer applies retention, at start and then hourly.
      time.registerTimer(time.getCurrentProcessingTime(), this::retention);
    }
  }

  private void retention(long timestamp) {
    try {
      List<String> deleted =
          new IndexRetention(client, IndexRetention.DEFAULTS, java.time.Clock.systemUTC())
              .deleteExpired();
      if (!deleted.isEmpty()) {
        LOG.info("retention deleted {}", deleted);
      }
    } catch (RuntimeException e) {
      LOG.warn("retention failed, trying again in an hour: {}", e.toString());
    }
    time.registerTimer(time.getCurrentProcessingTime() + 3_600_000L, this::retention);
  }

  @Override
  public void write(Document document, Context context) throws IOException, InterruptedException {
    buffer.add(document);
    if (buffer.size() >= bulkActions) {
      send();
    }
  }

  /** Called before every checkpoint, and at the end of input: everything buffered is indexed. */
  @Override
  public void flush(boolean endOfInput) throws IOException, InterruptedException {
    send();
  }

  private void onTimer(long timestamp) throws IOException, InterruptedException {
    send();
    time.registerTimer(time.getCurrentProcessingTime() + intervalMillis, this::onTimer);
  }

  /** Sends the buffer, again and again for what may pass later, until nothing is left. */
  private void send() throws IOException, InterruptedException {
    long backoff = FIRST_BACKOFF_MILLIS;
    List<Document> todo = new ArrayList<>(buffer);
    buffer.clear();
    while (!todo.isEmpty()) {
      List<Document> again = bulk(todo);
      if (!again.isEmpty()) {
        retries.inc();
        Thread.sleep(backoff);
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      }
      todo = again;
    }
  }

  /** One bulk request; returns the documents to send again. */
  private List<Document> bulk(List<Document> documents) throws IOException {
    byte[] body = ndjson(documents);
    long start = System.nanoTime();
    JsonNode result;
    try (Response response =
        client
            .generic()
            .execute(
                Requests.builder()
                    .method("POST")
                    .endpoint("/_bulk")
                    // Only what is read back: a tenth of the full answer's bytes.
                    .query(Map.of("filter_path", "errors,items.*.status,items.*.error"))
                    .body(Body.from(body, "application/x-ndjson"))
                    .build())) {
      bulks.inc();
      int status = response.getStatus();
      if (status == 429 || status >= 500) {
        LOG.warn("OpenSearch answered {} to a bulk request; retrying", status);
        return documents;
      }
      String text = response.getBody().map(Body::bodyAsString).orElse("");
      if (status / 100 != 2) {
        throw new IOException("OpenSearch refused a bulk request (" + status + "): " + text);
      }
      result = JSON.readTree(text);
    } catch (IOException | RuntimeException e) {
      if (e instanceof IOException io
          && io.getMessage() != null
          && io.getMessage().startsWith("OpenSearch refused")) {
        throw io;
      }
      LOG.warn("OpenSearch unreachable ({}); retrying", e.toString());
      return documents;
    } finally {
      lastBulkMillis = (System.nanoTime() - start) / 1_000_000;
    }
    if (!result.path("errors").asBoolean(true)) {
      indexed.inc(documents.size());
      return List.of();
    }
    List<Document> again = new ArrayList<>();
    JsonNode items = result.path("items");
    for (int i = 0; i < documents.size(); i++) {
      JsonNode item = items.path(i).path("index");
      int status = item.path("status").asInt(500);
      if (status / 100 == 2) {
        indexed.inc();
      } else if (status == 429 || status >= 500) {
        again.add(documents.get(i));
      } else {
        rejected.inc();
        LOG.atWarn()
            .addKeyValue("index", documents.get(i).index)
            .addKeyValue("id", documents.get(i).id)
            .log("OpenSearch rejected a document ({}): {}", status, item.path("error"));
      }
    }
    return again;
  }

  private static byte[] ndjson(List<Document> documents) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(documents.size() * 2048);
    for (Document d : documents) {
      // Written by hand, not by a generator per line: index names and ids need no escaping
      // (lowercase names with dashes and dates, base64url ids).
      out.writeBytes(ACTION_INDEX);
      out.writeBytes(d.index.getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(ACTION_ID);
      out.writeBytes(d.id.getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(ACTION_END);
      out.writeBytes(d.json);
      out.write('\n');
    }
    return out.toByteArray();
  }

  /**
   * podflow's index templates, before the first document: retried while OpenSearch is away, for as
   * long as it takes (nothing can be indexed without them; the job backs up meanwhile). Refused
   * credentials or a certificate the CA does not vouch for fail the writer instead: retrying would
   * not change them, and Flink's restart of the task reads the credentials' files again (a rotated
   * Secret) while the job shows as failing, with the reason.
   */
  private void installTemplates() {
    long backoff = FIRST_BACKOFF_MILLIS;
    while (true) {
      try {
        IndexTemplates.install(client);
        return;
      } catch (RuntimeException e) {
        String refusal = refusal(e);
        if (refusal != null) {
          throw new IllegalStateException("OpenSearch " + refusal, e);
        }
        LOG.warn("cannot install index templates yet ({}); retrying", e.toString());
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      }
    }
  }

  /** Why OpenSearch refused this client for good (credentials, TLS), or null. */
  static String refusal(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof javax.net.ssl.SSLException) {
        return "TLS failed (check opensearch-ca-file and the server's certificate): " + c;
      }
      if (c instanceof org.opensearch.client.transport.httpclient5.ResponseException r
          && (r.status() == 401 || r.status() == 403)) {
        return "refused podflow's credentials ("
            + r.status()
            + "; check opensearch-username and its password, and the user's permissions)";
      }
    }
    return null;
  }

  @Override
  public void close() throws Exception {
    client._transport().close();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
