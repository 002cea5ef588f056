package io.podflow.e2e.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One dashboard file: its panels (rows flattened away), their targets and its variables. */
record Dashboard(String file, JsonNode json) {
  /** {@code $name} or {@code ${name}}, as Grafana's template service finds them. */
  static final Pattern REFERENCE = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");

  private static final Pattern WHOLE_REFERENCE = Pattern.compile("\\$\\{(\\w+)}");

  String uid() {
    return json.path("uid").asText();
  }

  String title() {
    return json.path("title").asText();
  }

  List<JsonNode> variables() {
    List<JsonNode> variables = new ArrayList<>();
    json.path("templating").path("list").forEach(variables::add);
    return variables;
  }

  JsonNode variable(String name) {
    return named(variables(), "name", name);
  }

  /** Every panel that shows data: rows are containers, their nested panels are included. */
  List<JsonNode> panels() {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : json.path("panels")) {
      if (panel.path("type").asText().equals("row")) {
        panel.path("panels").forEach(panels::add);
      } else {
        panels.add(panel);
      }
    }
    return panels;
  }

  JsonNode panel(String title) {
    return named(panels(), "title", title);
  }

  /** The panel's only target (the panels queried in tests have one). */
  JsonNode target(String panelTitle) {
    JsonNode targets = panel(panelTitle).path("targets");
    if (targets.size() != 1) {
      throw new IllegalStateException(panelTitle + " has " + targets.size() + " targets");
    }
    return targets.get(0);
  }

  private JsonNode named(List<JsonNode> nodes, String field, String value) {
    return nodes.stream()
        .filter(n -> n.path(field).asText().equals(value))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException(file + " has no " + field + " " + value));
  }

  /** The variable a data source reference names ({@code ${opensearch}}), if it is one. */
  static Optional<String> dataSourceVariable(JsonNode dataSource) {
    Matcher m = WHOLE_REFERENCE.matcher(dataSource.path("uid").asText());
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** Names of the variables a text refers to; Grafana's built-ins ($__interval, ...) left out. */
  static Set<String> references(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = REFERENCE.matcher(text);
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      if (!name.startsWith("__")) {
        names.add(name);
      }
    }
    return names;
  }
}
