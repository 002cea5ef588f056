package io.podflow.stack;

import io.podflow.stack.KafkaBroker.ScramUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;

/**
 * The files a component reads its credentials from on a secured cluster, written for the secured
 * local servers as a Kubernetes Secret mount would provide them: a Kafka client properties file
 * whose password comes from a file of its own through Kafka's DirectoryConfigProvider, and
 * OpenSearch's password and CA in files.
 */
public final class ClientCredentialFiles {
  private ClientCredentialFiles() {}

  /**
   * The processor's files, and the processor arguments naming them (the keys of the processor's
   * configuration contract: kafka-properties, opensearch-username, opensearch-password-file,
   * opensearch-ca-file).
   *
   * @param kafkaProperties Kafka client properties (SASL_SSL, SCRAM-SHA-512, the CA's trust store)
   * @param openSearchUsername the OpenSearch user
   * @param openSearchPasswordFile its password, alone in the file
   * @param openSearchCaFile the CA (PEM) the OpenSearch node's certificate is checked against
   */
  public record ProcessorFiles(
      Path kafkaProperties,
      String openSearchUsername,
      Path openSearchPasswordFile,
      Path openSearchCaFile) {
    public List<String> processorArguments() {
      return List.of(
          "--kafka-properties=" + kafkaProperties,
          "--opensearch-username=" + openSearchUsername,
          "--opensearch-password-file=" + openSearchPasswordFile,
          "--opensearch-ca-file=" + openSearchCaFile);
    }
  }

  /** Writes the processor's files under {@code dir} for these servers. */
  public static ProcessorFiles writeProcessorFiles(
      Path dir, KafkaBroker kafka, ScramUser kafkaUser, OpenSearchNode openSearch) {
    return new ProcessorFiles(
        writeKafkaProperties(dir, kafka, kafkaUser),
        OpenSearchSecurity.PROCESSOR_USER,
        writeOpenSearchPassword(dir, openSearch),
        openSearch.security().certificates().caPem());
  }

  /** The processor's OpenSearch password alone in {@code <dir>/opensearch-password} (mode 600). */
  public static Path writeOpenSearchPassword(Path dir, OpenSearchNode openSearch) {
    return secret(dir.resolve("opensearch-password"), openSearch.security().processorPassword());
  }

  /**
   * A Kafka client properties file for {@code user} on the broker's secured listener, its password
   * in {@code <dir>/kafka-user/password} and read through Kafka's DirectoryConfigProvider (as from
   * a mounted Secret), never written into the properties file itself.
   */
  public static Path writeKafkaProperties(Path dir, KafkaBroker kafka, ScramUser user) {
    try {
      Path secretDir = Files.createDirectories(dir.resolve("kafka-user"));
      secret(secretDir.resolve("password"), user.password());
      Properties p = new Properties();
      p.putAll(kafka.securedClientProperties(user));
      p.remove("bootstrap.servers"); // the component's own setting names the address
      p.put("config.providers", "dir");
      p.put(
          "config.providers.dir.class",
          "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
      p.put(
          "sasl.jaas.config",
          KafkaBroker.scramJaas(user.name(), "${dir:" + secretDir + ":password}"));
      Path file = dir.resolve("kafka.properties");
      try (Writer out = Files.newBufferedWriter(file)) {
        p.store(out, "Kafka client properties of " + user.name() + " (secured local stack)");
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write Kafka client properties under " + dir, e);
    }
  }

  private static Path secret(Path file, String value) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, value);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file, e);
    }
  }
}
