package io.podflow.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podflow.schema.PodflowIndex;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * What the demo found, read back from OpenSearch as a person would query it: flows by verdict, the
 * top talkers, the violations with the policy that denied them, and queries to paste.
 */
public final class DemoSummary {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI openSearch;
  private final String cluster;
  private final HttpClient http = HttpClient.newHttpClient();

  public DemoSummary(URI openSearch, String cluster) {
    this.openSearch = openSearch;
    this.cluster = cluster;
  }

  /**
   * Prints the summary; returns the number of enforcement gaps (denied flows that went through).
   */
  public long print(PrintStream out) throws IOException, InterruptedException {
    String flows = PodflowIndex.FLOWS.alias();
    String violations = PodflowIndex.VIOLATIONS.alias();
    post("/" + flows + "," + violations + "/_refresh?ignore_unavailable=true", "");

    out.println();
    out.println("Flows by verdict:");
    JsonNode verdicts =
        search(
            flows,
            "{\"size\":0,\"query\":"
                + byCluster()
                + ",\"aggs\":{\"v\":{\"terms\":{\"field\":\"policy.verdict\"},"
                + "\"aggs\":{\"packets\":{\"sum\":{\"field\":\"network.packets\"}}}}}}");
    for (JsonNode b : verdicts.at("/aggregations/v/buckets")) {
      out.printf(
          "  %-13s %5d flows %7.0f packets%n",
          b.path("key").asText(), b.path("doc_count").asLong(), b.at("/packets/value").asDouble());
    }

    out.println();
    out.println("Top talkers (bytes, source workload -> destination workload or service):");
    JsonNode talkers =
        search(
            flows,
            "{\"size\":0,\"query\":"
                + byCluster()
                + ",\"aggs\":{\"pairs\":{\"multi_terms\":{\"terms\":["
                + "{\"field\":\"source.kubernetes.workload.name\",\"missing\":\"-\"},"
                + "{\"field\":\"destination.kubernetes.workload.name\",\"missing\":\"-\"},"
                + "{\"field\":\"destination.kubernetes.service.name\",\"missing\":\"-\"}],"
                + "\"size\":8,\"order\":{\"bytes\":\"desc\"}},"
                + "\"aggs\":{\"bytes\":{\"sum\":{\"field\":\"network.bytes\"}}}}}}");
    for (JsonNode b : talkers.at("/aggregations/pairs/buckets")) {
      JsonNode k = b.path("key");
      String to =
          k.path(1).asText()
              + (k.path(2).asText().equals("-") ? "" : " (Service " + k.path(2).asText() + ")");
      out.printf(
          "  %-10s -> %-24s %8.0f bytes in %d flows%n",
          k.path(0).asText(), to, b.at("/bytes/value").asDouble(), b.path("doc_count").asLong());
    }

    out.println();
    out.println("Violations (denied by a NetworkPolicy), per policy and pair:");
    JsonNode denied =
        search(
            violations,
            "{\"size\":0,\"query\":"
                + byCluster()
                + ",\"aggs\":{\"v\":{\"multi_terms\":{\"terms\":["
                + "{\"field\":\"policy.namespace\"},{\"field\":\"policy.name\"},"
                + "{\"field\":\"source.kubernetes.workload.name\"},"
                + "{\"field\":\"destination.kubernetes.workload.name\"},"
                + "{\"field\":\"destination.port\"},{\"field\":\"policy.enforcement\"}],"
                + "\"size\":20},\"aggs\":{\"flows\":{\"sum\":{\"field\":\"violation.flows\"}}}}}}");
    for (JsonNode b : denied.at("/aggregations/v/buckets")) {
      JsonNode k = b.path("key");
      out.printf(
          "  %s/%s denies %s -> %s:%s  %3.0f flows  %s%n",
          k.path(0).asText(),
          k.path(1).asText(),
          k.path(2).asText(),
          k.path(3).asText(),
          k.path(4).asText(),
          b.at("/flows/value").asDouble(),
          k.path(5).asText().equals("established") ? "WENT THROUGH (enforcement gap)" : "blocked");
    }
    long gaps =
        search(
                flows,
                "{\"size\":0,\"track_total_hits\":true,\"query\":{\"bool\":{\"filter\":["
                    + byCluster()
                    + ",{\"term\":{\"policy.violation\":true}},"
                    + "{\"term\":{\"policy.enforcement\":\"established\"}}]}}}")
            .at("/hits/total/value")
            .asLong();
    out.println();
    out.printf(
        "Enforcement gaps: %d denied flows went through. This demo's pods have no network plugin"
            + " that enforces NetworkPolicies, so every denied connection succeeds: exactly what"
            + " podflow flags as the most important alert.%n",
        gaps);

    out.println();
    out.println("Queries to paste (with --keep-up SECONDS the stack stays up for them):");
    String os = openSearch.toString();
    out.printf("  curl -s '%s/_cat/indices/podflow-*?v'%n", os);
    out.printf(
        "  curl -s '%s/%s/_search?pretty&q=policy.violation:true%%20AND%%20policy.enforcement:established'%n",
        os, flows);
    out.printf(
        "  curl -s '%s/%s/_search?pretty&q=destination.kubernetes.service.name:my-service'%n",
        os, flows);
    out.printf("  curl -s '%s/%s/_search?pretty&sort=@timestamp:desc'%n", os, violations);
    return gaps;
  }

  /** The cluster's flow documents searchable now (none before the first index exists). */
  long flowDocuments() throws IOException, InterruptedException {
    HttpResponse<String> refreshed = send("/" + PodflowIndex.FLOWS.alias() + "/_refresh", "");
    if (refreshed.statusCode() == 404) {
      return 0;
    }
    return search(
            PodflowIndex.FLOWS.alias(),
            "{\"size\":0,\"track_total_hits\":true,\"query\":" + byCluster() + "}")
        .at("/hits/total/value")
        .asLong();
  }

  private String byCluster() {
    return "{\"term\":{\"orchestrator.cluster.name\":\"" + cluster + "\"}}";
  }

  private JsonNode search(String index, String body) throws IOException, InterruptedException {
    // A run without violations has no violations index: that is no violation, not an error.
    return JSON.readTree(post("/" + index + "/_search?ignore_unavailable=true", body));
  }

  private String post(String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> r = send(path, body);
    if (r.statusCode() / 100 != 2) {
      throw new IOException(path + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  private HttpResponse<String> send(String path, String body)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(openSearch.resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
