package io.podflow.processor.sink.alertmanager;

import io.podflow.processor.security.HttpAuth;
import io.podflow.processor.security.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts alerts (Alertmanager API v2 JSON objects) to {@code /api/v2/alerts}, batched until the next
 * checkpoint or a second. An Alertmanager that is away is retried for {@code patience}, then the
 * batch is counted as failed and dropped: alerts are sent again every minute while they last, so
 * the next one carries the news, and the pipeline is not held up by its alerting.
 */
public final class AlertmanagerSink implements Sink<String> {
  private static final long serialVersionUID = 1L;

  private final URI alertmanager;
  private final HttpAuth auth;
  private final Duration patience;

  public AlertmanagerSink(URI alertmanager, Duration patience) {
    this(alertmanager, HttpAuth.NONE, patience);
  }

  /**
   * @param auth basic auth or a bearer token, and the CA of an {@code https://} Alertmanager (or a
   *     proxy in front of it): read when the writer opens, on the task manager
   */
  public AlertmanagerSink(URI alertmanager, HttpAuth auth, Duration patience) {
    this.alertmanager = alertmanager;
    this.auth = auth;
    this.patience = patience;
  }

  @Override
  public SinkWriter<String> createWriter(WriterInitContext context) {
    return new Writer(alertmanager.resolve("/api/v2/alerts"), auth, patience, context);
  }

  /** The client the writer posts with: TLS trusting {@code auth}'s CA when it names one. */
  static HttpClient httpClient(HttpAuth auth) {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    SSLContext tls = auth.sslContext();
    if (tls != null) {
      builder.sslContext(tls);
    }
    return builder.build();
  }

  /** A request posting {@code body}, with the credentials' header when there are some. */
  static HttpRequest post(URI endpoint, Secret authorization, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization.reveal());
    }
    return request.build();
  }

  private static final class Writer implements SinkWriter<String> {
    private static final Logger LOG = LoggerFactory.getLogger(AlertmanagerSink.class);
    private final URI endpoint;
    private final long patienceNanos;
    private final HttpClient http;
    private final Secret authorization;
    private final List<String> batch = new ArrayList<>();
    private final Counter posted;
    private final Counter failed;

    Writer(URI endpoint, HttpAuth auth, Duration patience, WriterInitContext context) {
      this.endpoint = endpoint;
      this.http = httpClient(auth);
      this.authorization = auth.authorization();
      this.patienceNanos = patience.toNanos();
      this.posted = context.metricGroup().counter("alertsPosted");
      this.failed = context.metricGroup().counter("alertsFailed");
      var time = context.getProcessingTimeService();
      time.registerTimer(time.getCurrentProcessingTime() + 1_000, new Flusher(this, time));
    }

    @Override
    public void write(String alert, Context context) {
      batch.add(alert);
    }

    @Override
    public void flush(boolean endOfInput) throws InterruptedException {
      if (batch.isEmpty()) {
        return;
      }
      String body = "[" + String.join(",", batch) + "]";
      long deadline = System.nanoTime() + patienceNanos;
      long backoff = 200;
      while (true) {
        try {
          HttpResponse<String> response =
              http.send(post(endpoint, authorization, body), HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() / 100 == 2) {
            posted.inc(batch.size());
            break;
          }
          if (response.statusCode() == 401 || response.statusCode() == 403) {
            // Credentials that are wrong now stay wrong: said loudly, and the batch counted.
            LOG.error(
                "Alertmanager at {} refused podflow's credentials ({}); {} alerts not sent",
                endpoint,
                response.statusCode(),
                batch.size());
            failed.inc(batch.size());
            break;
          }
          if (response.statusCode() / 100 == 4) {
            LOG.warn(
                "Alertmanager refused alerts ({}): {}", response.statusCode(), response.body());
            failed.inc(batch.size());
            break;
          }
        } catch (javax.net.ssl.SSLException e) {
          // A certificate the CA does not vouch for will not change by retrying.
          LOG.error("TLS to Alertmanager at {} failed: {}", endpoint, e.toString());
          failed.inc(batch.size());
          break;
        } catch (IOException e) {
          LOG.debug("Alertmanager unreachable: {}", e.toString());
        }
        if (System.nanoTime() + backoff * 1_000_000L > deadline) {
          LOG.warn("Alertmanager at {} unreachable; {} alerts not sent", endpoint, batch.size());
          failed.inc(batch.size());
          break;
        }
        Thread.sleep(backoff);
        backoff = Math.min(5_000, backoff * 2);
      }
      batch.clear();
    }

    @Override
    public void close() {}
  }

  private record Flusher(
      Writer writer, org.apache.flink.api.common.operators.ProcessingTimeService time)
      implements org.apache.flink.api.common.operators.ProcessingTimeService
          .ProcessingTimeCallback {
    @Override
    public void onProcessingTime(long now) throws Exception {
      writer.flush(false);
      time.registerTimer(time.getCurrentProcessingTime() + 1_000, this);
    }
  }
}
