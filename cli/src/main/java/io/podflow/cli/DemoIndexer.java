package io.podflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podflow.schema.PodflowIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

/**
 * Indexes the demo's documents with one {@code _bulk} request into their daily index. Ids are
 * derived from the document, so running it twice overwrites instead of duplicating.
 */
final class DemoIndexer {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private DemoIndexer() {}

  static int index(OpenSearchClient client, List<String> documents) throws IOException {
    if (documents.isEmpty()) {
      return 0;
    }
    StringBuilder bulk = new StringBuilder();
    for (String document : documents) {
      Instant timestamp = Instant.parse(MAPPER.readTree(document).get("@timestamp").asText());
      String id = UUID.nameUUIDFromBytes(document.getBytes(StandardCharsets.UTF_8)).toString();
      bulk.append("{\"index\":{\"_index\":\"")
          .append(PodflowIndex.FLOWS.indexFor(timestamp))
          .append("\",\"_id\":\"")
          .append(id)
          .append("\"}}\n")
          .append(document)
          .append('\n');
    }
    try (Response response =
        client
            .generic()
            .execute(
                Requests.builder()
                    .method("POST")
                    .endpoint("/_bulk?refresh=wait_for")
                    .body(
                        Body.from(
                            bulk.toString().getBytes(StandardCharsets.UTF_8),
                            "application/x-ndjson"))
                    .build())) {
      JsonNode result = MAPPER.readTree(response.getBody().map(Body::bodyAsString).orElse("{}"));
      if (response.getStatus() != 200 || result.path("errors").asBoolean(true)) {
        throw new IOException("OpenSearch rejected the demo documents: " + result);
      }
      return result.path("items").size();
    }
  }
}
