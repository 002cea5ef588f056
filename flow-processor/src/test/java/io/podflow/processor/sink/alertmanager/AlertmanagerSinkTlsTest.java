package io.podflow.processor.sink.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podflow.processor.security.HttpAuth;
import io.podflow.processor.security.SecretSource;
import io.podflow.processor.security.TestCa;
import io.podflow.processor.security.TlsTestServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Alertmanager sink's HTTP client and requests against an HTTPS server that wants credentials:
 * basic auth or a bearer token, the server's certificate checked against the CA file.
 */
class AlertmanagerSinkTlsTest {
  @TempDir Path dir;
  private TestCa.Certificate server;

  @BeforeEach
  void certificate() throws Exception {
    server = TestCa.selfSigned(dir, "server");
  }

  @Test
  void alertsArePostedWithBasicAuthOverTlsTrustingTheCaFile() throws Exception {
    Path password = Files.writeString(dir.resolve("password"), "s3cret");
    HttpAuth auth = new HttpAuth("podflow", SecretSource.file(password), null, server.pem());
    try (TlsTestServer https =
        new TlsTestServer(server, TlsTestServer.basic("podflow", "s3cret"))) {
      assertThat(post(auth, https).statusCode()).isEqualTo(200);
      assertThat(https.accepted()).containsExactly("POST /api/v2/alerts");
    }
  }

  @Test
  void alertsArePostedWithABearerToken() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "t0ken\n");
    HttpAuth auth = new HttpAuth(null, null, SecretSource.file(token), server.pem());
    try (TlsTestServer https = new TlsTestServer(server, "Bearer t0ken")) {
      assertThat(post(auth, https).statusCode()).isEqualTo(200);
      assertThat(https.accepted()).containsExactly("POST /api/v2/alerts");
    }
  }

  @Test
  void wrongCredentialsAreRefusedByTheServer() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "stale");
    HttpAuth auth = new HttpAuth(null, null, SecretSource.file(token), server.pem());
    try (TlsTestServer https = new TlsTestServer(server, "Bearer t0ken")) {
      assertThat(post(auth, https).statusCode()).isEqualTo(401);
      assertThat(https.refused()).containsExactly("POST /api/v2/alerts");
    }
  }

  @Test
  void aServerCertificateTheCaDidNotSignFailsTheHandshake() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "t0ken");
    TestCa.Certificate other = TestCa.selfSigned(dir, "other");
    try (TlsTestServer https = new TlsTestServer(server, "Bearer t0ken")) {
      assertThatThrownBy(
              () -> post(new HttpAuth(null, null, SecretSource.file(token), other.pem()), https))
          .isInstanceOf(SSLHandshakeException.class);
      assertThat(https.accepted()).isEmpty();
    }
  }

  private static HttpResponse<String> post(HttpAuth auth, TlsTestServer https) throws Exception {
    HttpClient http = AlertmanagerSink.httpClient(auth);
    return http.send(
        AlertmanagerSink.post(https.uri().resolve("/api/v2/alerts"), auth.authorization(), "[]"),
        HttpResponse.BodyHandlers.ofString());
  }
}
