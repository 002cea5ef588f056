package io.podflow.e2e.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** The documents one cluster's records became in an OpenSearch index (none while it is absent). */
public final class IndexedDocuments {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private IndexedDocuments() {}

  public static List<JsonNode> of(URI openSearch, String index, String cluster)
      throws IOException, InterruptedException {
    return of(HTTP, null, openSearch, index, cluster);
  }

  /**
   * The same from a secured node: {@code http} trusts its CA, {@code authorization} is the
   * Authorization header of a user who may read the index (null for none).
   */
  public static List<JsonNode> of(
      HttpClient http, String authorization, URI openSearch, String index, String cluster)
      throws IOException, InterruptedException {
    HttpResponse<Void> refreshed =
        http.send(
            authorized(
                    HttpRequest.newBuilder(openSearch.resolve("/" + index + "/_refresh")),
                    authorization)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding());
    if (refreshed.statusCode() == 401 || refreshed.statusCode() == 403) {
      throw new IOException("refresh of " + index + " answered " + refreshed.statusCode());
    }
    HttpResponse<String> r =
        http.send(
            authorized(
                    HttpRequest.newBuilder(openSearch.resolve("/" + index + "/_search")),
                    authorization)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"size\":10000,\"query\":{\"term\":{\"orchestrator.cluster.name\":\""
                            + cluster
                            + "\"}}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    List<JsonNode> docs = new ArrayList<>();
    if (r.statusCode() == 404) {
      return docs;
    }
    if (r.statusCode() != 200) {
      throw new IOException("search of " + index + " answered " + r.statusCode() + ": " + r.body());
    }
    JSON.readTree(r.body()).at("/hits/hits").forEach(h -> docs.add(h.get("_source")));
    return docs;
  }

  private static HttpRequest.Builder authorized(HttpRequest.Builder request, String authorization) {
    return authorization == null ? request : request.header("Authorization", authorization);
  }
}
