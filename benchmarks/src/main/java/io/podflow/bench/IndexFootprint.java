package io.podflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * An index's bytes per document on disk, after a force-merge to one segment: the segments' own
 * files, in total and by kind. (The store size read right after a force-merge still counts the
 * replaced segments' files until a refresh and a flush let them go: twice the truth, here.)
 */
record IndexFootprint(double total, Map<String, Double> byKind) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Lucene's file extensions, by what they hold. */
  private static final Map<String, String> KINDS =
      Map.ofEntries(
          Map.entry("fdt", "stored"),
          Map.entry("fdx", "stored"),
          Map.entry("fdm", "stored"),
          Map.entry("dvd", "doc values"),
          Map.entry("dvm", "doc values"),
          Map.entry("tim", "terms"),
          Map.entry("tip", "terms"),
          Map.entry("tmd", "terms"),
          Map.entry("doc", "postings"),
          Map.entry("pos", "postings"),
          Map.entry("kdd", "points"),
          Map.entry("kdi", "points"),
          Map.entry("kdm", "points"));

  static IndexFootprint of(URI base, String index) throws Exception {
    post(base, "/" + index + "/_forcemerge?max_num_segments=1");
    post(base, "/" + index + "/_refresh");
    post(base, "/" + index + "/_flush?force=true");
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    base.resolve(
                        "/" + index + "/_stats/segments,docs?include_segment_file_sizes=true"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode stats = JSON.readTree(r.body());
    JsonNode primaries = stats.at("/_all/primaries");
    // One segment per index (a pattern may name more than one; each has one primary shard).
    if (primaries.at("/segments/count").asInt() != stats.path("indices").size()) {
      throw new IllegalStateException("not merged to one segment: " + primaries.at("/segments"));
    }
    double docs = primaries.at("/docs/count").asDouble();
    Map<String, Double> byKind = new TreeMap<>();
    double total = 0;
    for (var e : primaries.at("/segments/file_sizes").properties()) {
      double bytes = e.getValue().path("size_in_bytes").asDouble() / docs;
      byKind.merge(KINDS.getOrDefault(e.getKey(), "other"), bytes, Double::sum);
      total += bytes;
    }
    return new IndexFootprint(total, byKind);
  }

  private static void post(URI base, String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(base.resolve(path))
                .POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofMinutes(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
    }
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(String.format("%4.0f B/doc:", total));
    byKind.forEach((k, v) -> out.append(String.format(" %s %.0f", k, v)));
    return out.toString();
  }
}
