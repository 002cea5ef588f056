package io.podflow.e2e.grafana;

import static io.podflow.e2e.grafana.GrafanaFiles.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.podflow.processor.sink.opensearch.Document;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

/** The two requests the tests make: a bulk load, and a multi-search as the plugin sends it. */
final class OpenSearchRequests {
  private OpenSearchRequests() {}

  /** Indexes the documents into their daily indices and makes them searchable at once. */
  static void bulk(OpenSearchClient client, List<Document> documents) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (Document d : documents) {
      String action =
          JSON.createObjectNode()
              .set("index", JSON.createObjectNode().put("_index", d.index).put("_id", d.id))
              .toString();
      body.write((action + "\n").getBytes(StandardCharsets.UTF_8));
      body.write(d.json);
      body.write('\n');
    }
    JsonNode response = post(client, "/_bulk?refresh=true", body.toByteArray());
    assertThat(response.path("errors").asBoolean()).as(response.toString()).isFalse();
  }

  /**
   * One search through {@code _msearch}, with the header and parameters of the plugin's requests;
   * the search's response, which must not be an error.
   */
  static JsonNode msearch(OpenSearchClient client, String index, JsonNode search)
      throws IOException {
    String ndjson = PluginSearch.header(index) + "\n" + search + "\n";
    JsonNode response =
        post(
                client,
                "/_msearch?max_concurrent_shard_requests=5",
                ndjson.getBytes(StandardCharsets.UTF_8))
            .path("responses")
            .get(0);
    assertThat(response.has("error")).as(search + " -> " + response).isFalse();
    return response;
  }

  private static JsonNode post(OpenSearchClient client, String endpoint, byte[] ndjson)
      throws IOException {
    try (Response response =
        client
            .generic()
            .execute(
                Requests.builder()
                    .method("POST")
                    .endpoint(endpoint)
                    .body(Body.from(ndjson, "application/x-ndjson"))
                    .build())) {
      String body = response.getBody().map(Body::bodyAsString).orElse("");
      assertThat(response.getStatus()).as(endpoint + ": " + body).isBetween(200, 299);
      return JSON.readTree(body);
    }
  }
}
