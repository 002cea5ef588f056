package io.podflow.e2e.grafana;

import static io.podflow.e2e.grafana.ExpectedTables.endIn;
import static io.podflow.e2e.grafana.ExpectedTables.keyword;
import static io.podflow.e2e.grafana.ExpectedTables.namespace;
import static io.podflow.e2e.grafana.ExpectedTables.orElse;
import static io.podflow.e2e.grafana.ExpectedTables.service;
import static io.podflow.e2e.grafana.ExpectedTables.workload;
import static io.podflow.e2e.grafana.SearchRows.byOutermostKey;
import static io.podflow.e2e.grafana.SearchRows.sum;
import static io.podflow.e2e.grafana.SearchRows.table;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.podflow.e2e.grafana.SearchRows.Row;
import io.podflow.processor.sink.opensearch.IndexTemplates;
import io.podflow.processor.sink.opensearch.OpenSearchEndpoint;
import io.podflow.processor.verdict.Violation;
import io.podflow.schema.flow.v1.Enforcement;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Outcome;
import io.podflow.schema.flow.v1.Verdict;
import io.podflow.schema.json.IpText;
import io.podflow.stack.OpenSearchNode;
import io.podflow.stack.junit.LocalStackExtension;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;

/**
 * The dashboards' OpenSearch panels, their variables and the enforcement-gap alert, queried as the
 * grafana-opensearch-datasource plugin queries them ({@link PluginSearch}) against a real
 * OpenSearch holding a known set of flow and violation documents ({@link KnownTraffic}): every
 * panel finds data, and what it shows adds up to what was loaded.
 */
@ExtendWith(LocalStackExtension.class)
class DashboardQueriesIT {
  private static final GrafanaFiles GRAFANA = GrafanaFiles.ofRepository();
  private static final Dashboard FLOWS = GRAFANA.dashboard("podflow-flows-overview");
  private static final Dashboard POLICY = GRAFANA.dashboard("podflow-policy");
  private static final Dashboard SERVICES = GRAFANA.dashboard("podflow-services");

  private static OpenSearchClient client;
  private static KnownTraffic traffic;
  private static ExpectedTables expected;
  private static PanelQueries panels;

  @BeforeAll
  static void loadKnownTraffic(OpenSearchNode openSearch) throws IOException {
    client = new OpenSearchEndpoint(openSearch.httpUri()).openClient();
    IndexTemplates.install(client);
    // A cluster of its own: the run's tests share the stack's OpenSearch.
    traffic = KnownTraffic.endingBefore(Instant.now(), "grafana-" + System.nanoTime());
    OpenSearchRequests.bulk(client, traffic.documents());
    expected = new ExpectedTables(traffic);
    panels = new PanelQueries(GRAFANA, client, traffic.cluster());
  }

  @AfterAll
  static void closeClient() throws IOException {
    client._transport().close();
  }

  @Test
  void everyOpenSearchPanelOfEveryDashboardFindsTheLoadedTraffic() throws IOException {
    SoftAssertions softly = new SoftAssertions();
    int queried = 0;
    for (Dashboard d : GRAFANA.dashboards()) {
      for (JsonNode panel : d.panels()) {
        for (JsonNode target : panel.path("targets")) {
          if (!target.at("/datasource/type").asText().equals("grafana-opensearch-datasource")) {
            continue;
          }
          String name = d.title() + " / " + panel.path("title").asText();
          JsonNode response = panels.search(d, target, panels.variables(d));
          softly.assertThat(response.at("/hits/total/value").asLong()).as(name).isPositive();
          softly.assertThat(SearchRows.of(target, response)).as(name).isNotEmpty();
          queried++;
        }
      }
    }
    softly.assertAll();
    assertThat(queried).as("OpenSearch targets queried").isPositive();
  }

  @Test
  void flowOverviewTotalsAddUpToTheLoadedRecords() throws IOException {
    long total = expected.bytes(r -> true);
    String none = missing(FLOWS, "Namespace to namespace", 0);

    assertThat(sum(panels.rows(FLOWS, "Bytes"), "1")).isEqualTo(total);
    assertThat(sum(panels.rows(FLOWS, "Bytes by protocol"), "1")).isEqualTo(total);
    assertThat(sum(panels.rows(FLOWS, "Flow records"), "1")).isEqualTo(traffic.records().size());
    assertThat(table(panels.rows(FLOWS, "Namespace to namespace"), "1"))
        .isEqualTo(
            expected.flows(
                r -> true,
                r ->
                    List.of(
                        orElse(namespace(r.getSource()), none),
                        orElse(namespace(r.getDestination()), none)),
                KnownTraffic::bytes));
  }

