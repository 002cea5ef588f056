package io.podflow.processor.security;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * An HTTPS server on loopback, with a certificate of {@link TestCa}, that answers {@code 200 {}} to
 * requests carrying the one {@code Authorization} header it expects and {@code 401} (with a Basic
 * challenge) to others. It keeps every request's method and path, to show what got through.
 */
public final class TlsTestServer implements AutoCloseable {
  private final HttpsServer server;
  private final String expectedAuthorization;
  private final List<String> accepted = new CopyOnWriteArrayList<>();
  private final List<String> refused = new CopyOnWriteArrayList<>();

  public TlsTestServer(TestCa.Certificate certificate, String expectedAuthorization)
      throws Exception {
    this.expectedAuthorization = expectedAuthorization;
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = java.nio.file.Files.newInputStream(certificate.keyStore())) {
      keys.load(in, TestCa.PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, TestCa.PASSWORD.toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext("/", this::handle);
    server.start();
  }

  public static String basic(String user, String password) {
    return "Basic "
        + java.util.Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  public URI uri() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
  }

  /** "METHOD /path" of the requests that carried the expected credentials. */
  public List<String> accepted() {
    return accepted;
  }

  /** "METHOD /path" of the requests refused for their credentials. */
  public List<String> refused() {
    return refused;
  }

  private void handle(HttpExchange exchange) throws java.io.IOException {
    exchange.getRequestBody().readAllBytes();
    String request = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    byte[] body;
    if (expectedAuthorization.equals(authorization)) {
      accepted.add(request);
      body = "{}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
    } else {
      refused.add(request);
      body = "{\"error\":\"unauthorized\"}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"test\"");
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(401, body.length);
    }
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
