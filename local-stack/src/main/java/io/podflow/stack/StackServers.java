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
