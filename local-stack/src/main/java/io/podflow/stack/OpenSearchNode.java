package io.podflow.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node OpenSearch, unpacked from the distribution Maven resolved and run on a free
 * loopback port. OpenSearch refuses to run as root, so when this JVM is root the node runs as the
 * unprivileged user {@value #SERVICE_USER}, which owns the node's directory.
 */
public final class OpenSearchNode implements AutoCloseable {
  /** The unprivileged user OpenSearch runs as when the stack is started by root. */
  public static final String SERVICE_USER = "podflow";

  private static final Logger LOG = LoggerFactory.getLogger(OpenSearchNode.class);

  private final Path dir;
  private final Path home;
  private final int port;
  private final String runAs;

  /** The security plugin's configuration, or null for a node without it (plain HTTP, no auth). */
  private final OpenSearchSecurity security;

  /** Node settings on top of the stack's, as {@code name=value}. */
  private final List<String> settings;

  private ManagedProcess process;

  private OpenSearchNode(
      Path dir, Path home, String runAs, OpenSearchSecurity security, List<String> settings) {
    this.dir = dir;
    this.home = home;
    this.port = FreePorts.next();
    this.runAs = runAs;
    this.security = security;
    this.settings = List.copyOf(settings);
  }

  /** Unpacks the distribution under {@code dir} and starts the node. */
  public static OpenSearchNode start(Path dir, Duration timeout) {
    return start(dir, timeout, null, List.of());
  }

  /**
   * Like {@link #start(Path, Duration)}, with node settings of a test's own ({@code name=value},
   * e.g. {@code http.max_content_length=8kb}).
   */
  public static OpenSearchNode start(Path dir, Duration timeout, List<String> settings) {
    return start(dir, timeout, null, settings);
  }

  /**
   * Unpacks the OpenSearch version the security plugin exists for under {@code dir}, installs and
   * configures the plugin ({@link OpenSearchSecurity}) and starts the node: HTTPS with basic
   * authentication.
   */
  public static OpenSearchNode startSecured(
      Path dir, Duration timeout, OpenSearchSecurity security) {
    return start(dir, timeout, java.util.Objects.requireNonNull(security), List.of());
  }

  private static OpenSearchNode start(
      Path dir, Duration timeout, OpenSearchSecurity security, List<String> settings) {
    String runAs = null;
    if (HostTools.isRoot()) {
      if (!HostTools.userExists(SERVICE_USER)) {
        throw new StackException(
            "OpenSearch refuses to run as root and the user '"
                + SERVICE_USER
                + "' does not exist; create it with `scripts/install-deps` or `useradd --system"
                + " --shell /usr/sbin/nologin "
                + SERVICE_USER
                + "`");
      }
      runAs = SERVICE_USER;
    }
    Path home =
        unpack(
            security == null
                ? StackServers.openSearchDistribution()
                : StackServers.securedOpenSearchDistribution(),
            dir);
    try {
      Files.createDirectories(dir.resolve("data"));
      Files.createDirectories(dir.resolve("logs"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (security != null) {
      security.install(home, StackServers.openSearchSecurityPlugin(), dir.resolve("logs"));
    }
    if (runAs != null && HostTools.run("chown", "-R", runAs + ":" + runAs, dir.toString()) != 0) {
      throw new StackException("could not give " + dir + " to the user " + runAs);
    }
    OpenSearchNode node = new OpenSearchNode(dir, home, runAs, security, settings);
    node.start(timeout);
    return node;
  }

  /** {@code https://} on a secured node, {@code http://} otherwise. */
  public URI httpUri() {
    return URI.create((security == null ? "http" : "https") + "://127.0.0.1:" + port);
  }

  /** The security plugin's configuration of a secured node. */
  public OpenSearchSecurity security() {
    if (security == null) {
      throw new IllegalStateException("this node runs without the security plugin");
    }
    return security;
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Starts the node (again) and waits until the cluster is at least yellow. */
  public synchronized void start(Duration timeout) {
    if (isRunning()) {
      return;
    }
    Instant deadline = Instant.now().plus(timeout);
    List<String> command = new java.util.ArrayList<>();
    command.addAll(
        List.of(
            home.resolve("bin/opensearch").toString(),
            "-Ediscovery.type=single-node",
            "-Enetwork.host=127.0.0.1",
            "-Ehttp.port=" + port,
            "-Etransport.port=" + FreePorts.next(),
            "-Epath.data=" + dir.resolve("data"),
            "-Epath.logs=" + dir.resolve("logs"),
            "-Ecluster.routing.allocation.disk.threshold_enabled=false",
            // Only podflow's own indices appear on first write, so a typo fails loudly.
            "-Eaction.auto_create_index=+podflow-*,-*"));
    settings.forEach(s -> command.add("-E" + s));
    Map<String, String> env =
        Map.of(
            "JAVA_HOME",
            System.getProperty("java.home"),
            "OPENSEARCH_JAVA_OPTS",
            "-Xms512m -Xmx512m");
    process =
        ManagedProcess.start("opensearch", command, dir, env, dir.resolve("opensearch.log"), runAs);
    HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                httpUri().resolve("/_cluster/health?wait_for_status=yellow&timeout=2s"))
            .timeout(Duration.ofSeconds(5));
    if (security != null) {
      client.sslContext(security.certificates().sslContext());
      request.header("Authorization", security.adminAuthorization());
    }
    HttpClient http = client.build();
    HttpRequest health = request.build();
    long started = System.nanoTime();
    while (true) {
      if (!process.isAlive()) {
        throw new StackException("OpenSearch exited while starting:\n" + process.logTail(40));
      }
      try {
        if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          LOG.info(
              "OpenSearch is up at {} in {} s (data in {})",
              httpUri(),
              String.format("%.1f", (System.nanoTime() - started) / 1e9),
              dir);
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StackException("interrupted while waiting for OpenSearch", e);
      }
      if (Instant.now().isAfter(deadline)) {
        process.stop(Duration.ofSeconds(5));
        throw new StackException(
            "OpenSearch did not answer within " + timeout + ":\n" + process.logTail(40));
      }
      HostTools.sleep(Duration.ofMillis(500));
    }
  }

  /** Stops the node; its data stays for a later {@link #start}. */
  public synchronized void stop() {
    if (process != null) {
      process.stop(Duration.ofSeconds(30));
      process = null;
    }
  }

  /** Kills the node with SIGKILL (a crash: nothing flushed); its data stays for {@link #start}. */
  public synchronized void kill() {
    if (process != null) {
      process.kill();
      process = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  private static Path unpack(Path zip, Path dir) {
    Path home = null;
    try (InputStream file = Files.newInputStream(zip);
        ZipInputStream in = new ZipInputStream(file)) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        Path target = dir.resolve(entry.getName()).normalize();
        if (!target.startsWith(dir)) {
          throw new StackException("refusing zip entry outside the target: " + entry.getName());
        }
        if (home == null) {
          home = dir.resolve(Path.of(entry.getName()).getName(0));
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not unpack " + zip, e);
    }
    if (home == null) {
      throw new StackException(zip + " is empty");
    }
    // Zip entries carry no permission bits that ZipInputStream exposes.
    try (var scripts = Files.list(home.resolve("bin"))) {
      scripts.forEach(script -> script.toFile().setExecutable(true, false));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return home;
  }
}
