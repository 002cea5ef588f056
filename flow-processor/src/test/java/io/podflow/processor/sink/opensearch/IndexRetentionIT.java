package io.podflow.processor.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.schema.PodflowIndex;
import io.podflow.stack.OpenSearchNode;
import io.podflow.stack.junit.LocalStackExtension;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;

@ExtendWith(LocalStackExtension.class)
class IndexRetentionIT {
  private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

  @Test
  void deletesOnlyDailyIndicesWhoseWholeDayIsPastRetention(OpenSearchNode node) throws IOException {
    OpenSearchClient client = new OpenSearchEndpoint(node.httpUri()).openClient();
    IndexTemplates.install(client);
    List<String> indices =
        List.of(
            "podflow-flows-2026.11.18", // ended 8 days ago: expired
            "podflow-flows-2026.11.19", // ended 6 days 10 h ago: kept
            "podflow-flows-2026.11.26",
            "podflow-violations-2026.11.18", // violations are kept 30 days
            "podflow-flows-restored");
    for (String index : indices) {
      // Other tests of the run may have written today's index already.
      if (!client.indices().exists(e -> e.index(index)).value()) {
        client.indices().create(c -> c.index(index));
      }
    }

    IndexRetention retention =
        new IndexRetention(client, IndexRetention.DEFAULTS, Clock.fixed(NOW, ZoneOffset.UTC));
    List<String> deleted = retention.deleteExpired();

    assertThat(deleted).containsExactly("podflow-flows-2026.11.18");
    assertThat(existing(client))
        .contains(
            "podflow-flows-2026.11.19",
            "podflow-flows-2026.11.26",
            "podflow-violations-2026.11.18",
            "podflow-flows-restored")
        .doesNotContain("podflow-flows-2026.11.18");
    client.indices().delete(d -> d.index(List.of("podflow-*")));
  }

  @Test
  void rejectsARetentionThatWouldDeleteEverything(OpenSearchNode node) {
    OpenSearchClient client = new OpenSearchEndpoint(node.httpUri()).openClient();

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new IndexRetention(
                    client, Map.of(PodflowIndex.FLOWS, Duration.ZERO), Clock.systemUTC()))
        .hasMessageContaining("retention of FLOWS must be positive");
  }

  private static java.util.Set<String> existing(OpenSearchClient client) throws IOException {
    return client.indices().get(g -> g.index("podflow-*")).result().keySet();
  }
}