  @Test
  void topTalkersAreTheSourceWorkloadsWithTheMostBytesFirst() throws IOException {
    Map<List<String>, Long> bySource =
        expected.flows(r -> true, r -> List.of(workload(r.getSource())), KnownTraffic::bytes);
    List<String> mostFirst =
        bySource.entrySet().stream()
            .sorted(Map.Entry.<List<String>, Long>comparingByValue().reversed())
            .map(e -> e.getKey().get(0))
            .toList();

    List<Row> rows = panels.rows(FLOWS, "Top talkers (source workloads by bytes)");

    assertThat(rows.stream().map(r -> r.keyList().get(0)).distinct())
        .containsExactlyElementsOf(mostFirst);
    assertThat(table(rows, "1"))
        .isEqualTo(
            expected.flows(
                r -> true,
                r -> List.of(workload(r.getSource()), namespace(r.getSource())),
                KnownTraffic::bytes));
  }

  @Test
  void captureLossPanelSumsTheLossesTheRecordsCarry() throws IOException {
    Map<String, ToLongFunction<FlowRecord>> losses =
        Map.of(
            "flow.loss.kernel_drops", r -> r.getLoss().getKernelDrops(),
            "flow.loss.decoder_drops", r -> r.getLoss().getDecoderDrops(),
            "flow.loss.flows_evicted", r -> r.getLoss().getFlowsEvicted(),
            "flow.loss.spool_drops", r -> r.getLoss().getSpoolDrops());
    String title = "Capture loss reported by the agents";
    List<Row> rows = panels.rows(FLOWS, title);

    for (JsonNode metric : FLOWS.target(title).path("metrics")) {
      ToLongFunction<FlowRecord> loss = losses.get(metric.path("field").asText());
      assertThat(sum(rows, metric.path("id").asText()))
          .as(metric.toString())
          .isEqualTo(traffic.records().stream().mapToLong(loss).sum())
          .isPositive();
    }
  }

  @Test
  void namespaceAndWorkloadVariablesKeepTheFlowsWithSuchAnEnd() throws IOException {
    LuceneVariables all = panels.variables(FLOWS);

    assertThat(sum(panels.rows(FLOWS, "Bytes", all.with("namespace", "web")), "1"))
        .isEqualTo(expected.bytes(r -> endIn(r, "web", null)));
    assertThat(sum(panels.rows(FLOWS, "Bytes", all.with("workload", "db", "gateway")), "1"))
        .isEqualTo(expected.bytes(r -> endIn(r, null, "db") || endIn(r, null, "gateway")));
    // Both on the same end: frontend's traffic to the world is not cart's.
    LuceneVariables cart = all.with("namespace", "shop").with("workload", "cart");
    assertThat(sum(panels.rows(FLOWS, "Bytes", cart), "1"))
        .isEqualTo(expected.bytes(r -> endIn(r, "shop", "cart")))
        .isLessThan(expected.bytes(r -> endIn(r, "shop", null)));
  }

  @Test
  void verdictPanelsCountDeniedRecordsAndEnforcementGaps() throws IOException {
    Predicate<FlowRecord> denied = r -> r.getPolicy().getVerdict() == Verdict.VERDICT_DENIED;
    Predicate<FlowRecord> gap =
        r ->
            r.getPolicy().getViolation()
                && r.getPolicy().getEnforcement() == Enforcement.ENFORCEMENT_ESTABLISHED;
    String none = missing(POLICY, "Top denied pairs", 0);

    assertThat(sum(panels.rows(POLICY, "Denied flows"), "1")).isEqualTo(expected.count(denied));
    assertThat(sum(panels.rows(POLICY, "Enforcement gaps"), "1"))
        .isEqualTo(expected.count(gap))
        .isPositive();
    assertThat(byOutermostKey(table(panels.rows(POLICY, "Flows by verdict"), "1")))
        .isEqualTo(
            expected.flows(r -> true, r -> List.of(keyword(r.getPolicy().getVerdict())), r -> 1));
    assertThat(table(panels.rows(POLICY, "Top denied pairs"), "1"))
        .isEqualTo(
            expected.flows(
                denied,
                r ->
                    List.of(
                        orElse(workload(r.getSource()), none),
                        orElse(workload(r.getDestination()), none)),
                r -> 1));
  }

