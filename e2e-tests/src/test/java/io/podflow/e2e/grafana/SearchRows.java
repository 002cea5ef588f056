package io.podflow.e2e.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A search response read back as the plugin's table: one row per innermost bucket, with the key of
 * each bucket aggregation (by field) and each metric's value (by metric id; a count is the bucket's
 * doc_count), in the order OpenSearch returned the buckets.
 */
final class SearchRows {
  record Row(Map<String, String> keys, Map<String, Double> values) {
    /** The bucket keys, outermost first. */
    List<String> keyList() {
      return List.copyOf(keys.values());
    }

    double value(String metricId) {
      return values.get(metricId);
    }
  }

  private SearchRows() {}

  static List<Row> of(JsonNode target, JsonNode response) {
    List<Row> rows = new ArrayList<>();
    walk(target, response.path("aggregations"), 0, new LinkedHashMap<>(), rows);
    return rows;
  }

  /** The sum of one metric over all rows. */
  static double sum(List<Row> rows, String metricId) {
    return rows.stream().mapToDouble(r -> r.value(metricId)).sum();
  }

  /** Rows as (bucket keys, outermost first) to one metric's value. */
  static Map<List<String>, Long> table(List<Row> rows, String metricId) {
    return rows.stream()
        .collect(Collectors.toMap(Row::keyList, r -> Math.round(r.value(metricId)), Long::sum));
  }

  /** A table summed over all but its outermost key (a time series per term, for instance). */
  static Map<List<String>, Long> byOutermostKey(Map<List<String>, Long> table) {
    return table.entrySet().stream()
        .collect(
            Collectors.groupingBy(
                e -> List.of(e.getKey().get(0)), Collectors.summingLong(Map.Entry::getValue)));
  }

  private static void walk(
      JsonNode target, JsonNode bucket, int depth, Map<String, String> keys, List<Row> rows) {
    JsonNode bucketAggs = target.path("bucketAggs");
    if (depth == bucketAggs.size()) {
      Map<String, Double> values = new LinkedHashMap<>();
      for (JsonNode metric : target.path("metrics")) {
        String id = metric.path("id").asText();
        boolean count = metric.path("type").asText().equals("count");
        values.put(
            id,
            count ? bucket.path("doc_count").asDouble() : bucket.path(id).path("value").asDouble());
      }
      rows.add(new Row(Collections.unmodifiableMap(keys), values));
      return;
    }
    JsonNode agg = bucketAggs.get(depth);
    for (JsonNode b : bucket.path(agg.path("id").asText()).path("buckets")) {
      Map<String, String> deeper = new LinkedHashMap<>(keys);
      deeper.put(agg.path("field").asText(), b.path("key").asText());
      walk(target, b, depth + 1, deeper, rows);
    }
  }
}
