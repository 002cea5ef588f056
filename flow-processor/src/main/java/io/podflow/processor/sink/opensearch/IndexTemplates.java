package io.podflow.processor.sink.opensearch;

import io.podflow.schema.PodflowIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

/**
 * Installs podflow's index templates (from schemas/) into OpenSearch. Installing is idempotent: a
 * template of the same name is replaced, which is how a mapping addition rolls out (the next daily
 * index picks it up).
 */
public final class IndexTemplates {
  private IndexTemplates() {}

  public static void install(OpenSearchClient client) {
    for (PodflowIndex index : PodflowIndex.values()) {
      put(client, "/_index_template/" + index.templateName(), index.templateJson());
    }
  }

  private static void put(OpenSearchClient client, String endpoint, String json) {
    try (Response response =
        client
            .generic()
            .execute(Requests.builder().method("PUT").endpoint(endpoint).json(json).build())) {
      if (response.getStatus() / 100 != 2) {
        String body = response.getBody().map(Body::bodyAsString).orElse("");
        throw new RequestRefused(
            response.getStatus(),
            "OpenSearch rejected " + endpoint + " (" + response.getStatus() + "): " + body);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not install " + endpoint + ": " + e.getMessage(), e);
    }
  }
}
