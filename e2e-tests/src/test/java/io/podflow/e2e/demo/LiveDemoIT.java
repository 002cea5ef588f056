package io.podflow.e2e.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.podflow.cli.demo.LiveDemo;
import io.podflow.e2e.images.IndexedDocuments;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.schema.kafka.PodflowTopic;
import io.podflow.stack.Alertmanager;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.OpenSearchNode;
import io.podflow.stack.TopicReader;
import io.podflow.stack.junit.LocalStackExtension;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's path with assertions: pods as network namespaces, the agent capturing them live, the
 * flow processor on a MiniCluster, real Kafka, OpenSearch and Alertmanager. Every connection the
 * demo drives is one document with both ends named, the Service resolved and the right verdict; the
 * counts agree from the packets sent to the agent's records to OpenSearch.
 */
@ExtendWith(LocalStackExtension.class)
class LiveDemoIT {

  @TempDir Path dir;

  @Test
  void everyConnectionTheDemoDrivesIsIndexedOnceJudgedAndItsEnforcementGapAlerted(
      KafkaBroker kafka, OpenSearchNode openSearch) throws Exception {
    LiveDemo.Result result;
    String alerts;
    try (Alertmanager alertmanager =
        Alertmanager.start(dir.resolve("alertmanager"), Duration.ofSeconds(60))) {
      result =
          new LiveDemo(
                  new LiveDemo.Settings(
                      kafka.bootstrapServers(),
                      openSearch.httpUri(),
                      alertmanager.uri(),
                      Duration.ofSeconds(16),
                      dir.resolve("demo"),
                      null),
                  System.out)
              .run();
      alerts = awaitAlert(alertmanager, "PodflowEnforcementGap");
    }
    int rounds = result.rounds();
    int before = result.roundsBeforePolicy();
    assertThat(result.failedCalls()).as("calls that failed").isZero();
    assertThat(before).isPositive().isLessThan(rounds);

    List<JsonNode> docs = documents(openSearch.httpUri(), "podflow-flows", result.cluster());
    // One document per connection: both agents' views (SOURCE and DESTINATION) merged.
    assertThat(docs).hasSize(rounds * 7);
    assertThat(docs)
        .allSatisfy(d -> assertThat(d.at("/observer/reporter").asText()).isEqualTo("both"));

    List<JsonNode> allowed = select(docs, "frontend", "nginx", "tcp");
    assertThat(allowed).hasSize(rounds);
    assertThat(allowed)
        .allSatisfy(
            d -> {
              assertThat(d.at("/source/kubernetes/namespace").asText()).isEqualTo("shop");
              assertThat(d.at("/source/kubernetes/workload/kind").asText()).isEqualTo("Deployment");
              assertThat(d.at("/source/kubernetes/pod/name").asText()).startsWith("frontend-");
              assertThat(d.at("/destination/port").asInt()).isEqualTo(80);
              assertThat(d.at("/policy/verdict").asText()).isEqualTo("allowed");
              assertThat(d.at("/policy/ingress/allowed_by/name").asText())
                  .as(d.toString())
                  .isEqualTo("allow-nginx");
            });

    List<JsonNode> denied = select(docs, "shopper", "nginx", "tcp");
    assertThat(denied).hasSize(rounds);
    assertThat(denied)
        .allSatisfy(
            d -> {
              assertThat(d.at("/policy/verdict").asText()).isEqualTo("denied");
              assertThat(d.at("/policy/violation").asBoolean()).isTrue();
              assertThat(d.at("/policy/enforcement").asText()).isEqualTo("established");
              assertThat(d.at("/policy/ingress/isolated_by/0/name").asText())
                  .isEqualTo("allow-nginx");
            });

    List<JsonNode> viaService = select(docs, "frontend", "myapp", "tcp");
    assertThat(viaService).hasSize(rounds);
    List<String> backends =
        result.podIps().entrySet().stream()
            .filter(e -> e.getKey().startsWith("default/myapp-"))
            .map(e -> e.getValue())
            .toList();
    assertThat(viaService)
        .allSatisfy(
            d -> {
              assertThat(d.at("/destination/ip").asText()).isEqualTo("10.96.0.10");
              assertThat(d.at("/destination/port").asInt()).isEqualTo(80);
              assertThat(d.at("/destination/kubernetes/service/name").asText())
                  .isEqualTo("my-service");
              assertThat(d.at("/destination/nat/ip").asText()).isIn(backends);
              assertThat(d.at("/destination/nat/port").asInt()).isEqualTo(8080);
            });

    // The policy applied midway: the same calls, allowed (no policy) before, denied after.
    List<JsonNode> toLedger = select(docs, "frontend", "ledger", "tcp");
    assertThat(toLedger).hasSize(rounds);
    assertThat(toLedger.stream().filter(verdict("not_selected"))).hasSize(before);
    assertThat(toLedger.stream().filter(verdict("denied")))
        .hasSize(rounds - before)
        .allSatisfy(
            d ->
                assertThat(d.at("/policy/ingress/isolated_by/0/name").asText())
                    .isEqualTo("ledger-from-billing-only"));

    // Packets sent = packets in OpenSearch where the test knows them: a ping round is two
    // requests and two replies, a UDP exchange a query and its answer.
    List<JsonNode> pings = select(docs, "frontend", "nginx", "icmp");
    assertThat(pings).hasSize(rounds);
    assertThat(pings).allSatisfy(d -> assertThat(d.at("/network/packets").asLong()).isEqualTo(4));
    for (String client : List.of("frontend", "shopper")) {
      List<JsonNode> dns = select(docs, client, "coredns", "udp");
      assertThat(dns).hasSize(rounds);
      assertThat(dns).allSatisfy(d -> assertThat(d.at("/network/packets").asLong()).isEqualTo(2));
    }

    // Packets in the agent's records = packets in OpenSearch: the source agents' counts are the
    // documents' own, the destination agents' are kept beside them.
    List<FlowRecord> records = new ArrayList<>();
    for (var kafkaRecord : TopicReader.all(kafka.bootstrapServers(), PodflowTopic.FLOWS.topic())) {
      FlowRecord r = FlowRecord.parseFrom(kafkaRecord.value());
      if (r.getCluster().equals(result.cluster())
          && r.getDestination().hasKubernetes()
          && r.getObserver().getReporter() != Reporter.REPORTER_UNSPECIFIED) {
        records.add(r);
      }
    }
    assertThat(sum(docs, "/network/packets")).isEqualTo(packets(records, Reporter.REPORTER_SOURCE));
    assertThat(
            sum(docs, "/destination_observation/source_to_destination/packets")
                + sum(docs, "/destination_observation/destination_to_source/packets"))
        .isEqualTo(packets(records, Reporter.REPORTER_DESTINATION));

    List<JsonNode> violations =
        documents(openSearch.httpUri(), "podflow-violations", result.cluster());
    assertThat(flowsDeniedBy(violations, "allow-nginx"))
        .as(violations.toString())
        .isEqualTo(rounds);
    assertThat(flowsDeniedBy(violations, "ledger-from-billing-only")).isEqualTo(rounds - before);

    assertThat(alerts)
        .contains("\"cluster\":\"demo\"")
        .contains("\"policy\":\"shop/allow-nginx\"")
        .contains("\"source_workload\":\"shopper\"")
        .contains("\"severity\":\"critical\"");
  }

