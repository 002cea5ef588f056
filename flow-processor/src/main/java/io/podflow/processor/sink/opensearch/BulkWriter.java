package io.podflow.processor.sink.opensearch;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.podflow.processor.sink.kafka.DeadLetterTopic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of {@link OpenSearchSink}: one per parallel instance. Nothing here sleeps in the task
 * thread while the job runs (only at the end of a bounded input, up to {@link #END_OF_INPUT_WAIT}):
 * a bulk that must be tried again waits on a processing-time timer, the documents stay pending (and
 * go into checkpoints as this writer's state), and only when {@link #maxPending} documents wait
 * does {@link #write} hold the input back, yielding to the mailbox so the retry timer can fire.
 */
final class BulkWriter implements StatefulSinkWriter<Document, PendingDocuments> {
  private static final Logger LOG = LoggerFactory.getLogger(BulkWriter.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] ACTION_INDEX = ascii("{\"index\":{\"_index\":\"");
  private static final byte[] ACTION_ID = ascii("\",\"_id\":\"");
  private static final byte[] ACTION_END = ascii("\"}}\n");

  /** OpenSearch busy or away: soon, then up to every 5 s. */
  private static final long FIRST_BACKOFF_MILLIS = 100;

  private static final long MAX_BACKOFF_MILLIS = 5_000;

  /**
   * Credentials or TLS refused: only a person fixes that, so up to once a minute (each attempt
   * reads the credential files again, which is how a rotated Secret gets picked up).
   */
  private static final long FIRST_REFUSED_BACKOFF_MILLIS = 1_000;

  private static final long MAX_REFUSED_BACKOFF_MILLIS = 60_000;

  /**
   * How long the end of input (a bounded run: replay, verdicts) waits for OpenSearch busy or away
   * before failing: a bounded run must end, and its input can be read again.
   */
  static final Duration END_OF_INPUT_WAIT = Duration.ofMinutes(10);

  private final OpenSearchEndpoint endpoint;
  private final int bulkActions;
  private final int maxPending;
  private final long intervalMillis;
  private final long endOfInputWaitMillis;
  private final ProcessingTimeService time;
  private final MailboxExecutor mailbox;
  private final DeadLetterTopic.Producer deadLetters;
  private final ArrayDeque<Document> pending = new ArrayDeque<>();
  private final Backoff busy = new Backoff(FIRST_BACKOFF_MILLIS, MAX_BACKOFF_MILLIS);
  private final Backoff refused =
      new Backoff(FIRST_REFUSED_BACKOFF_MILLIS, MAX_REFUSED_BACKOFF_MILLIS);
  private final Counter indexed;
  private final Counter deadLettered;
  private final Counter retries;
  private final Counter bulks;
  private final Counter requestsRefused;
  private final Counter splits;
  private OpenSearchClient client;
  private boolean templatesInstalled;

  /** A retry timer is set: nothing is sent before it fires. */
  private boolean waiting;

  /** The delay the last failed attempt asks for before the next. */
  private long retryDelay;

  private volatile long lastBulkMillis;
  private volatile int refusedStatus;
  private volatile int tlsFailing;
  private volatile int pendingCount;

  BulkWriter(
      OpenSearchEndpoint endpoint,
      int bulkActions,
      Duration interval,
      DeadLetterTopic deadLetterTopic,
      WriterInitContext context,
      Collection<PendingDocuments> restored) {
    this(
        endpoint,
        bulkActions,
        interval,
        deadLetterTopic.open(),
        context,
        restored,
        END_OF_INPUT_WAIT);
  }

  /** With an open dead-letter producer (a mock one in unit tests) and an end-of-input wait. */
  BulkWriter(
      OpenSearchEndpoint endpoint,
      int bulkActions,
      Duration interval,
      DeadLetterTopic.Producer deadLetters,
      WriterInitContext context,
      Collection<PendingDocuments> restored,
      Duration endOfInputWait) {
    this.endOfInputWaitMillis = endOfInputWait.toMillis();
    this.endpoint = endpoint;
    this.client = endpoint.openClient();
    this.bulkActions = bulkActions;
    // Four bulks' worth in memory at most: enough to keep sending while the next fills.
    this.maxPending = 4 * bulkActions;
    this.intervalMillis = interval.toMillis();
    this.time = context.getProcessingTimeService();
    this.mailbox = context.getMailboxExecutor();
    this.deadLetters = deadLetters;
    restored.forEach(p -> pending.addAll(p.documents()));
    pendingCount = pending.size();
    var metrics = context.metricGroup();
    indexed = metrics.counter("documentsIndexed");
    deadLettered = metrics.counter("documentsRejected");
    retries = metrics.counter("bulkRetries");
    bulks = metrics.counter("bulkRequests");
    requestsRefused = metrics.counter("requestsRefused");
    splits = metrics.counter("bulkSplits");
    metrics.gauge("lastBulkLatencyMillis", () -> lastBulkMillis);
    // The 4xx (not 429) of the last whole request refused: 401 or 403 (credentials, permissions,
    // also per document), 413 (the index templates too large), another (a proxy or ingress); 0
    // from the next 2xx on. A single document too large is a dead letter, not this.
    metrics.gauge("opensearchRefusedStatus", () -> refusedStatus);
    metrics.gauge("opensearchTlsFailing", () -> tlsFailing);
    metrics.gauge("pendingDocuments", () -> pendingCount);
    // Dead letters whose document was cut to fit a Kafka request (DeadLetterTopic.MAX_VALUE_BYTES).
    metrics.gauge("deadLettersTruncated", deadLetters::truncated);
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
    pending.add(document);
    send(false);
    while (pending.size() >= maxPending) {
      // Backpressure: the retry timer (a mail) sends them; the input waits meanwhile.
      mailbox.yield();
    }
    pendingCount = pending.size();
  }

  /**
   * Before every checkpoint: one attempt at what is pending, unless a retry is due later; what is
   * left goes into the checkpoint ({@link #snapshotState}), so a checkpoint waits at most for one
   * round of bulk requests, never for OpenSearch to come back. Dead letters are acknowledged by
   * Kafka before the checkpoint completes. At the end of input (bounded runs) everything is sent,
   * waiting in the task thread (no checkpoint follows to be held back) for OpenSearch busy or away
   * up to {@link #END_OF_INPUT_WAIT}, then failing with what is left.
   */
  @Override
  public void flush(boolean endOfInput) throws IOException, InterruptedException {
    send(true);
    long deadline = System.nanoTime() + endOfInputWaitMillis * 1_000_000;
    while (endOfInput && !pending.isEmpty()) {
      if (refusedStatus != 0 || tlsFailing != 0) {
        throw new IOException(
            "OpenSearch refuses podflow ("
                + (tlsFailing != 0 ? "TLS" : refusedStatus)
                + ") with "
                + pending.size()
                + " documents left at the end of input");
      }
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new IOException(
            "OpenSearch did not take "
                + pending.size()
                + " documents left at the end of input within "
                + Duration.ofMillis(endOfInputWaitMillis)
                + " (busy or unreachable: see the warnings above); run again once it is back");
      }
      // No checkpoint follows the end of input to be held back; the timer is replaced by a wait.
      Thread.sleep(Math.min(retryDelay, left));
      waiting = false;
      send(true);
    }
    deadLetters.flush();
    pendingCount = pending.size();
  }

  @Override
  public List<PendingDocuments> snapshotState(long checkpointId) {
    return List.of(new PendingDocuments(new ArrayList<>(pending)));
  }

  private void onTimer(long timestamp) {
    send(true);
    time.registerTimer(time.getCurrentProcessingTime() + intervalMillis, this::onTimer);
  }

  private void onRetry(long timestamp) {
    waiting = false;
    send(true);
  }

  /** Sends full bulks (or everything, if {@code all}) until a bulk must wait for a retry. */
  private void send(boolean all) {
    while (!waiting && !pending.isEmpty() && (all || pending.size() >= bulkActions)) {
      List<Document> batch = new ArrayList<>(Math.min(bulkActions, pending.size()));
      while (batch.size() < bulkActions && !pending.isEmpty()) {
        batch.add(pending.poll());
      }
      List<Document> again = attempt(batch);
      if (!again.isEmpty()) {
        for (int i = again.size() - 1; i >= 0; i--) {
          pending.addFirst(again.get(i));
        }
        retries.inc();
        waiting = true;
        time.registerTimer(time.getCurrentProcessingTime() + retryDelay, this::onRetry);
      }
    }
    pendingCount = pending.size();
  }

  /** Templates first, then the bulk; returns what to send again after {@link #retryDelay}. */
  private List<Document> attempt(List<Document> batch) {
    if (!templatesInstalled) {
      try {
        IndexTemplates.install(client);
        templatesInstalled = true;
      } catch (RequestRefused e) {
        whole(e.status(), e.getMessage(), batch);
        return batch;
      } catch (RuntimeException e) {
        int status = statusOf(e);
        if (status > 0) {
          whole(status, e.getMessage(), batch);
        } else {
          failed(e);
        }
        return batch;
      }
    }
    List<Document> again = bulk(batch);
    if (again.isEmpty()) {
      busy.reset();
      refused.reset();
      refusedStatus = 0;
      tlsFailing = 0;
    }
    return again;
  }

  /**
   * One bulk request; returns the documents to send again. A request refused for its size (413) or
   * its content (a 400 with OpenSearch's own error) is halved until the document responsible is
   * alone, which then goes to the dead letters. Any other status refuses the request, not its
   * documents ({@link #whole}).
   */
  private List<Document> bulk(List<Document> documents) {
    byte[] body = ndjson(documents);
    long start = System.nanoTime();
    int status;
    String text;
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
      status = response.getStatus();
      text = response.getBody().map(Body::bodyAsString).orElse("");
    } catch (IOException | RuntimeException e) {
      // The transport answers some statuses (413 among them) with an exception, not a response.
      status = statusOf(e);
      if (status < 0) {
        failed(e);
        return documents;
      }
      text = String.valueOf(e.getMessage());
    } finally {
      lastBulkMillis = (System.nanoTime() - start) / 1_000_000;
    }
    if (status / 100 == 2) {
      // OpenSearch took the request: whatever refused whole requests before has been fixed, even
      // if some documents of this one must wait (items() reports a 401/403 among them again).
      refusedStatus = 0;
      tlsFailing = 0;
      refused.reset();
      return items(documents, text);
    }
    if (!BulkAnswer.refusesContent(status, text)) {
      // 429, 5xx, 401/403, or a proxy or ingress answering for OpenSearch (404, 405, 407...): the
      // request was refused, not its documents, which stay pending.
      whole(status, text, documents);
      return documents;
    }
    if (documents.size() > 1) {
      splits.inc();
      LOG.warn(
          "OpenSearch refused a bulk of {} documents ({}); sending it in halves",
          documents.size(),
          status);
      int half = documents.size() / 2;
      List<Document> again = new ArrayList<>(bulk(documents.subList(0, half)));
      again.addAll(bulk(documents.subList(half, documents.size())));
      return again;
    }
    // Too large even alone (413: http.max_content_length is below this document) or refused: the
    // document, not the request; counted in documentsRejected, not on the refused gauge.
    dead(documents.get(0), status, "request refused: " + abbreviate(text));
    return List.of();
  }

  private List<Document> items(List<Document> documents, String text) {
    BulkAnswer answer;
    try {
      answer = BulkAnswer.of(JSON.readTree(text), documents.size());
    } catch (IOException e) {
      LOG.warn("unreadable bulk answer ({}); sending the bulk again", e.toString());
      retryDelay = busy.next();
      return documents;
    }
    indexed.inc(answer.indexed());
    for (BulkAnswer.Refused r : answer.refused()) {
      dead(documents.get(r.position()), r.status(), r.reason());
    }
    if (answer.retry().isEmpty()) {
      return List.of();
    }
    List<Document> again = new ArrayList<>(answer.retry().size());
    answer.retry().forEach(i -> again.add(documents.get(i)));
    if (answer.denied() != 0) {
      // The user may not write these indices: as a refused request, reported until a role is fixed.
      refusedStatus = answer.denied();
      requestsRefused.inc();
      retryDelay = refused.next();
      LOG.error(
          "OpenSearch refused documents for {} ({}: check the role of opensearch-username: it needs"
              + " to index into podflow-*); {} documents wait, next attempt in {} ms",
          again.stream().map(d -> d.index).distinct().toList(),
          answer.denied(),
          again.size() + pending.size(),
          retryDelay);
      return again;
    }
    LOG.warn("OpenSearch could not take {} documents now; retrying", answer.retry().size());
    retryDelay = busy.next();
    return again;
  }

  /** The HTTP status an exception of the transport carries, or -1. */
  static int statusOf(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof org.opensearch.client.transport.httpclient5.ResponseException r) {
        return r.status();
      }
    }
    return -1;
  }

  /**
   * A whole request that may pass later: credentials and permissions, OpenSearch busy, a proxy or
   * ingress in front of OpenSearch refusing (404, 405, 407, 408...: its configuration, which a
   * person fixes); or the index templates refused (413: a node whose content limit is below a
   * template). Any 4xx but 429 is a refusal: reported on the gauge, retried rarely.
   */
  private void whole(int status, String text, List<Document> documents) {
    if (status / 100 == 4 && status != 429) {
      refusedStatus = status;
      requestsRefused.inc();
      retryDelay = refused.next();
      LOG.error(
          "OpenSearch refused a whole request ({}; 401/403: check opensearch-username, its password"
              + " and the user's role; 413: http.max_content_length; else a proxy or ingress in"
              + " front of OpenSearch); {} documents wait, next"
              + " attempt in {} ms: {}",
          status,
          documents.size() + pending.size(),
          retryDelay,
          abbreviate(text));
      reopen();
    } else {
      retryDelay = busy.next();
      LOG.warn("OpenSearch answered {}; retrying in {} ms", status, retryDelay);
    }
  }

  /** OpenSearch away, or TLS failing. */
  private void failed(Exception e) {
    String refusal = refusal(e);
    if (refusal != null) {
      tlsFailing = refusal.startsWith("TLS") ? 1 : 0;
      if (tlsFailing == 0) {
        refusedStatus = 401;
        requestsRefused.inc();
      }
      retryDelay = refused.next();
      LOG.error("OpenSearch {}; next attempt in {} ms", refusal, retryDelay);
      reopen();
    } else {
      retryDelay = busy.next();
      LOG.warn("OpenSearch unreachable ({}); retrying in {} ms", e.toString(), retryDelay);
    }
  }

  /** A new client: the credentials and CA are read again from their files. */
  private void reopen() {
    try {
      OpenSearchClient fresh = endpoint.openClient();
      client._transport().close();
      client = fresh;
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not open a new OpenSearch client ({}); keeping the old one", e.toString());
    }
  }

  private void dead(Document d, int status, String reason) {
    deadLettered.inc();
    LOG.atWarn()
        .addKeyValue("index", d.index)
        .addKeyValue("id", d.id)
        .log("OpenSearch refused a document ({}), sent to the dead letters: {}", status, reason);
    deadLetters.send(
        d.index + "/" + d.id,
        "OpenSearch refused document " + d.id + " for " + d.index + " (" + status + "): " + reason,
        d.json);
  }

  private static String abbreviate(String text) {
    return text.length() <= 500 ? text : text.substring(0, 500) + "...";
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
    try {
      client._transport().close();
    } finally {
      deadLetters.close();
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
