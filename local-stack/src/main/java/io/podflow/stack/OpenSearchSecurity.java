package io.podflow.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * OpenSearch's security plugin on a test node: TLS on HTTP and transport with this run's
 * certificates, basic authentication against the plugin's internal users, and podflow's own users
 * and roles instead of the plugin's demo configuration (whose admin password is public). The
 * security index is initialised from these files on the node's first start ({@code
 * allow_default_init_securityindex}), so no admin certificate or securityadmin run is needed.
 *
 * @param certificates the node's certificate and the CA clients must trust
 * @param adminPassword the password of {@value #ADMIN_USER} (all_access), for the test's own reads
 * @param processorPassword the password of {@value #PROCESSOR_USER}, who may do what the flow
 *     processor does and nothing more (roles.yml beside this class)
 * @param roles the plugin's roles.yml as text, to enforce roles written elsewhere (deploy/'s, as a
 *     cluster gets them); null for roles.yml beside this class. Its roles_mapping.yml maps the
 *     users either way.
 */
public record OpenSearchSecurity(
    LoopbackCertificates certificates,
    String adminPassword,
    String processorPassword,
    String roles) {

  /** With the roles beside this class. */
  public OpenSearchSecurity(
      LoopbackCertificates certificates, String adminPassword, String processorPassword) {
    this(certificates, adminPassword, processorPassword, null);
  }

  /** The same users and certificates, enforcing {@code rolesYml} instead. */
  public OpenSearchSecurity withRoles(String rolesYml) {
    return new OpenSearchSecurity(certificates, adminPassword, processorPassword, rolesYml);
  }

  public static final String ADMIN_USER = "podflow-admin";
  public static final String PROCESSOR_USER = "podflow-flow-processor";

  private static final String RESOURCES = "/io/podflow/stack/opensearch-security/";

  public OpenSearchSecurity {
    if (adminPassword.length() < 8 || processorPassword.length() < 8) {
      throw new IllegalArgumentException("OpenSearch passwords need at least 8 characters");
    }
  }

  /** The Authorization header value for {@code user}. */
  public static String basicAuth(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  public String adminAuthorization() {
    return basicAuth(ADMIN_USER, adminPassword);
  }

  /**
   * Installs the plugin {@code pluginZip} into the unpacked distribution at {@code home} and writes
   * its configuration; {@code logDir} receives the tools' output.
   */
  void install(Path home, Path pluginZip, Path logDir) {
    Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"));
    run(
        "opensearch-plugin",
        List.of(
            home.resolve("bin/opensearch-plugin").toString(),
            "install",
            "--batch",
            pluginZip.toUri().toString()),
        home,
        env,
        logDir);
    Path config = home.resolve("config");
    Path securityConfig = config.resolve("opensearch-security");
    try {
      // The plugin reads PEM files relative to its config directory (its security policy allows
      // no other place).
      Files.copy(certificates.serverCertPem(), config.resolve("node.pem"));
      Files.copy(certificates.serverKeyPem(), config.resolve("node-key.pem"));
      Files.copy(certificates.caPem(), config.resolve("root-ca.pem"));
      Files.writeString(config.resolve("opensearch.yml"), settings(), StandardOpenOption.APPEND);
      Files.writeString(
          securityConfig.resolve("internal_users.yml"),
          internalUsers(
              hash(home, adminPassword, env, logDir), hash(home, processorPassword, env, logDir)));
      if (roles == null) {
        copyResource("roles.yml", securityConfig);
      } else {
        Files.writeString(securityConfig.resolve("roles.yml"), roles);
      }
      copyResource("roles_mapping.yml", securityConfig);
    } catch (IOException e) {
      throw new UncheckedIOException("could not configure the security plugin in " + home, e);
    }
  }

  private String settings() {
    String dn = certificates.serverDn();
    return String.join(
        "\n",
        "",
        "# podflow's secured test node (written by OpenSearchSecurity)",
        "plugins.security.ssl.transport.pemcert_filepath: node.pem",
        "plugins.security.ssl.transport.pemkey_filepath: node-key.pem",
        "plugins.security.ssl.transport.pemtrustedcas_filepath: root-ca.pem",
        "plugins.security.ssl.transport.enforce_hostname_verification: false",
        "plugins.security.ssl.http.enabled: true",
        "plugins.security.ssl.http.pemcert_filepath: node.pem",
        "plugins.security.ssl.http.pemkey_filepath: node-key.pem",
        "plugins.security.ssl.http.pemtrustedcas_filepath: root-ca.pem",
        "plugins.security.allow_default_init_securityindex: true",
        "plugins.security.nodes_dn: [\"" + dn + "\"]",
        // No certificate is issued for this DN: nobody administers the node by certificate.
        "plugins.security.authcz.admin_dn: [\"CN=podflow-test-admin,O=podflow\"]",
        "plugins.security.audit.type: noop",
        "plugins.security.restapi.roles_enabled: [\"all_access\"]",
        "plugins.security.system_indices.enabled: true",
        "");
  }

  private static String internalUsers(String adminHash, String processorHash) {
    return String.join(
        "\n",
        "_meta:",
        "  type: \"internalusers\"",
        "  config_version: 2",
        ADMIN_USER + ":",
        "  hash: \"" + adminHash + "\"",
        "  reserved: true",
        "  description: \"the test's own reads and checks\"",
        PROCESSOR_USER + ":",
        "  hash: \"" + processorHash + "\"",
        "  reserved: false",
        "  description: \"the flow processor\"",
        "");
  }

  /** A BCrypt hash of {@code password}, from the plugin's own tool. */
  private static String hash(Path home, String password, Map<String, String> env, Path logDir) {
    Path tool = home.resolve("plugins/opensearch-security/tools/hash.sh");
    Path out = logDir.resolve("hash.out");
    try {
      Files.deleteIfExists(out);
      ManagedProcess hasher =
          ManagedProcess.start(
              "hash.sh", List.of("bash", tool.toString(), "-p", password), home, env, out, null);
      int exit = hasher.awaitExit(Duration.ofSeconds(60));
      List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
      Files.delete(out);
      String hash =
          lines.stream().map(String::trim).filter(l -> l.startsWith("$2")).findFirst().orElse(null);
      if (exit != 0 || hash == null) {
        throw new StackException("hash.sh failed (exit " + exit + ") without a BCrypt hash");
      }
      return hash;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copyResource(String name, Path target) throws IOException {
    try (InputStream in = OpenSearchSecurity.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new StackException("resource " + RESOURCES + name + " is missing");
      }
      Files.copy(in, target.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void run(
      String name, List<String> command, Path workDir, Map<String, String> env, Path logDir) {
    ManagedProcess tool =
        ManagedProcess.start(name, command, workDir, env, logDir.resolve(name + ".log"), null);
    int exit = tool.awaitExit(Duration.ofSeconds(180));
    if (exit != 0) {
      throw new StackException(name + " failed (exit " + exit + "):\n" + tool.logTail(20));
    }
  }

  @Override
  public String toString() {
    return "OpenSearchSecurity[" + certificates.caPem() + "]"; // never the passwords
  }
}
