package io.podflow.processor.job;

import static io.podflow.processor.job.FlowProcessorJobIT.flow;
import static io.podflow.processor.job.FlowProcessorJobIT.policy;
import static io.podflow.processor.job.FlowProcessorJobIT.producer;
import static io.podflow.processor.job.FlowProcessorJobIT.record;
import static io.podflow.processor.job.FlowProcessorJobIT.reported;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.stack.Alertmanager;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.OpenSearchNode;
import io.podflow.stack.TopicReader;
import io.podflow.stack.junit.LocalStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Violations become alerts at Debian's prometheus-alertmanager, started by the test, with the
 * labels dashboards and routes use, and resolve once the violations stop; they are counted per
 * minute in the violations index and written to the alerts topic too.
 */
@ExtendWith(LocalStackExtension.class)
class FlowProcessorAlertsIT {
  @RegisterExtension static final MiniClusterExtension FLINK = new MiniClusterExtension();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SECOND = 1_000_000_000L;

  @Test
  void anEnforcementGapIsACriticalAlertThatResolvesWhenTheTrafficStops(
      KafkaBroker kafka, OpenSearchNode openSearch, @TempDir Path dir) throws Exception {
    String run = "a" + System.nanoTime();
    try (Alertmanager alertmanager = Alertmanager.start(dir, Duration.ofSeconds(60))) {
      ProcessorConfig config =
          FlowProcessorJobIT.config(
              kafka,
              openSearch,
              run,
              "--alertmanager=" + alertmanager.uri(),
              "--alert-resolve-after=4");
      kafka.createTopics(
          List.of(
              new NewTopic(config.flowsTopic(), 1, (short) 1),
              new NewTopic(config.policiesTopic(), 1, (short) 1)
                  .configs(Map.of("cleanup.policy", "compact")),
              new NewTopic(config.deadLetterTopic(), 1, (short) 1),
              new NewTopic(config.alertsTopic(), 1, (short) 1)));
      try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
        policy(producer, config, run + "/shop/allow-nginx", FlowProcessorJobIT.ALLOW_NGINX);
        // Three denied connections that went through, in one minute; then time moves on.
        for (int i = 0; i < 3; i++) {
          FlowRecord r = record(run, "10.1.0." + (20 + i), "other", "10.1.0.9", "nginx", 80);
          flow(producer, config, reported(r, Reporter.REPORTER_DESTINATION, "node-b", i * SECOND));
        }
        FlowRecord clock = record(run, "10.1.0.30", "batch", "10.1.0.8", null, 53);
        flow(
            producer,
            config,
            reported(clock, Reporter.REPORTER_UNSPECIFIED, "node-a", 300 * SECOND));
      }

      JobClient job = FlowProcessorJobIT.start(config, "flow processor alerts test");
      JsonNode violation;
      try {
        JsonNode alert =
            await(
                    () -> firing(alertmanager, run),
                    a -> !a.isEmpty(),
                    Duration.ofSeconds(90),
                    "the alert at Alertmanager")
                .get(0);
        JsonNode labels = alert.get("labels");
        assertThat(labels.get("alertname").asText()).isEqualTo("PodflowEnforcementGap");
        assertThat(labels.get("severity").asText()).isEqualTo("critical");
        assertThat(labels.get("source_namespace").asText()).isEqualTo("shop");
        assertThat(labels.get("source_workload").asText()).isEqualTo("other-0");
        assertThat(labels.get("destination_workload").asText()).isEqualTo("nginx-0");
        assertThat(labels.get("policy").asText()).isEqualTo("shop/allow-nginx");
        assertThat(alert.at("/annotations/opensearch_query").asText())
            .contains("policy.violation:true")
            .contains("orchestrator.cluster.name:\"" + run + "\"");
        assertThat(alert.at("/annotations/summary").asText())
            .contains("does not enforce the policy");

        await(
            () -> firing(alertmanager, run),
            List::isEmpty,
            Duration.ofSeconds(60),
            "the alert resolved");
        // The minute's total, while the job runs: its three violations can reach the counting
        // stage seconds apart (a record waits for its partner, and the judging stage's event time
        // starts once every input has reported), and each update of the minute overwrites the
        // last; with a 4 s resolve-after the alert may resolve between them.
        violation =
            await(
                () -> violations(openSearch.httpUri(), run).get(0),
                v -> v.at("/violation/flows").asLong() == 3,
                Duration.ofSeconds(60),
                "the minute's three violations");
      } finally {
        job.cancel().get();
      }
      List<String> published =
          TopicReader.values(
              kafka.bootstrapServers(),
              config.alertsTopic(),
              b -> new String(b, StandardCharsets.UTF_8));
      assertThat(published).hasSizeGreaterThanOrEqualTo(2);
      assertThat(violation.at("/violation/flows").asLong()).isEqualTo(3);
      assertThat(violation.at("/policy/direction").asText()).isEqualTo("ingress");
      assertThat(violation.at("/policy/enforcement").asText()).isEqualTo("established");
    }
  }

  /** The cluster's active alerts at Alertmanager. */
  private static List<JsonNode> firing(Alertmanager am, String cluster) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(am.alerts())
        .forEach(
            a -> {
              if (a.at("/labels/cluster").asText().equals(cluster)) {
                out.add(a);
              }
            });
    return out;
  }

  private static List<JsonNode> violations(URI openSearch, String cluster) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    List<JsonNode> out = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (out.isEmpty() && System.nanoTime() < deadline) {
      http.send(
          HttpRequest.newBuilder(openSearch.resolve("/podflow-violations/_refresh"))
              .POST(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.discarding());
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(openSearch.resolve("/podflow-violations/_search"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"query\":{\"term\":{\"orchestrator.cluster.name\":\""
                              + cluster
                              + "\"}}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        JSON.readTree(r.body()).at("/hits/hits").forEach(h -> out.add(h.get("_source")));
      }
      if (out.isEmpty()) {
        Thread.sleep(500);
      }
    }
    assertThat(out).as("violations of " + cluster).isNotEmpty();
    return out;
  }

  private interface Check<T> {
    T get() throws Exception;
  }

  private static <T> T await(Check<T> check, Predicate<T> done, Duration timeout, String what)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = check.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; last: " + last);
      }
      Thread.sleep(250);
      last = check.get();
    }
    return last;
  }
}
