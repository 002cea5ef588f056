package io.podflow.processor.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podflow.processor.security.HttpAuth;
import io.podflow.processor.security.SecretSource;
import io.podflow.processor.security.TestCa;
import io.podflow.processor.security.TlsTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

/**
 * The OpenSearch client the sink opens, against an HTTPS server that wants basic auth: it trusts
 * the CA file, sends the credentials with every request, and fails loudly on a certificate its CA
 * did not sign or on refused credentials. (The same against OpenSearch's security plugin is the
 * secured stack's test.)
 */
class OpenSearchEndpointTlsTest {
  @TempDir Path dir;
  private TestCa.Certificate server;
  private Path password;

  @BeforeEach
  void certificatesAndSecret() throws Exception {
    server = TestCa.selfSigned(dir, "server");
    password = Files.writeString(dir.resolve("password"), "s3cret\n");
  }

  @Test
  void theSinksClientTrustsTheCaFileAndAuthenticatesEveryRequest() throws Exception {
    try (TlsTestServer https =
        new TlsTestServer(server, TlsTestServer.basic("podflow", "s3cret"))) {
      OpenSearchEndpoint endpoint =
          new OpenSearchEndpoint(
              https.uri(),
              new HttpAuth("podflow", SecretSource.file(password), null, server.pem()));
      OpenSearchClient client = endpoint.openClient();
      try {
        IndexTemplates.install(client); // what every writer does first
        try (Response r =
            client.generic().execute(Requests.builder().method("GET").endpoint("/").build())) {
          assertThat(r.getStatus()).isEqualTo(200);
        }
      } finally {
        client._transport().close();
      }
      assertThat(https.accepted())
          .contains(
              "PUT /_index_template/podflow-flows",
              "PUT /_index_template/podflow-violations",
              "GET /");
      assertThat(https.refused()).isEmpty();
    }
  }

  @Test
  void refusedCredentialsFailTheTemplatesLoudly() throws Exception {
    Path wrong = Files.writeString(dir.resolve("wrong"), "guess");
    try (TlsTestServer https =
        new TlsTestServer(server, TlsTestServer.basic("podflow", "s3cret"))) {
      OpenSearchClient client =
          new OpenSearchEndpoint(
                  https.uri(),
                  new HttpAuth("podflow", SecretSource.file(wrong), null, server.pem()))
              .openClient();
      try {
        assertThatThrownBy(() -> IndexTemplates.install(client))
            .hasMessageContaining("Unauthorized")
            // and the writer fails instead of retrying, saying why
            .satisfies(
                e ->
                    assertThat(BulkWriter.refusal(e))
                        .contains("refused podflow's credentials (401"))
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("guess"));
      } finally {
        client._transport().close();
      }
      assertThat(https.accepted()).isEmpty();
    }
  }

  @Test
  void aCertificateTheCaDidNotSignIsRefused() throws Exception {
    TestCa.Certificate other = TestCa.selfSigned(dir, "other");
    try (TlsTestServer https =
        new TlsTestServer(server, TlsTestServer.basic("podflow", "s3cret"))) {
      for (Path ca : new Path[] {other.pem(), null}) { // another CA, and the JVM's own
        OpenSearchClient client =
            new OpenSearchEndpoint(
                    https.uri(), new HttpAuth("podflow", SecretSource.file(password), null, ca))
                .openClient();
        try {
          assertThatThrownBy(() -> IndexTemplates.install(client))
              .satisfies(e -> assertThat(causes(e)).anyMatch(c -> c instanceof SSLException))
              .satisfies(e -> assertThat(BulkWriter.refusal(e)).startsWith("TLS failed"));
        } finally {
          client._transport().close();
        }
      }
      assertThat(https.accepted()).isEmpty();
    }
  }

  private static java.util.stream.Stream<Throwable> causes(Throwable e) {
    return java.util.stream.Stream.iterate(e, c -> c != null, Throwable::getCause);
  }
}
