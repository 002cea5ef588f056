package io.podflow.e2e.grafana;

import static io.podflow.e2e.grafana.GrafanaFiles.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.podflow.schema.PodflowIndex;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/** The dashboards and provisioning files are what Grafana can load and what they claim to be. */
class DashboardJsonTest {
  private static final GrafanaFiles GRAFANA = GrafanaFiles.ofRepository();
  private static final List<Dashboard> DASHBOARDS = GRAFANA.dashboards();
  private static final String OPENSEARCH = "grafana-opensearch-datasource";
  private static final String EXPRESSIONS = "__expr__";

  @Test
  void everyDashboardHasAUidATitleAndACurrentSchemaVersion() {
    assertThat(DASHBOARDS).hasSizeGreaterThanOrEqualTo(4);
    assertThat(DASHBOARDS)
        .allSatisfy(
            d -> {
              assertThat(d.uid()).as(d.file()).matches("[a-z0-9-]{1,40}");
              assertThat(d.title()).as(d.file()).startsWith("podflow / ");
              assertThat(d.json().path("schemaVersion").asInt())
                  .as(d.file())
                  .isGreaterThanOrEqualTo(39);
              assertThat(d.panels()).as(d.file()).isNotEmpty();
            });
  }

  @Test
  void uidsAndTitlesAreUniqueAcrossDashboards() {
    assertThat(DASHBOARDS.stream().map(Dashboard::uid)).doesNotHaveDuplicates();
    assertThat(DASHBOARDS.stream().map(Dashboard::title)).doesNotHaveDuplicates();
  }

  @Test
  void panelIdsAreUniqueWithinEachDashboard() {
    for (Dashboard d : DASHBOARDS) {
      List<Integer> ids = new ArrayList<>();
      for (JsonNode panel : d.json().path("panels")) {
        ids.add(panel.path("id").asInt());
        panel.path("panels").forEach(inRow -> ids.add(inRow.path("id").asInt()));
      }
      assertThat(ids).as(d.file()).doesNotHaveDuplicates();
    }
  }

  @Test
  void everyPanelTargetAndQueryVariableTakesItsDataSourceFromADataSourceVariable() {
    SoftAssertions softly = new SoftAssertions();
    for (Dashboard d : DASHBOARDS) {
      for (JsonNode panel : d.panels()) {
        String name = d.file() + " / " + panel.path("title").asText();
        JsonNode dataSource = panel.path("datasource");
        softly.assertThat(variableOfType(d, dataSource)).as(name).isPresent();
        softly.assertThat(panel.path("targets")).as(name + ": targets").isNotEmpty();
        for (JsonNode target : panel.path("targets")) {
          softly
              .assertThat(target.path("datasource"))
              .as(name + " " + target.path("refId"))
              .isEqualTo(dataSource);
        }
      }
      for (JsonNode variable : d.variables()) {
        if (variable.path("type").asText().equals("query")) {
          softly
              .assertThat(variableOfType(d, variable.path("datasource")))
              .as(d.file() + " $" + variable.path("name"))
              .isPresent();
        }
      }
    }
    softly.assertAll();
  }

  @Test
  void everyDeclaredVariableIsUsedByAPanelOrAnotherVariable() {
    for (Dashboard d : DASHBOARDS) {
      for (JsonNode variable : d.variables()) {
        String name = variable.path("name").asText();
        Set<String> usedBy = new HashSet<>();
        d.panels().forEach(p -> usedBy.addAll(Dashboard.references(p.toString())));
        d.variables().stream()
            .filter(other -> other != variable)
            .forEach(other -> usedBy.addAll(Dashboard.references(other.toString())));
        assertThat(usedBy).as(d.file() + " uses $" + name).contains(name);
      }
    }
  }

  @Test
  void everyVariableReferenceNamesADeclaredVariable() {
    for (Dashboard d : DASHBOARDS) {
      Set<String> declared = new HashSet<>();
      d.variables().forEach(v -> declared.add(v.path("name").asText()));
      assertThat(Dashboard.references(d.json().toString())).as(d.file()).isSubsetOf(declared);
    }
  }

