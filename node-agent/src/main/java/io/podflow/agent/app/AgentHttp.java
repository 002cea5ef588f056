package io.podflow.agent.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.podflow.agent.app.SmallHttpServer.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The agent's HTTP side: {@code /metrics} (Prometheus text), {@code /healthz} (the process can
 * work) and {@code /readyz} (the API server's lists are in and every interface is captured within
 * the flow budget), each 503 with the reason when not. Served by {@link SmallHttpServer}, so a slow
 * or hostile client cannot keep the kubelet's probes from being answered.
 */
final class AgentHttp implements AutoCloseable {
  private final SmallHttpServer server;

  /**
   * @param address the address to listen on (the pod's IP, or loopback)
   * @param notReady why the agent is not ready, or null when it is
   * @param unhealthy why the agent cannot work any more, or null
   */
  AgentHttp(
      String address,
      int port,
      PrometheusMeterRegistry registry,
      Supplier<String> notReady,
      Supplier<String> unhealthy) {
    try {
      server =
          new SmallHttpServer(
              new InetSocketAddress(address, port),
              // The probes are cheap: answered on the server's loop, behind no scrape.
              Map.of(
                  "/healthz",
                  () -> check(unhealthy.get(), "ok\n"),
                  "/readyz",
                  () -> check(notReady.get(), "ready\n")),
              Map.of(
                  "/metrics",
                  () ->
                      new Response(
                          200,
                          "text/plain; version=0.0.4; charset=utf-8",
                          registry.scrape().getBytes(StandardCharsets.UTF_8))),
              SmallHttpServer.Limits.defaults());
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot serve HTTP on " + address + ":" + port + ": " + e.getMessage(), e);
    }
  }

  AgentHttp start() {
    server.start();
    return this;
  }

  int port() {
    return server.address().getPort();
  }

  @Override
  public void close() {
    server.close();
  }

  private static Response check(String problem, String fine) {
    return problem == null ? Response.text(200, fine) : Response.text(503, problem + "\n");
  }
}
