package io.podflow.e2e.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * The repository's grafana/ folder as Grafana reads it: the dashboards and the provisioning files
 * (data sources, dashboard providers, alert rules).
 */
final class GrafanaFiles {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Path root;

  private GrafanaFiles(Path root) {
    this.root = root;
  }

  /** The grafana/ folder next to this module (Maven runs tests in the module's folder). */
  static GrafanaFiles ofRepository() {
    Path root = Path.of("").toAbsolutePath().resolveSibling("grafana");
    if (!Files.isDirectory(root.resolve("dashboards"))) {
      throw new IllegalStateException(
          "no grafana/dashboards next to " + Path.of("").toAbsolutePath());
    }
    return new GrafanaFiles(root);
  }

  List<Dashboard> dashboards() {
    List<Dashboard> dashboards = new ArrayList<>();
    try (Stream<Path> files = Files.list(root.resolve("dashboards"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        dashboards.add(new Dashboard(file.getFileName().toString(), JSON.readTree(file.toFile())));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dashboards;
  }

  Dashboard dashboard(String uid) {
    return dashboards().stream()
        .filter(d -> d.uid().equals(uid))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no dashboard " + uid));
  }

  String readme() {
    try {
      return Files.readString(root.resolve("README.md"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonNode dataSourcesFile() {
    return yaml("provisioning/datasources/podflow.yaml");
  }

  /** The data sources for an OpenSearch with its security plugin (grafana/secured). */
  JsonNode securedDataSourcesFile() {
    return yaml("secured/podflow.yaml");
  }

  JsonNode dashboardProvidersFile() {
    return yaml("provisioning/dashboards/podflow.yaml");
  }

  JsonNode alertRulesFile() {
    return yaml("provisioning/alerting/podflow-rules.yaml");
  }

  JsonNode alertRule(String uid) {
    for (JsonNode group : alertRulesFile().path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        if (rule.path("uid").asText().equals(uid)) {
          return rule;
        }
      }
    }
    throw new NoSuchElementException("no alert rule " + uid);
  }

  /** A provisioned data source by uid. */
  JsonNode dataSource(String uid) {
    for (JsonNode ds : dataSourcesFile().path("datasources")) {
      if (ds.path("uid").asText().equals(uid)) {
        return ds;
      }
    }
    throw new NoSuchElementException("no provisioned data source " + uid);
  }

  /** The provisioned data source a data source variable of a dashboard defaults to. */
  JsonNode defaultDataSource(Dashboard dashboard, String dataSourceVariable) {
    return dataSource(
        dashboard.variable(dataSourceVariable).path("current").path("value").asText());
  }

  private JsonNode yaml(String path) {
    try {
      return YAML.readTree(root.resolve(path).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