  @Test
  void dataSourceVariablesDefaultToAProvisionedDataSourceOfTheirType() {
    for (Dashboard d : DASHBOARDS) {
      d.variables().stream()
          .filter(v -> v.path("type").asText().equals("datasource"))
          .forEach(
              v ->
                  assertThat(
                          GRAFANA
                              .defaultDataSource(d, v.path("name").asText())
                              .path("type")
                              .asText())
                      .as(d.file() + " $" + v.path("name"))
                      .isEqualTo(v.path("query").asText()));
    }
  }

  @Test
  void everyFieldAnOpenSearchQueryNamesIsMappedInItsIndexAndAggregatesHaveDocValues()
      throws IOException {
    SoftAssertions softly = new SoftAssertions();
    for (Dashboard d : DASHBOARDS) {
      for (JsonNode panel : d.panels()) {
        for (JsonNode target : panel.path("targets")) {
          if (target.at("/datasource/type").asText().equals(OPENSEARCH)) {
            String name = d.file() + " / " + panel.path("title").asText();
            checkFields(softly, name, mapping(d, target.path("datasource")), target);
          }
        }
      }
      for (JsonNode variable : d.variables()) {
        if (variable.at("/datasource/type").asText().equals(OPENSEARCH)) {
          JsonNode definition = JSON.readTree(variable.path("query").asText());
          String name = d.file() + " $" + variable.path("name").asText();
          checkFields(softly, name, mapping(d, variable.path("datasource")), definition);
        }
      }
    }
    for (JsonNode step : openSearchAlertQueries()) {
      JsonNode dataSource = GRAFANA.dataSource(step.path("datasourceUid").asText());
      checkFields(softly, "alert step", IndexMappings.of(dataSource), step.path("model"));
    }
    softly.assertAll();
  }

