package io.podflow.agent.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The agent's HTTP side: {@code /metrics} (Prometheus text), {@code /healthz} (the process answers)
 * and {@code /readyz} (the API server's lists are in and capture runs).
 */
final class AgentHttp implements AutoCloseable {
  private final HttpServer server;

  /**
   * @param notReady why the agent is not ready, or null when it is
   * @param unhealthy why the agent cannot work any more, or null
   */
  AgentHttp(
      int port,
      PrometheusMeterRegistry registry,
      Supplier<String> notReady,
      Supplier<String> unhealthy)
      throws InterruptedException {
    try {
      server = HttpServer.create(new InetSocketAddress(port), 16);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot serve HTTP on port " + port + ": " + e.getMessage(), e);
    }
    server.createContext(
        "/metrics",
        x -> reply(x, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext("/healthz", x -> check(x, unhealthy.get(), "ok\n"));
    server.createContext("/readyz", x -> check(x, notReady.get(), "ready\n"));
  }

  AgentHttp start() {
    server.start();
    return this;
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static void check(HttpExchange x, String problem, String fine) throws IOException {
    reply(x, problem == null ? 200 : 503, "text/plain", problem == null ? fine : problem + "\n");
  }

  private static void reply(HttpExchange x, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", type);
    x.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }
}
