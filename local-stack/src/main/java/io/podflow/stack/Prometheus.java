package io.podflow.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debian's Prometheus ({@code prometheus}), on a loopback port with a configuration and data
 * directory of its own, scraping the given targets: what metrics tests check the agent's and the
 * job's metrics with, as a cluster's Prometheus would scrape them. Its HTTP API (v1) answers JSON.
 */
public final class Prometheus implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/prometheus");

  /**
   * One scrape job: its name (the {@code job} label) and the {@code host:port} addresses whose
   * {@code metricsPath} it scrapes.
   */
  public record ScrapeJob(String name, String metricsPath, List<String> targets) {}

  private final ManagedProcess process;
  private final URI uri;
  private final HttpClient http = HttpClient.newHttpClient();

  private Prometheus(ManagedProcess process, URI uri) {
    this.process = process;
    this.uri = uri;
  }

  /** Whether the Debian package is installed ({@code scripts/install-deps} installs it). */
  public static boolean isInstalled() {
    return Files.isExecutable(BINARY);
  }

  /**
   * Starts Prometheus scraping {@code jobs} every {@code scrapeInterval}, and returns once it is
   * ready. Its targets show in {@link #targets()} a few seconds later (target discovery is
   * throttled to 5 s).
   */
  public static Prometheus start(
      Path dir, List<ScrapeJob> jobs, Duration scrapeInterval, Duration timeout) {
    if (!isInstalled()) {
      throw new StackException(
          BINARY + " is missing: apt-get install prometheus (scripts/install-deps)", null);
    }
    try {
      Files.createDirectories(dir.resolve("data"));
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, config(jobs, scrapeInterval));
      int port = FreePorts.next();
      // Root is fine for Prometheus (unlike OpenSearch): no user switch.
      ManagedProcess process =
          ManagedProcess.start(
              "prometheus",
              List.of(
                  BINARY.toString(),
                  "--config.file=" + config,
                  "--storage.tsdb.path=" + dir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port),
              dir,
              Map.of(),
              dir.resolve("prometheus.log"),
              null);
      Prometheus prometheus = new Prometheus(process, URI.create("http://127.0.0.1:" + port));
      process.awaitHttpOk(prometheus.uri.resolve("/-/ready"), timeout);
      return prometheus;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** prometheus.yml; strings double-quoted (YAML's JSON-style scalars), so any name is safe. */
  private static String config(List<ScrapeJob> jobs, Duration scrapeInterval) {
    String interval = scrapeInterval.toMillis() + "ms";
    List<String> lines = new ArrayList<>();
    lines.add("global:");
    lines.add("  scrape_interval: " + interval);
    // The timeout may not exceed the interval; loopback targets answer well within it.
    lines.add("  scrape_timeout: " + interval);
    lines.add("scrape_configs:");
    for (ScrapeJob job : jobs) {
      lines.add("  - job_name: " + quoted(job.name()));
      lines.add("    metrics_path: " + quoted(job.metricsPath()));
      lines.add("    static_configs:");
      lines.add(
          "      - targets: ["
              + String.join(", ", job.targets().stream().map(Prometheus::quoted).toList())
              + "]");
    }
    lines.add("");
    return String.join("\n", lines);
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  public URI httpUri() {
    return uri;
  }

  /**
   * The active targets and their health ({@code /api/v1/targets?state=active}): JSON, {@code
   * data.activeTargets[]} with {@code labels.job}, {@code scrapeUrl}, {@code health} ("up", "down",
   * "unknown") and {@code lastError}.
   */
  public String targets() throws IOException, InterruptedException {
    return get("/api/v1/targets?state=active").body();
  }

  /**
   * An instant query ({@code /api/v1/query}): JSON, {@code data.result[]} with each series' {@code
   * metric} labels and {@code value} [time, "value"].
   */
  public String query(String promql) throws IOException, InterruptedException {
    HttpResponse<String> response =
        get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    if (response.statusCode() != 200) {
      throw new StackException("query " + promql + ": " + response.body());
    }
    return response.body();
  }

  private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri.resolve(pathAndQuery)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    process.stop(Duration.ofSeconds(10));
  }
}
