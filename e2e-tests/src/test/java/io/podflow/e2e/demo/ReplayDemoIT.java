package io.podflow.e2e.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.podflow.cli.demo.ReplayDemo;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.OpenSearchNode;
import io.podflow.stack.junit.LocalStackExtension;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's path without root: the bundled capture of a live demo, replayed through the agent's
 * packet path and enrichment into the same processor, gives the verdicts the live demo gives.
 */
@ExtendWith(LocalStackExtension.class)
class ReplayDemoIT {
  @TempDir Path dir;

  @Test
  void theBundledCaptureIsNamedJudgedAndIndexedLikeTheLiveDemo(
      KafkaBroker kafka, OpenSearchNode openSearch) throws Exception {
    int records =
        new ReplayDemo(
                new ReplayDemo.Settings(kafka.bootstrapServers(), openSearch.httpUri(), null, dir),
                System.out)
            .run();
    assertThat(records).isPositive();

    List<JsonNode> docs =
        LiveDemoIT.documents(openSearch.httpUri(), "podflow-flows", ReplayDemo.CLUSTER);
    // The bundle holds eight rounds of the live demo's seven calls, replayed with the policies the
    // live demo ends with: allow-nginx and ledger-from-billing-only. One document per call.
    assertThat(docs).hasSize(8 * 7);
    assertThat(docs)
        .allSatisfy(d -> assertThat(d.at("/observer/reporter").asText()).isEqualTo("both"));
    assertThat(docs.stream().filter(d -> pair(d, "shopper", "nginx", "tcp")))
        .hasSize(8)
        .allSatisfy(
            d -> {
              assertThat(d.at("/observer/reporter").asText()).isEqualTo("both");
              assertThat(d.at("/policy/verdict").asText()).isEqualTo("denied");
              assertThat(d.at("/policy/enforcement").asText()).isEqualTo("established");
            });
    assertThat(docs.stream().filter(d -> pair(d, "frontend", "nginx", "tcp")))
        .hasSize(8)
        .allSatisfy(d -> assertThat(d.at("/policy/verdict").asText()).isEqualTo("allowed"));
    assertThat(docs.stream().filter(d -> pair(d, "frontend", "ledger", "tcp")))
        .hasSize(8)
        .allSatisfy(d -> assertThat(d.at("/policy/verdict").asText()).isEqualTo("denied"));
    assertThat(docs.stream().filter(d -> pair(d, "frontend", "coredns", "udp")))
        .hasSize(8)
        .allSatisfy(d -> assertThat(d.at("/network/packets").asLong()).isEqualTo(2));
    assertThat(docs.stream().filter(d -> pair(d, "frontend", "myapp", "tcp")))
        .hasSize(8)
        .allSatisfy(
            d ->
                assertThat(d.at("/destination/kubernetes/service/name").asText())
                    .isEqualTo("my-service"));
  }

  private static boolean pair(JsonNode d, String from, String to, String transport) {
    return d.at("/source/kubernetes/workload/name").asText().equals(from)
        && d.at("/destination/kubernetes/workload/name").asText().equals(to)
        && d.at("/network/transport").asText().equals(transport);
  }
}
