package io.podflow.e2e.grafana;

import static io.podflow.e2e.grafana.GrafanaFiles.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import io.podflow.schema.PodflowIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** podflow's index template mappings, as the dashboards' queries need them. */
final class IndexMappings {
  /** A field name before a colon in a Lucene query: {@code policy.verdict:denied}. */
  private static final Pattern QUERY_FIELD = Pattern.compile("([A-Za-z_@][\\w.@]*):");

  private IndexMappings() {}

  /** The mapping of the index (alias) a provisioned OpenSearch data source reads. */
  static JsonNode of(JsonNode dataSource) {
    String alias = dataSource.at("/jsonData/database").asText();
    PodflowIndex index =
        Arrays.stream(PodflowIndex.values())
            .filter(i -> i.alias().equals(alias))
            .findFirst()
            .orElseThrow(() -> new NoSuchElementException("no podflow index " + alias));
    try {
      return JSON.readTree(index.templateJson()).at("/template/mappings");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Optional<JsonNode> field(JsonNode mapping, String path) {
    JsonNode node = mapping;
    for (String part : path.split("\\.")) {
      node = node.path("properties").path(part);
    }
    return node.has("type") ? Optional.of(node) : Optional.empty();
  }

  /** Terms and metric aggregations read doc values; a flat_object field has none to aggregate. */
  static boolean aggregatable(JsonNode mapping, String path) {
    return field(mapping, path)
        .filter(f -> f.path("doc_values").asBoolean(true))
        .filter(f -> !f.path("type").asText().equals("flat_object"))
        .isPresent();
  }

  static Set<String> queryFields(String query) {
    Set<String> fields = new TreeSet<>();
    Matcher m = QUERY_FIELD.matcher(query);
    while (m.find()) {
      fields.add(m.group(1));
    }
    return fields;
  }
}
