package io.podflow.agent.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * The agent's HTTP side: {@code /metrics} (Prometheus text), {@code /healthz} (the process answers)
 * and {@code /readyz} (the API server's lists are in and capture runs).
 */
final class AgentHttp implements AutoCloseable {
  private final HttpServer server;

  AgentHttp(int port, PrometheusMeterRegistry registry, BooleanSupplier ready)
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
    server.createContext("/healthz", x -> reply(x, 200, "text/plain", "ok\n"));
    server.createContext(
        "/readyz",
        x ->
            reply(
                x,
                ready.getAsBoolean() ? 200 : 503,
                "text/plain",
                ready.getAsBoolean() ? "ready\n" : "starting\n"));
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
