package io.podflow.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where Maven put the servers: the Kafka broker's classpath and the OpenSearch distribution zip, as
 * recorded by the podflow-stack-servers module when it was built.
 */
final class StackServers {
  private static final String BASE = "/io/podflow/stack/servers/";

  private StackServers() {}

  static String kafkaBrokerClasspath() {
    String classpath = read("kafka-broker.classpath");
    for (String entry : classpath.split(java.io.File.pathSeparator)) {
      if (!Files.isRegularFile(Path.of(entry))) {
        throw new StackException(
            "the Kafka broker jar "
                + entry
                + " is missing from the local Maven repository; rebuild with"
                + " `mvn -pl stack-servers install`");
      }
    }
    return classpath;
  }

  static Path openSearchDistribution() {
    Path zip = Path.of(read("opensearch-distribution.path"));
    if (!Files.isRegularFile(zip)) {
      throw new StackException(
          "the OpenSearch distribution "
              + zip
              + " is missing from the local Maven repository; rebuild with"
              + " `mvn -pl stack-servers install`");
    }
    return zip;
  }

  /** OpenSearch {@code 2.19.4}'s distribution zip, for the secured node. */
  static Path securedOpenSearchDistribution() {
    return securedPath("distribution");
  }

  /** The security plugin's zip, of the same version as {@link #securedOpenSearchDistribution}. */
  static Path openSearchSecurityPlugin() {
    return securedPath("security-plugin");
  }

  private static Path securedPath(String key) {
    java.util.Properties paths = new java.util.Properties();
    try {
      paths.load(new java.io.StringReader(read("opensearch-secured.paths")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path zip = Path.of(paths.getProperty(key));
    if (!Files.isRegularFile(zip)) {
      throw new StackException(
          zip + " is missing from the local Maven repository; rebuild podflow-stack-servers");
    }
    return zip;
  }

  private static String read(String resource) {
    try (InputStream in = StackServers.class.getResourceAsStream(BASE + resource)) {
      if (in == null) {
        throw new StackException(
            "resource " + BASE + resource + " not found: podflow-stack-servers is not built");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
