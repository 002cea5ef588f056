package io.podflow.e2e.grafana;

import static io.podflow.e2e.grafana.GrafanaFiles.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * The search the grafana-opensearch-datasource plugin sends for a Lucene metric target, built the
 * way its backend builds it (pkg/opensearch/lucene_handler.go, processTimeSeriesQuery): a range
 * filter on the time field and the interpolated query string, the bucket aggregations nested in
 * their order, the metrics inside the innermost. And the search behind a {@code {"find":"terms"}}
 * variable (the plugin's frontend, QueryBuilder.getTermsQuery).
 *
 * <p>Only what podflow's dashboards use is translated; anything else throws, so a dashboard cannot
 * use a setting this translation would silently get wrong.
 *
 * @param interval what the plugin puts for an "auto" date histogram interval ({@code $__interval})
 */
record PluginSearch(String timeField, long fromMillis, long toMillis, String interval) {
  private static final Set<String> VALUE_METRICS =
      Set.of("sum", "avg", "min", "max", "cardinality");
  private static final int DEFAULT_TERMS_SIZE = 500;

  /** The {@code _msearch} header line the plugin writes for a search of this index. */
  static ObjectNode header(String index) {
    return JSON.createObjectNode()
        .put("search_type", "query_then_fetch")
        .put("ignore_unavailable", true)
        .put("index", index);
  }

  /** The search body for a target whose query is already interpolated. */
  ObjectNode of(JsonNode target, String query) {
    JsonNode metrics = target.path("metrics");
    if (target.path("bucketAggs").isEmpty() || metrics.isEmpty()) {
      // What the plugin answers too: only raw document, log and trace queries go without.
      throw new IllegalArgumentException("invalid query, missing metrics and aggregations");
    }
    ObjectNode body = filtered(query);
    ObjectNode level = body;
    for (JsonNode bucket : target.path("bucketAggs")) {
      ObjectNode agg = aggs(level).putObject(bucket.path("id").asText());
      switch (bucket.path("type").asText()) {
        case "date_histogram" -> agg.set("date_histogram", dateHistogram(bucket));
        case "terms" -> agg.set("terms", terms(bucket, metrics, agg));
        default -> throw new IllegalArgumentException("bucket aggregation " + bucket);
      }
      level = agg;
    }
    for (JsonNode metric : metrics) {
      String type = metric.path("type").asText();
      if (type.equals("count")) {
        continue; // every bucket has its doc_count
      }
      if (!VALUE_METRICS.contains(type)) {
        throw new IllegalArgumentException("metric " + metric);
      }
      aggs(level)
          .putObject(metric.path("id").asText())
          .putObject(type)
          .put("field", metric.path("field").asText());
    }
    return body;
  }

  /** The search behind a {@code {"find":"terms",...}} variable, its query interpolated. */
  ObjectNode variableTerms(JsonNode definition, String query) {
    ObjectNode body = filtered(query);
    aggs(body)
        .putObject("1")
        .putObject("terms")
        .put("field", definition.path("field").asText())
        .put("size", definition.path("size").asInt(DEFAULT_TERMS_SIZE))
        .putObject("order")
        .put("_key", "asc");
    return body;
  }

  private ObjectNode filtered(String query) {
    ObjectNode body = JSON.createObjectNode().put("size", 0);
    var filter = body.putObject("query").putObject("bool").putArray("filter");
    filter
        .addObject()
        .putObject("range")
        .putObject(timeField)
        .put("gte", fromMillis)
        .put("lte", toMillis)
        .put("format", "epoch_millis");
    if (!query.isEmpty()) {
      filter
          .addObject()
          .putObject("query_string")
          .put("analyze_wildcard", true)
          .put("query", query);
    }
    return body;
  }

  private ObjectNode dateHistogram(JsonNode bucket) {
    JsonNode settings = bucket.path("settings");
    String interval = settings.path("interval").asText("auto");
    ObjectNode h =
        JSON.createObjectNode()
            .put("field", bucket.path("field").asText(timeField))
            .put("interval", interval.equals("auto") ? this.interval : interval)
            .put("min_doc_count", settings.path("min_doc_count").asInt(0));
    h.putObject("extended_bounds").put("min", fromMillis).put("max", toMillis);
    return h.put("format", "epoch_millis");
  }

  private static ObjectNode terms(JsonNode bucket, JsonNode metrics, ObjectNode agg) {
    JsonNode settings = bucket.path("settings");
    int size = settings.path("size").asInt(DEFAULT_TERMS_SIZE);
    ObjectNode t =
        JSON.createObjectNode()
            .put("field", bucket.path("field").asText())
            .put("size", size == 0 ? DEFAULT_TERMS_SIZE : size);
    String orderBy = settings.path("orderBy").asText("");
    String order = settings.path("order").asText("desc");
    if (orderBy.equals("_term")) {
      t.putObject("order").put("_key", order);
    } else if (!orderBy.isEmpty()) {
      JsonNode metric = metric(metrics, orderBy);
      if (metric == null || metric.path("type").asText().equals("count")) {
        t.putObject("order").put(metric == null ? orderBy : "_count", order);
      } else {
        // Ordering by a metric needs that metric in this bucket too.
        t.putObject("order").put(orderBy, order);
        aggs(agg)
            .putObject(orderBy)
            .putObject(metric.path("type").asText())
            .put("field", metric.path("field").asText());
      }
    }
    if (settings.has("min_doc_count")) {
      t.put("min_doc_count", settings.path("min_doc_count").asInt());
    }
    if (settings.has("missing")) {
      t.put("missing", settings.path("missing").asText());
    }
    return t;
  }

  private static JsonNode metric(JsonNode metrics, String id) {
    for (JsonNode m : metrics) {
      if (m.path("id").asText().equals(id)) {
        return m;
      }
    }
    return null;
  }

  private static ObjectNode aggs(ObjectNode level) {
    return level.has("aggs") ? (ObjectNode) level.get("aggs") : level.putObject("aggs");
  }
}