  @Test
  void violationPanelsSumTheViolationDocumentsPerEnforcementPolicyAndPair() throws IOException {
    Function<Violation, List<String>> enforcement = v -> List.of(enforcement(v));
    Function<Violation, List<String>> policy =
        v -> List.of(v.policyNamespace, v.policyName, v.direction, enforcement(v));
    Function<Violation, List<String>> pair =
        v ->
            List.of(
                v.sourceNamespace,
                v.sourceWorkloadName,
                v.destinationNamespace,
                v.destinationWorkloadName,
                Integer.toString(v.port));
    List<Row> byPolicy = panels.rows(POLICY, "Violations by policy");

    assertThat(byOutermostKey(table(panels.rows(POLICY, "Denied flows by enforcement"), "1")))
        .isEqualTo(expected.violations(v -> true, enforcement, v -> v.flows));
    assertThat(table(byPolicy, "1"))
        .isEqualTo(expected.violations(v -> true, policy, v -> v.flows));
    assertThat(table(byPolicy, "6"))
        .isEqualTo(expected.violations(v -> true, policy, v -> v.packets));
    assertThat(table(byPolicy, "7"))
        .isEqualTo(expected.violations(v -> true, policy, v -> v.bytes));
    assertThat(table(panels.rows(POLICY, "Enforcement gaps by workload pair"), "1"))
        .isEqualTo(expected.violations(v -> v.established, pair, v -> v.flows))
        .isNotEmpty();
  }

  @Test
  void servicePanelsShowEachServiceAndHowItsConnectionsSpreadOverBackends() throws IOException {
    Predicate<FlowRecord> toService = r -> !service(r).isEmpty();
    String none = missing(SERVICES, "Services", 0);
    Function<FlowRecord, List<String>> namespaceAndService =
        r -> List.of(orElse(namespace(r.getDestination()), none), service(r));
    List<Row> services = panels.rows(SERVICES, "Services");

    assertThat(byOutermostKey(table(panels.rows(SERVICES, "Bytes by service"), "1")))
        .isEqualTo(expected.flows(toService, r -> List.of(service(r)), KnownTraffic::bytes));
    assertThat(table(services, "4"))
        .isEqualTo(expected.flows(toService, namespaceAndService, KnownTraffic::bytes));
    assertThat(table(services, "5"))
        .isEqualTo(expected.distinct(toService, namespaceAndService, r -> workload(r.getSource())));
    assertThat(table(panels.rows(SERVICES, "Backends"), "1"))
        .isEqualTo(
            expected.flows(
                toService,
                r ->
                    List.of(
                        service(r),
                        IpText.format(r.getDestination().getNatIp().toByteArray()),
                        r.getDestination().getKubernetes().getPodName()),
                r -> 1))
        .hasSizeGreaterThan(1);
    assertThat(table(panels.rows(SERVICES, "Failed connections to services"), "1"))
        .isEqualTo(
            expected.flows(
                toService.and(r -> r.getOutcome() != Outcome.OUTCOME_ESTABLISHED),
                r -> List.of(service(r), keyword(r.getOutcome())),
                r -> 1))
        .isNotEmpty();
  }

  @Test
  void variableQueriesListTheLoadedClusterItsNamespacesAndTheirWorkloads() throws IOException {
    LuceneVariables shop = panels.variables(FLOWS).with("namespace", "shop");

    assertThat(panels.variableValues(FLOWS, "cluster", shop)).contains(traffic.cluster());
    assertThat(panels.variableValues(FLOWS, "namespace", shop))
        .containsExactlyInAnyOrderElementsOf(
            expected.values(r -> true, r -> namespace(r.getSource())));
    assertThat(panels.variableValues(FLOWS, "workload", shop))
        .containsExactlyInAnyOrderElementsOf(
            expected.values(
                r -> namespace(r.getSource()).equals("shop"), r -> workload(r.getSource())));
  }

  @Test
  void enforcementGapAlertCountsTheEstablishedViolationsOfItsLastFiveMinutes() throws IOException {
    Map<List<String>, Long> perCluster =
        byOutermostKey(table(panels.alertQuery("podflow-enforcement-gap"), "1"));

    assertThat(perCluster.get(List.of(traffic.cluster())))
        .isEqualTo(
            expected.count(
                r -> r.getPolicy().getEnforcement() == Enforcement.ENFORCEMENT_ESTABLISHED))
        .isPositive();
  }

  /** The label a panel's terms aggregation gives documents without the field. */
  private static String missing(Dashboard d, String panel, int bucket) {
    return d.target(panel).path("bucketAggs").get(bucket).at("/settings/missing").asText();
  }

  private static String enforcement(Violation v) {
    return keyword(
        v.established ? Enforcement.ENFORCEMENT_ESTABLISHED : Enforcement.ENFORCEMENT_BLOCKED);
  }
}
