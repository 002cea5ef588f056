package io.podflow.e2e.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What Grafana does to a Lucene query before the OpenSearch data source sends it: each variable
 * replaced by its value in the {@code lucene} format (values escaped, several values as {@code ("a"
 * OR "b")}, "All" as the variable's custom all value, unescaped).
 *
 * @param selected the values chosen per variable; a variable not named here is at "All"
 */
record LuceneVariables(Dashboard dashboard, Map<String, List<String>> selected) {
  private static final Pattern SPECIAL = Pattern.compile("([!*+\\-=<>\\s&|()\\[\\]{}^~?:\\\\/\"])");

  static LuceneVariables allAtAll(Dashboard dashboard) {
    return new LuceneVariables(dashboard, Map.of());
  }

  LuceneVariables with(String variable, String... values) {
    Map<String, List<String>> more = new HashMap<>(selected);
    more.put(variable, List.of(values));
    return new LuceneVariables(dashboard, Map.copyOf(more));
  }

  String interpolate(String query) {
    Matcher m = Dashboard.REFERENCE.matcher(query);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      // Built-ins ($__interval, ...) are the data source's to replace.
      String value = name.startsWith("__") ? m.group() : value(dashboard.variable(name));
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private String value(JsonNode variable) {
    List<String> values = selected.get(variable.path("name").asText());
    if (values == null) {
      if (!variable.hasNonNull("allValue")) {
        throw new IllegalStateException(variable.path("name") + " has no custom all value");
      }
      return variable.path("allValue").asText();
    }
    if (!variable.path("multi").asBoolean()) {
      return escape(values.get(0));
    }
    return values.stream()
        .map(v -> "\"" + escape(v) + "\"")
        .collect(Collectors.joining(" OR ", "(", ")"));
  }

  /** Grafana's luceneEscape: numbers as they are, other values with special characters escaped. */
  static String escape(String value) {
    try {
      Double.parseDouble(value);
      return value;
    } catch (NumberFormatException e) {
      return SPECIAL.matcher(value).replaceAll("\\\\$1");
    }
  }
}