  private static Predicate<JsonNode> verdict(String verdict) {
    return d -> d.at("/policy/verdict").asText().equals(verdict);
  }

  private static List<JsonNode> select(
      List<JsonNode> docs, String from, String to, String transport) {
    return docs.stream()
        .filter(d -> d.at("/source/kubernetes/workload/name").asText().equals(from))
        .filter(d -> d.at("/destination/kubernetes/workload/name").asText().equals(to))
        .filter(d -> d.at("/network/transport").asText().equals(transport))
        .toList();
  }

  private static long sum(List<JsonNode> docs, String pointer) {
    return docs.stream().mapToLong(d -> d.at(pointer).asLong()).sum();
  }

  private static long packets(List<FlowRecord> records, Reporter reporter) {
    return records.stream()
        .filter(r -> r.getObserver().getReporter() == reporter)
        .mapToLong(
            r -> r.getSourceToDestination().getPackets() + r.getDestinationToSource().getPackets())
        .sum();
  }

  private static long flowsDeniedBy(List<JsonNode> violations, String policy) {
    return violations.stream()
        .filter(v -> v.at("/policy/name").asText().equals(policy))
        .mapToLong(v -> v.at("/violation/flows").asLong())
        .sum();
  }

  private static String awaitAlert(Alertmanager alertmanager, String name) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    String alerts = alertmanager.alerts();
    while (!alerts.contains(name) && System.nanoTime() < deadline) {
      Thread.sleep(500);
      alerts = alertmanager.alerts();
    }
    return alerts;
  }

  static List<JsonNode> documents(URI base, String index, String cluster) throws Exception {
    return IndexedDocuments.of(base, index, cluster);
  }
}
