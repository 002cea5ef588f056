package io.podflow.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OpenSearch with its security plugin, as the flow processor meets it on a secured cluster: HTTPS
 * with this run's CA, basic authentication, and the processor's user limited to podflow's indices.
 * One node for the class (about 40 s to start). Plain java.net.http requests, no podflow code.
 */
class SecuredOpenSearchIT {
  private static final String PROCESSOR_PASSWORD = "processor-" + System.nanoTime();

  private static Path dir;
  private static OpenSearchNode node;
  private static HttpClient trusting;

  @BeforeAll
  static void startNode() throws Exception {
    dir = Files.createTempDirectory("podflow-secured-opensearch-");
    long started = System.nanoTime();
    OpenSearchSecurity security =
        new OpenSearchSecurity(
                LoopbackCertificates.issue(dir.resolve("tls")),
                "admin-" + System.nanoTime(),
                PROCESSOR_PASSWORD)
            // The role a cluster gets (deploy/), not a copy of it: what is proven is what ships.
            .withRoles(Files.readString(Path.of("../deploy/base/opensearch/roles.yml")));
    node = OpenSearchNode.startSecured(dir, Duration.ofSeconds(240), security);
    System.out.printf(
        "secured OpenSearch (certificates, unpack, plugin install, hashes, start) in %.1f s%n",
        (System.nanoTime() - started) / 1e9);
    trusting = HttpClient.newBuilder().sslContext(security.certificates().sslContext()).build();
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
    if (dir != null) {
      LocalStack.deleteTree(dir);
    }
  }

  @Test
  void servesHttpsOnlyAndAsksForCredentials() throws Exception {
    assertThat(node.httpUri().getScheme()).isEqualTo("https");
    URI plain = URI.create("http://127.0.0.1:" + node.httpUri().getPort() + "/");
    assertThatThrownBy(
            () ->
                HttpClient.newHttpClient()
                    .send(
                        HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.discarding()))
        .isInstanceOf(java.io.IOException.class);
    assertThat(send(request("/"), null).statusCode()).isEqualTo(401);
    assertThat(send(request("/"), "wrong-password").statusCode()).isEqualTo(401);
    // The processor's role reads index templates (and podflow-* indices), not the cluster's info.
    assertThat(send(request("/_index_template"), PROCESSOR_PASSWORD).statusCode()).isEqualTo(200);
  }

  @Test
  void theProcessorsPasswordAndCaFilesAreEnoughToConnect() throws Exception {
    Path password = ClientCredentialFiles.writeOpenSearchPassword(dir.resolve("processor"), node);
    HttpClient fromFiles =
        HttpClient.newBuilder()
            .sslContext(
                LoopbackCertificates.sslContextTrusting(node.security().certificates().caPem()))
            .build();
    HttpResponse<String> health =
        fromFiles.send(
            request("/_index_template")
                .header(
                    "Authorization",
                    OpenSearchSecurity.basicAuth(
                        OpenSearchSecurity.PROCESSOR_USER, Files.readString(password)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
  }

  @Test
  void aClientThatDoesNotTrustTheRunsCaFailsTheHandshake() throws Exception {
    HttpClient otherCa =
        HttpClient.newBuilder()
            .sslContext(LoopbackCertificates.issue(dir.resolve("other-ca")).sslContext())
            .build();
    assertThatThrownBy(
            () -> otherCa.send(request("/").build(), HttpResponse.BodyHandlers.discarding()))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void theProcessorPutsTemplatesWritesInBulkAndDeletesItsIndices() throws Exception {
    String template =
        "{\"index_patterns\":[\"podflow-sectest-*\"],\"template\":{\"settings\":"
            + "{\"number_of_replicas\":0},\"mappings\":{\"properties\":{\"n\":{\"type\":\"long\"}}}}}";
    assertThat(
            send(
                    request("/_index_template/podflow-sectest")
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(template)),
                    PROCESSOR_PASSWORD)
                .statusCode())
        .isEqualTo(200);
    String bulk =
        "{\"create\":{\"_index\":\"podflow-sectest-2026.12.03\",\"_id\":\"1\"}}\n{\"n\":1}\n"
            + "{\"create\":{\"_index\":\"podflow-sectest-2026.12.03\",\"_id\":\"2\"}}\n{\"n\":2}\n";
    HttpResponse<String> written =
        send(
            request("/_bulk?refresh=true")
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(bulk)),
            PROCESSOR_PASSWORD);
    assertThat(written.statusCode()).isEqualTo(200);
    assertThat(written.body()).contains("\"errors\":false");
    // Retention lists its daily indices, then deletes the expired ones.
    assertThat(send(request("/podflow-sectest-*"), PROCESSOR_PASSWORD).statusCode()).isEqualTo(200);
    HttpResponse<String> count =
        send(request("/podflow-sectest-*/_count"), node.security().adminPassword());
    assertThat(count.body()).contains("\"count\":2");
    assertThat(
            send(request("/podflow-sectest-2026.12.03").DELETE(), PROCESSOR_PASSWORD).statusCode())
        .isEqualTo(200);
  }

  @Test
  void theProcessorIsForbiddenEverythingOutsidePodflowIndices() throws Exception {
    HttpResponse<String> write =
        send(
            request("/not-podflow/_doc/1")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"n\":1}")),
            PROCESSOR_PASSWORD);
    assertThat(write.statusCode()).isEqualTo(403);
    assertThat(write.body()).contains("no permissions");
    assertThat(send(request("/.opendistro_security/_search"), PROCESSOR_PASSWORD).statusCode())
        .isEqualTo(403);
    assertThat(
            send(request("/_plugins/_security/api/internalusers"), PROCESSOR_PASSWORD).statusCode())
        .isEqualTo(403);
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(node.httpUri() + path))
        .timeout(Duration.ofSeconds(30));
  }

  /** Sends as the processor's user with {@code password}, or without credentials when null. */
  private static HttpResponse<String> send(HttpRequest.Builder request, String password)
      throws Exception {
    if (password != null) {
      String user =
          password.equals(node.security().adminPassword())
              ? OpenSearchSecurity.ADMIN_USER
              : OpenSearchSecurity.PROCESSOR_USER;
      request.header("Authorization", OpenSearchSecurity.basicAuth(user, password));
    }
    return trusting.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
