package io.podflow.agent.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AgentHttpTest {
  private final AtomicReference<String> notReady = new AtomicReference<>();
  private final AtomicReference<String> unhealthy = new AtomicReference<>();

  private static String get(AgentHttp http, String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  @Test
  void probesKeepAnsweringWhileSlowClientsHoldConnectionsOpen() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try (AgentHttp http =
        new AgentHttp(
                "127.0.0.1",
                0,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                notReady::get,
                unhealthy::get)
            .start()) {
      for (int i = 0; i < 30; i++) {
        Socket s = new Socket("127.0.0.1", http.port());
        slow.add(s);
        OutputStream out = s.getOutputStream();
        out.write("GET /healthz HTTP/1.1\r\nHost: agent\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }

      for (int i = 0; i < 10; i++) {
        assertThat(get(http, "/healthz")).isEqualTo("200 ok\n");
        assertThat(get(http, "/readyz")).isEqualTo("200 ready\n");
      }
      assertThat(get(http, "/metrics")).startsWith("200 ");
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void probesSay503AndWhyWhenTheAgentIsNotReadyOrCannotWork() throws Exception {
    try (AgentHttp http =
        new AgentHttp(
                "127.0.0.1",
                0,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                notReady::get,
                unhealthy::get)
            .start()) {
      notReady.set("flows_saturated");
      unhealthy.set("capture failed for good: java.lang.OutOfMemoryError: Java heap space");

      assertThat(get(http, "/readyz")).isEqualTo("503 flows_saturated\n");
      assertThat(get(http, "/healthz"))
          .isEqualTo("503 capture failed for good: java.lang.OutOfMemoryError: Java heap space\n");
    }
  }
}
