package io.podflow.e2e.grafana;

import static io.podflow.e2e.grafana.GrafanaFiles.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import io.podflow.e2e.grafana.SearchRows.Row;
import java.io.IOException;
import java.util.List;
import org.opensearch.client.opensearch.OpenSearchClient;

/**
 * What the dashboards ask OpenSearch, asked as Grafana and the plugin ask it: a panel's target or a
 * variable's terms query over the last hour (the dashboards' default range), from the index of the
 * data source the panel's variable defaults to, with the cluster variable set to one cluster and
 * the others at "All"; an alert rule's query over its relative time range.
 */
record PanelQueries(GrafanaFiles grafana, OpenSearchClient client, String cluster) {
  private static final long HOUR_MILLIS = 3_600_000;
  private static final String INTERVAL = "1m";

  LuceneVariables variables(Dashboard d) {
    return LuceneVariables.allAtAll(d).with("cluster", cluster);
  }

  List<Row> rows(Dashboard d, String panel) throws IOException {
    return rows(d, panel, variables(d));
  }

  List<Row> rows(Dashboard d, String panel, LuceneVariables variables) throws IOException {
    JsonNode target = d.target(panel);
    return SearchRows.of(target, search(d, target, variables));
  }

  /** The response to one target. */
  JsonNode search(Dashboard d, JsonNode target, LuceneVariables variables) throws IOException {
    JsonNode settings = dataSourceSettings(d, target.path("datasource"));
    String query = variables.interpolate(target.path("query").asText());
    return OpenSearchRequests.msearch(
        client, settings.path("database").asText(), lastHour(settings).of(target, query));
  }

  /** The values a {@code {"find":"terms"}} variable offers. */
  List<String> variableValues(Dashboard d, String name, LuceneVariables variables)
      throws IOException {
    JsonNode variable = d.variable(name);
    JsonNode definition = JSON.readTree(variable.path("query").asText());
    JsonNode settings = dataSourceSettings(d, variable.path("datasource"));
    String query = variables.interpolate(definition.path("query").asText("*"));
    JsonNode response =
        OpenSearchRequests.msearch(
            client,
            settings.path("database").asText(),
            lastHour(settings).variableTerms(definition, query));
    return response.at("/aggregations/1/buckets").findValuesAsText("key");
  }

  /** The rows of an alert rule's first step, a query of a provisioned data source by uid. */
  List<Row> alertQuery(String ruleUid) throws IOException {
    JsonNode step = grafana.alertRule(ruleUid).path("data").get(0);
    JsonNode settings = grafana.dataSource(step.path("datasourceUid").asText()).path("jsonData");
    JsonNode model = step.path("model");
    long now = System.currentTimeMillis();
    long from = now - step.at("/relativeTimeRange/from").asLong() * 1000;
    PluginSearch search =
        new PluginSearch(settings.path("timeField").asText(), from, now, INTERVAL);
    JsonNode response =
        OpenSearchRequests.msearch(
            client,
            settings.path("database").asText(),
            search.of(model, model.path("query").asText()));
    return SearchRows.of(model, response);
  }

  private JsonNode dataSourceSettings(Dashboard d, JsonNode dataSource) {
    String variable = Dashboard.dataSourceVariable(dataSource).orElseThrow();
    return grafana.defaultDataSource(d, variable).path("jsonData");
  }

  private static PluginSearch lastHour(JsonNode settings) {
    long now = System.currentTimeMillis();
    return new PluginSearch(settings.path("timeField").asText(), now - HOUR_MILLIS, now, INTERVAL);
  }
}
