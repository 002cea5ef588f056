package io.podflow.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Debian's Prometheus Alertmanager ({@code prometheus-alertmanager}), on a loopback port with a
 * configuration and data directory of its own, clustering off: what alert tests send to. Its API v2
 * lists the alerts it holds.
 */
public final class Alertmanager implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");

  private final ManagedProcess process;
  private final URI uri;

  private Alertmanager(ManagedProcess process, URI uri) {
    this.process = process;
    this.uri = uri;
  }

  /** Whether the Debian package is installed ({@code scripts/install-deps} installs it). */
  public static boolean isInstalled() {
    return Files.isExecutable(BINARY);
  }

  public static Alertmanager start(Path dir, Duration timeout) {
    if (!isInstalled()) {
      throw new StackException(
          BINARY + " is missing: apt-get install prometheus-alertmanager (scripts/install-deps)",
          null);
    }
    try {
      Files.createDirectories(dir.resolve("data"));
      Path config = dir.resolve("alertmanager.yml");
      // Alerts are held and listed; nothing is notified.
      Files.writeString(
          config,
          String.join(
              "\n",
              "route:",
              "  receiver: nobody",
              "  group_wait: 1s",
              "receivers:",
              "  - name: nobody",
              ""));
      int port = FreePorts.next();
      ManagedProcess process =
          ManagedProcess.start(
              "alertmanager",
              List.of(
                  BINARY.toString(),
                  "--config.file=" + config,
                  "--storage.path=" + dir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port,
                  "--cluster.listen-address="),
              dir,
              Map.of(),
              dir.resolve("alertmanager.log"),
              null);
      Alertmanager am = new Alertmanager(process, URI.create("http://127.0.0.1:" + port));
      process.awaitHttpOk(am.uri.resolve("/-/ready"), timeout);
      return am;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public URI uri() {
    return uri;
  }

  /** The alerts it holds (API v2 JSON array), resolved ones included while it keeps them. */
  public String alerts() throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(uri.resolve("/api/v2/alerts?active=true&inhibited=true"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Override
  public void close() {
    process.stop(Duration.ofSeconds(5));
  }
}
