package io.podflow.processor.sink.opensearch;

import java.net.URI;
import java.util.Objects;
import org.apache.hc.core5.http.HttpHost;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/** Where OpenSearch listens, and how to open a client to it. */
public record OpenSearchEndpoint(URI uri) implements java.io.Serializable {
  public OpenSearchEndpoint {
    Objects.requireNonNull(uri, "uri");
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException(
          "OpenSearch endpoint must be an http:// or https:// URI, not " + uri);
    }
    if (uri.getPort() < 0) {
      throw new IllegalArgumentException("OpenSearch endpoint needs a port: " + uri);
    }
  }

  /** A client over Apache HttpClient 5; close its transport when done. */
  public OpenSearchClient openClient() {
    HttpHost host = new HttpHost(uri.getScheme(), uri.getHost(), uri.getPort());
    return new OpenSearchClient(ApacheHttpClient5TransportBuilder.builder(host).build());
  }
}
