package io.podflow.processor.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podflow.processor.security.TestCa;
import io.podflow.schema.kafka.PodflowTopic;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessorConfigTest {
  @Test
  void argumentsWinOverTheEnvironmentAndEverythingElseHasItsDefault() {
    ProcessorConfig c =
        ProcessorConfig.parse(
            new String[] {"--bootstrap-servers=kafka:9092", "--merge-window=PT1M"},
            Map.of(
                "PODFLOW_PROCESSOR_BOOTSTRAP_SERVERS", "ignored:1",
                "PODFLOW_PROCESSOR_OPENSEARCH", "http://opensearch:9200",
                "PODFLOW_PROCESSOR_HOLD", "2.5",
                "PODFLOW_PROCESSOR_FUTURE_TOLERANCE", "PT10M",
                "HOME", "/root"));

    assertThat(c.bootstrapServers()).isEqualTo("kafka:9092");
    assertThat(c.openSearch().toString()).isEqualTo("http://opensearch:9200");
    assertThat(c.mergeWindow()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.hold()).isEqualTo(Duration.ofMillis(2_500));
    assertThat(c.futureTolerance()).isEqualTo(Duration.ofMinutes(10));
    assertThat(ProcessorConfig.of("k:1", c.openSearch()).futureTolerance())
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(c.flowsTopic()).isEqualTo(PodflowTopic.FLOWS.topic());
    assertThat(c.alertmanager()).isNull();
    assertThat(c.bounded()).isFalse();
  }

  @Test
  void everyProblemIsNamedAtOnce() {
    assertThatThrownBy(
            () ->
                ProcessorConfig.parse(
                    new String[] {
                      "--opensearch=opensearch:9200", "--hold=soon", "--colour=red", "--x", "y"
                    },
                    Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bootstrap-servers is required")
        .hasMessageContaining("opensearch must be http(s)://host:port")
        .hasMessageContaining("hold must be seconds or an ISO-8601 duration")
        .hasMessageContaining("unknown key 'colour'")
        .hasMessageContaining("'--x' is not --key=value")
        .hasMessageContaining("argument 5 is not --key=value (not shown)");
  }

  @TempDir Path dir;

  @Test
  void securityKeysReadTheirFilesAndTheEnvironmentAndPrintNoSecret() throws Exception {
    Path kafka = write("kafka.properties", SCRAM_WITH_PASSWORD);
    Path password = write("opensearch-password", "os-secret\n");
    Path token = write("alertmanager-token", "am-token");
    Path ca = TestCa.selfSigned(dir, "ca").pem();

    ProcessorConfig c =
        ProcessorConfig.parse(
            new String[] {
              "--bootstrap-servers=kafka:9093",
              "--opensearch=https://opensearch:9200",
              "--kafka-properties=" + kafka,
              "--opensearch-username=podflow",
              "--opensearch-password-file=" + password,
              "--opensearch-ca-file=" + ca,
              "--alertmanager=https://alertmanager:9093",
              "--alertmanager-bearer-token-file=" + token,
              "--alertmanager-ca-file=" + ca
            },
            Map.of());

    assertThat(c.kafkaProperties().asMap())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsKey("sasl.jaas.config");
    assertThat(c.openSearchAuth().username()).isEqualTo("podflow");
    assertThat(c.openSearchAuth().readPassword().reveal()).isEqualTo("os-secret");
    assertThat(c.openSearchAuth().authorization().toString()).isEqualTo("***");
    assertThat(c.alertmanagerAuth().authorization().reveal()).isEqualTo("Bearer am-token");
    assertThat(c.alertmanagerAuth().sslContext()).isNotNull();
    // The configuration as logged or shown: keys and file names, never a secret.
    assertThat(c.toString())
        .contains("sasl.jaas.config", password.toString())
        .doesNotContain("kafka-secret", "os-secret", "am-token", "SASL_SSL");
    // Serializable as Flink ships it, and still without the secrets.
    byte[] shipped = serialize(c);
    assertThat(new String(shipped, StandardCharsets.ISO_8859_1))
        .doesNotContain("os-secret")
        .doesNotContain("am-token");

    ProcessorConfig fromEnv =
        ProcessorConfig.parse(
            new String[] {"--bootstrap-servers=kafka:9093", "--opensearch=https://os:9200"},
            Map.of(
                "PODFLOW_PROCESSOR_OPENSEARCH_USERNAME", "podflow",
                "PODFLOW_PROCESSOR_OPENSEARCH_PASSWORD", "env-secret"));
    assertThat(fromEnv.openSearchAuth().password().variable())
        .isEqualTo("PODFLOW_PROCESSOR_OPENSEARCH_PASSWORD");
    assertThat(fromEnv.toString()).doesNotContain("env-secret");
  }

  @Test
  void kafkaPropertiesThatWeakenDeliveryAreRefusedByKey() throws Exception {
    Path kafka =
        write(
            "weak.properties",
            SCRAM_WITH_PASSWORD + "\nacks=1\nenable.idempotence=false\nbootstrap.servers=x:1\n");
    assertThatThrownBy(
            () ->
                ProcessorConfig.parse(
                    new String[] {
                      "--bootstrap-servers=kafka:9093",
                      "--opensearch=http://opensearch:9200",
                      "--kafka-properties=" + kafka
                    },
                    Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kafka-properties (" + kafka + "): acks=1 is refused")
        .hasMessageContaining("enable.idempotence=false is refused")
        .hasMessageContaining("bootstrap.servers is set through bootstrap-servers")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("kafka-secret"));
  }

  @Test
  void secretsAreNeverTakenFromArgumentsNorRepeatedInMessages() {
    assertThatThrownBy(
            () ->
                ProcessorConfig.parse(
                    new String[] {
                      "--bootstrap-servers=kafka:9093",
                      "--opensearch=https://admin:arg-secret@opensearch:9200",
                      "--opensearch-password=arg-secret2",
                      "--alertmanager-password-file",
                      "arg-secret3"
                    },
                    Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("opensearch must not hold credentials")
        .hasMessageContaining("opensearch-password is not taken as an argument")
        .hasMessageContaining("PODFLOW_PROCESSOR_OPENSEARCH_PASSWORD")
        .hasMessageContaining("argument 5 is not --key=value (not shown)")
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .doesNotContain("arg-secret", "arg-secret2", "arg-secret3"));
  }

  @Test
  void credentialsAreCheckedWholeAtStart() throws Exception {
    Path empty = write("empty", "\n");
    assertThatThrownBy(
            () ->
                ProcessorConfig.parse(
                    new String[] {
                      "--bootstrap-servers=kafka:9093",
                      "--opensearch=http://opensearch:9200",
                      "--opensearch-password-file=" + empty,
                      "--opensearch-ca-file=" + dir.resolve("missing.pem"),
                      "--alertmanager-username=podflow",
                      "--alertmanager-bearer-token-file=" + empty
                    },
                    Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("opensearch-username and a password go together")
        .hasMessageContaining("secret file " + empty + " is empty")
        .hasMessageContaining("opensearch-ca-file is for https:// servers")
        .hasMessageContaining("cannot read CA file " + dir.resolve("missing.pem"))
        .hasMessageContaining(
            "alertmanager-* credentials or CA given, but no alertmanager address");
  }

  @Test
  void credentialsForAPlainHttpServerAreRefused() throws Exception {
    Path password = write("opensearch-password", "os-secret");
    Path token = write("alertmanager-token", "am-token");
    assertThatThrownBy(
            () ->
                ProcessorConfig.parse(
                    new String[] {
                      "--bootstrap-servers=kafka:9093",
                      "--opensearch=http://opensearch:9200",
                      "--opensearch-username=podflow",
                      "--opensearch-password-file=" + password,
                      "--alertmanager=http://alertmanager:9093",
                      "--alertmanager-bearer-token-file=" + token
                    },
                    Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "opensearch credentials are only sent over https://, and opensearch is"
                + " http://opensearch:9200")
        .hasMessageContaining("alertmanager credentials are only sent over https://")
        .message()
        .doesNotContain("os-secret", "am-token");
  }

  private static final String SCRAM_WITH_PASSWORD =
      String.join(
          "\n",
          "security.protocol=SASL_SSL",
          "sasl.mechanism=SCRAM-SHA-512",
          "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
              + " username=\"podflow\" password=\"kafka-secret\";");

  private Path write(String name, String content) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    return file;
  }

  private static byte[] serialize(Object o) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }
}
