package io.podflow.processor.security;

import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * How the job authenticates to an HTTP server (OpenSearch, Alertmanager) and which certificate
 * authority it trusts: basic auth (a user and a password) or a bearer token, or neither; a PEM CA
 * file for {@code https://}, or the JVM's trusted authorities without one. Carries where secrets
 * are, not the secrets ({@link SecretSource}).
 *
 * @param username for basic auth, or null
 * @param password for basic auth, or null
 * @param bearerToken instead of basic auth, or null
 * @param caFile PEM certificate authorities to trust, or null (a name: {@link Path} is not
 *     serializable)
 */
public record HttpAuth(
    String username, SecretSource password, SecretSource bearerToken, String caFile)
    implements Serializable {

  public HttpAuth(String username, SecretSource password, SecretSource bearerToken, Path caFile) {
    this(username, password, bearerToken, caFile == null ? null : caFile.toString());
  }

  /** No credentials, the JVM's trust. */
  public static final HttpAuth NONE = new HttpAuth(null, null, null, (String) null);

  /**
   * What is wrong with this for a server at {@code uri}, one line per problem, each starting with
   * {@code name} (e.g. {@code opensearch}); the secrets and the CA file are read to check them.
   */
  public List<String> problems(String name, URI uri, Map<String, String> environment) {
    List<String> problems = new ArrayList<>();
    if ((username == null) != (password == null)) {
      problems.add(name + "-username and a password go together: give both or neither");
    }
    if (bearerToken != null && username != null) {
      problems.add(name + " takes basic auth or a bearer token, not both");
    }
    // A password or token over plain HTTP crosses the network readable by anyone on the path.
    if ((username != null || bearerToken != null)
        && uri != null
        && !"https".equals(uri.getScheme())) {
      problems.add(name + " credentials are only sent over https://, and " + name + " is " + uri);
    }
    for (SecretSource secret : new SecretSource[] {password, bearerToken}) {
      if (secret != null) {
        try {
          secret.read(environment);
        } catch (IllegalArgumentException e) {
          problems.add(name + ": " + e.getMessage());
        }
      }
    }
    if (caFile != null) {
      if (uri != null && !"https".equals(uri.getScheme())) {
        problems.add(name + "-ca-file is for https:// servers, and " + name + " is " + uri);
      }
      try {
        PemTrust.sslContext(Path.of(caFile));
      } catch (IllegalArgumentException e) {
        problems.add(name + "-ca-file: " + e.getMessage());
      }
    }
    return problems;
  }

  /** The TLS context trusting {@link #caFile}, or null to use the JVM's. */
  public SSLContext sslContext() {
    return caFile == null ? null : PemTrust.sslContext(Path.of(caFile));
  }

  /** The {@code Authorization} header's value, read now, or null when there are no credentials. */
  public Secret authorization() {
    if (bearerToken != null) {
      return new Secret("Bearer " + bearerToken.read().reveal());
    }
    if (username != null) {
      String pair = username + ":" + password.read().reveal();
      return new Secret(
          "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
    return null;
  }

  /** The basic-auth password, read now. */
  public Secret readPassword() {
    return password.read();
  }
}
