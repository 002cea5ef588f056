package io.podflow.agent.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.agent.app.SmallHttpServer.Response;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SmallHttpServerTest {
  /** Another client address on loopback: Linux routes all of 127/8 to the loopback interface. */
  private static final InetAddress OTHER_PEER = address("127.0.0.2");

  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  /** Releases the slow route's requests. */
  private final CountDownLatch release = new CountDownLatch(1);

  private SmallHttpServer server;

  private SmallHttpServer start(SmallHttpServer.Limits limits) throws Exception {
    server =
        new SmallHttpServer(
                new InetSocketAddress("127.0.0.1", 0),
                Map.of("/healthz", () -> Response.text(200, "ok\n")),
                Map.of(
                    "/hello",
                    () -> Response.text(200, "hello\n"),
                    "/slow",
                    () -> {
                      awaitRelease();
                      return Response.text(200, "slow\n");
                    }),
                limits)
            .start();
    return server;
  }

  private void awaitRelease() {
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @AfterEach
  void close() throws Exception {
    release.countDown();
    for (Socket s : sockets) {
      s.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static InetAddress address(String ip) {
    try {
      return InetAddress.getByName(ip);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A connection from {@code from} that has sent {@code request} (all of it or a part). */
  private Socket client(InetAddress from, String request) throws IOException {
    Socket s = new Socket(InetAddress.getByName("127.0.0.1"), server.address().getPort(), from, 0);
    sockets.add(s);
    s.setSoTimeout((int) Duration.ofSeconds(20).toMillis());
    OutputStream out = s.getOutputStream();
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return s;
  }

  /** The status line of the response on {@code s}, or null when the server closed it unanswered. */
  private static String statusLine(Socket s) throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
    return in.readLine();
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
    start(new SmallHttpServer.Limits(2, Duration.ofMillis(300), 16, 16, 16));
    Socket slow = slowClient();

    InputStream in = slow.getInputStream();

    assertThat(in.read()).as("closed by the server, nothing answered").isEqualTo(-1);
  }

  @Test
  void requestsAreAnsweredWhileMoreSlowClientsThanWorkersHoldConnections() throws Exception {
    start(new SmallHttpServer.Limits(2, Duration.ofSeconds(30), 64, 64, 16));
    for (int i = 0; i < 20; i++) {
      slowClient();
    }

    for (int i = 0; i < 10; i++) {
      assertThat(get("/hello")).isEqualTo("200 hello\n");
    }
  }

  @Test
  void beyondTheConnectionLimitTheOldestConnectionMakesRoom() throws Exception {
    start(new SmallHttpServer.Limits(2, Duration.ofSeconds(30), 8, 8, 16));
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

  @Test
  void aConnectionWhoseRequestIsCompleteIsNeverClosedToMakeRoom() throws Exception {
    start(new SmallHttpServer.Limits(2, Duration.ofSeconds(30), 8, 8, 16));
    Socket answered = client(OTHER_PEER, "GET /slow HTTP/1.1\r\nHost: agent\r\n\r\n");
    assertThat(get("/healthz")).isEqualTo("200 ok\n"); // the slow request was read before it
    for (int i = 0; i < 20; i++) {
      client(OTHER_PEER, "GET /hello HTTP/1.1\r\nX-Slow: "); // never finished
    }
    assertThat(get("/healthz")).isEqualTo("200 ok\n");

    release.countDown();

    assertThat(statusLine(answered)).isEqualTo("HTTP/1.1 200 OK");
  }

  @Test
  void oneAddressHoldsAtMostItsShareOfTheConnections() throws Exception {
    start(new SmallHttpServer.Limits(2, Duration.ofSeconds(30), 64, 4, 16));
    Socket oldest = client(OTHER_PEER, "GET /hello HTTP/1.1\r\nX-Slow: ");
    for (int i = 0; i < 4; i++) {
      client(OTHER_PEER, "GET /hello HTTP/1.1\r\nX-Slow: ");
    }

    assertThat(statusLine(oldest)).as("closed unanswered to make room").isNull();
    assertThat(get("/hello")).isEqualTo("200 hello\n");
  }

  @Test
  void probesKeepAnsweringWhileAnotherAddressFloodsTheServerWithConnections() throws Exception {
    start(new SmallHttpServer.Limits(2, Duration.ofSeconds(30), 64, 16, 16));
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicInteger opened = new AtomicInteger();
    List<Thread> flooders = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread flooder =
          new Thread(
              () -> {
                ArrayDeque<Socket> held = new ArrayDeque<>();
                while (flooding.get()) {
                  try {
                    held.add(client(OTHER_PEER, "GET /hello HTTP/1.1\r\nX-Slow: "));
                    opened.incrementAndGet();
                    if (held.size() > 32) {
                      Socket s = held.poll();
                      sockets.remove(s);
                      s.close();
                    }
                  } catch (IOException e) {
                    // refused or reset while the server makes room: the flood goes on
                  }
                }
              });
      flooder.start();
      flooders.add(flooder);
    }
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (opened.get() < 200) {
        assertThat(System.nanoTime()).as("the flood got going").isLessThan(deadline);
        Thread.sleep(1);
      }
      for (int i = 0; i < 20; i++) {
        assertThat(get("/healthz")).isEqualTo("200 ok\n");
      }
      assertThat(get("/hello")).isEqualTo("200 hello\n");
    } finally {
      flooding.set(false);
      for (Thread t : flooders) {
        t.join();
      }
    }
  }

  @Test
  void whenTheWorkersQueueIsFullScrapesAre503AndProbesStillAnswer() throws Exception {
    // 2 workers held by slow requests, 4 more queued: the rest are answered 503 at once.
    start(new SmallHttpServer.Limits(2, Duration.ofSeconds(30), 64, 64, 4));
    List<Socket> scrapes = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      scrapes.add(client(OTHER_PEER, "GET /slow HTTP/1.1\r\nHost: agent\r\n\r\n"));
    }

    for (int i = 0; i < 20; i++) {
      assertThat(get("/healthz")).isEqualTo("200 ok\n");
    }
    release.countDown();

    List<String> statuses = new ArrayList<>();
    for (Socket s : scrapes) {
      statuses.add(statusLine(s));
    }
    assertThat(statuses).filteredOn("HTTP/1.1 200 OK"::equals).hasSize(2 + 4);
    assertThat(statuses).filteredOn("HTTP/1.1 503 Service Unavailable"::equals).hasSize(30 - 6);
  }

  @Test
  void requestHeadersLargerThanTheLimitAreRefusedWith431() throws Exception {
    start(SmallHttpServer.Limits.defaults());
    Socket big = client(OTHER_PEER, "GET /hello HTTP/1.1\r\nX-Big: " + "x".repeat(10_000));

    assertThat(statusLine(big)).isEqualTo("HTTP/1.1 431 Request Header Fields Too Large");
    assertThat(get("/hello")).isEqualTo("200 hello\n");
  }
}
