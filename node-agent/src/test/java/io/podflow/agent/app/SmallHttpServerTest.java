package io.podflow.agent.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.agent.app.SmallHttpServer.Response;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SmallHttpServerTest {
  private final List<Socket> sockets = new ArrayList<>();
  private SmallHttpServer server;

  private SmallHttpServer start(SmallHttpServer.Limits limits) throws Exception {
    server =
        new SmallHttpServer(
                new InetSocketAddress("127.0.0.1", 0),
                Map.of("/hello", () -> Response.text(200, "hello\n")),
                limits)
            .start();
    return server;
  }

  @AfterEach
  void close() throws Exception {
    for (Socket s : sockets) {
      s.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** A client that sent part of its request line and headers, and stops there. */
  private Socket slowClient() throws Exception {
    Socket s = new Socket("127.0.0.1", server.address().getPort());
    sockets.add(s);
    s.setSoTimeout((int) Duration.ofSeconds(20).toMillis());
    OutputStream out = s.getOutputStream();
    out.write("GET /hello HTTP/1.1\r\nHost: agent\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return s;
  }

  private String get(String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.address().getPort() + path))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  @Test
  void aClientThatNeverFinishesItsHeadersIsCutOff() throws Exception {
    start(new SmallHttpServer.Limits(2, Duration.ofMillis(300), 16));
    Socket slow = slowClient();

    InputStream in = slow.getInputStream();

    assertThat(in.read()).as("closed by the server, nothing answered").isEqualTo(-1);
  }

  @Test
  void requestsAreAnsweredWhileMoreSlowClientsThanWorkersHoldConnections() throws Exception {
    start(new SmallHttpServer.Limits(2, Duration.ofSeconds(30), 64));
    for (int i = 0; i < 20; i++) {
      slowClient();
    }

    for (int i = 0; i < 10; i++) {
      assertThat(get("/hello")).isEqualTo("200 hello\n");
    }
  }

  @Test
  void beyondTheConnectionLimitTheOldestConnectionMakesRoom() throws Exception {
    start(new SmallHttpServer.Limits(2, Duration.ofSeconds(30), 8));
    Socket oldest = slowClient();
    for (int i = 0; i < 8; i++) {
      slowClient();
    }

    assertThat(oldest.getInputStream().read()).isEqualTo(-1);
    assertThat(get("/hello")).isEqualTo("200 hello\n");
  }

  @Test
  void unknownPathsAndOtherMethodsAreRefused() throws Exception {
    start(SmallHttpServer.Limits.defaults());

    assertThat(get("/nothing")).startsWith("404");
    HttpResponse<String> post =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.address().getPort() + "/hello"))
                    .POST(HttpRequest.BodyPublishers.ofString("x"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }
}
