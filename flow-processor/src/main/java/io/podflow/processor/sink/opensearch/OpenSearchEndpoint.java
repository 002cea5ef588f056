package io.podflow.processor.sink.opensearch;

import io.podflow.processor.security.HttpAuth;
import io.podflow.processor.security.Secret;
import java.net.URI;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.message.BasicHeader;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/**
 * Where OpenSearch listens, how the job authenticates to it and which CA it trusts, and how to open
 * a client to it.
 */
public record OpenSearchEndpoint(URI uri, HttpAuth auth) implements java.io.Serializable {
  public OpenSearchEndpoint {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(auth, "auth");
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException(
          "OpenSearch endpoint must be an http:// or https:// URI, not " + uri);
    }
    if (uri.getPort() < 0) {
      throw new IllegalArgumentException("OpenSearch endpoint needs a port: " + uri);
    }
  }

  /** Without credentials, trusting the JVM's certificate authorities. */
  public OpenSearchEndpoint(URI uri) {
    this(uri, HttpAuth.NONE);
  }

  /**
   * A client over Apache HttpClient 5; close its transport when done. Credentials are read now
   * (from their files or variables) and sent with every request: OpenSearch's security plugin would
   * otherwise answer each request with a challenge first, and a bulk request be sent twice.
   */
  public OpenSearchClient openClient() {
    HttpHost host = new HttpHost(uri.getScheme(), uri.getHost(), uri.getPort());
    ApacheHttpClient5TransportBuilder builder = ApacheHttpClient5TransportBuilder.builder(host);
    Secret authorization = auth.authorization();
    if (authorization != null) {
      builder.setDefaultHeaders(
          new Header[] {new BasicHeader("Authorization", authorization.reveal(), true)});
    }
    SSLContext tls = auth.sslContext();
    if (tls != null) {
      builder.setHttpClientConfigCallback(
          client ->
              client.setConnectionManager(
                  PoolingAsyncClientConnectionManagerBuilder.create()
                      .setTlsStrategy(ClientTlsStrategyBuilder.create().setSslContext(tls).build())
                      .setMaxConnPerRoute(
                          ApacheHttpClient5TransportBuilder.DEFAULT_MAX_CONN_PER_ROUTE)
                      .setMaxConnTotal(ApacheHttpClient5TransportBuilder.DEFAULT_MAX_CONN_TOTAL)
                      .build()));
    }
    return new OpenSearchClient(builder.build());
  }
}
