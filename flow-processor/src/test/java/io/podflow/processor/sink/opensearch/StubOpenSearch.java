package io.podflow.processor.sink.opensearch;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * An HTTP server on loopback that answers like OpenSearch, or like what stands in front of it:
 * index templates always accepted, each {@code _bulk} request answered by a function of its number
 * (from 0) giving status and body. For the writer's unit tests; the real OpenSearch is in the ITs.
 */
final class StubOpenSearch implements AutoCloseable {
  /** A status and a body to answer with. */
  record Answer(int status, String body) {}

  private final HttpServer server;
  private final AtomicInteger bulks = new AtomicInteger();

  StubOpenSearch(IntFunction<Answer> bulkAnswers) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          Answer answer =
              exchange.getRequestURI().getPath().equals("/_bulk")
                  ? bulkAnswers.apply(bulks.getAndIncrement())
                  : new Answer(200, "{\"acknowledged\":true}");
          byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  OpenSearchEndpoint endpoint() {
    return new OpenSearchEndpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
  }

  /** How many bulk requests arrived. */
  int bulkRequests() {
    return bulks.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