  @Test
  void provisionedOpenSearchDataSourcesReadPodflowsAliasesByTimestamp() {
    JsonNode file = GRAFANA.dataSourcesFile();
    List<JsonNode> dataSources = new ArrayList<>();
    file.path("datasources").forEach(dataSources::add);

    assertThat(file.path("apiVersion").asInt()).isEqualTo(1);
    assertThat(dataSources.stream().map(ds -> ds.path("uid").asText())).doesNotHaveDuplicates();
    assertThat(dataSources).allSatisfy(ds -> assertThat(ds.path("url").asText()).isNotBlank());
    List<JsonNode> openSearch =
        dataSources.stream().filter(ds -> ds.path("type").asText().equals(OPENSEARCH)).toList();
    assertThat(openSearch.stream().map(ds -> ds.at("/jsonData/database").asText()))
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(PodflowIndex.values()).map(PodflowIndex::alias).toList());
    assertThat(openSearch)
        .allSatisfy(
            ds -> assertThat(ds.at("/jsonData/timeField").asText()).isEqualTo("@timestamp"));
    assertThat(dataSources)
        .anySatisfy(ds -> assertThat(ds.path("type").asText()).isEqualTo("prometheus"));
  }

  @Test
  void securedDataSourcesAreThePlainOnesWithBasicAuthAndTheCaForOpenSearch() {
    GrafanaFiles files = GrafanaFiles.ofRepository();
    JsonNode secured = files.securedDataSourcesFile().deepCopy();
    for (JsonNode source : secured.path("datasources")) {
      com.fasterxml.jackson.databind.node.ObjectNode s =
          (com.fasterxml.jackson.databind.node.ObjectNode) source;
      if (s.path("type").asText().equals("grafana-opensearch-datasource")) {
        assertThat(s.path("basicAuth").asBoolean()).as(s.path("uid").asText()).isTrue();
        assertThat(s.path("basicAuthUser").asText()).isEqualTo("podflow-grafana");
        assertThat(s.at("/secureJsonData/basicAuthPassword").asText()).startsWith("$__file{");
        assertThat(s.at("/secureJsonData/tlsCACert").asText()).startsWith("$__file{");
        assertThat(s.at("/jsonData/tlsAuthWithCACert").asBoolean()).isTrue();
        s.remove(List.of("basicAuth", "basicAuthUser", "secureJsonData"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) s.path("jsonData"))
            .remove("tlsAuthWithCACert");
      }
    }
    // Apart from how they authenticate, the two files are one: a change to either shows here.
    assertThat(secured).isEqualTo(files.dataSourcesFile());
  }

  @Test
  void dashboardProviderReadsTheFolderTheReadmeMountsTheDashboardsAt() {
    JsonNode file = GRAFANA.dashboardProvidersFile();
    JsonNode provider = file.path("providers").get(0);
    String readme = GRAFANA.readme();

    assertThat(file.path("apiVersion").asInt()).isEqualTo(1);
    assertThat(provider.path("type").asText()).isEqualTo("file");
    assertThat(readme).contains("dashboards:" + provider.at("/options/path").asText());
  }

  @Test
  void alertRulesQueryProvisionedDataSourcesAndChainTheirOwnSteps() {
    JsonNode file = GRAFANA.alertRulesFile();
    Set<String> uids = new HashSet<>();
    GRAFANA.dataSourcesFile().path("datasources").forEach(ds -> uids.add(ds.path("uid").asText()));
    List<JsonNode> rules = new ArrayList<>();
    file.path("groups").forEach(g -> g.path("rules").forEach(rules::add));

    assertThat(file.path("apiVersion").asInt()).isEqualTo(1);
    assertThat(rules.stream().map(r -> r.path("uid").asText()))
        .doesNotHaveDuplicates()
        .contains(
            "podflow-enforcement-gap",
            "podflow-capture-drops",
            "podflow-policies-unreadable",
            "podflow-opensearch-refused",
            "podflow-checkpoints-failing");
    for (JsonNode rule : rules) {
      Set<String> refIds = new HashSet<>();
      for (JsonNode step : rule.path("data")) {
        String source = step.path("datasourceUid").asText();
        assertThat(source)
            .as(rule.path("uid") + " " + step.path("refId"))
            .isIn(union(uids, EXPRESSIONS));
        assertThat(step.at("/model/refId").asText()).isEqualTo(step.path("refId").asText());
        if (source.equals(EXPRESSIONS)) {
          // An expression works on an earlier step.
          assertThat(step.at("/model/expression").asText())
              .as(rule.path("uid") + " " + step.path("refId"))
              .isIn(refIds);
        } else {
          assertThat(step.at("/model/datasource/uid").asText()).isEqualTo(source);
          assertThat(step.at("/relativeTimeRange/from").asInt()).isPositive();
        }
        refIds.add(step.path("refId").asText());
      }
      assertThat(rule.path("condition").asText()).as(rule.path("uid").asText()).isIn(refIds);
    }
  }

  // --- helpers

  /** The data source variable a reference names, if the dashboard declares it with that type. */
  private static Optional<JsonNode> variableOfType(Dashboard d, JsonNode dataSource) {
    return Dashboard.dataSourceVariable(dataSource)
        .flatMap(
            name ->
                d.variables().stream()
                    .filter(v -> v.path("name").asText().equals(name))
                    .findFirst())
        .filter(v -> v.path("type").asText().equals("datasource"))
        .filter(v -> v.path("query").asText().equals(dataSource.path("type").asText()));
  }

  private static JsonNode mapping(Dashboard d, JsonNode dataSource) {
    String variable = Dashboard.dataSourceVariable(dataSource).orElseThrow();
    return IndexMappings.of(GRAFANA.defaultDataSource(d, variable));
  }

  /** The fields a target's (or a terms variable's) aggregations and Lucene query name. */
  private static void checkFields(
      SoftAssertions softly, String name, JsonNode mapping, JsonNode query) {
    for (String field : query.findValuesAsText("field")) {
      softly.assertThat(IndexMappings.aggregatable(mapping, field)).as(name + " " + field).isTrue();
    }
    for (String field : IndexMappings.queryFields(query.path("query").asText())) {
      softly.assertThat(IndexMappings.field(mapping, field)).as(name + " " + field).isPresent();
    }
  }

  private static List<JsonNode> openSearchAlertQueries() {
    List<JsonNode> queries = new ArrayList<>();
    for (JsonNode group : GRAFANA.alertRulesFile().path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        for (JsonNode step : rule.path("data")) {
          if (step.at("/model/datasource/type").asText().equals(OPENSEARCH)) {
            queries.add(step);
          }
        }
      }
    }
    assertThat(queries).isNotEmpty();
    return queries;
  }

  private static Set<String> union(Set<String> set, String one) {
    Set<String> all = new HashSet<>(set);
    all.add(one);
    return all;
  }
}
