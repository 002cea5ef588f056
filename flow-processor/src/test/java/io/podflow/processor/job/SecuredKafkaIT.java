package io.podflow.processor.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podflow.processor.sink.kafka.DeadLetterSink;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.schema.kafka.KafkaClientProperties;
import io.podflow.schema.kafka.PodflowTopic;
import io.podflow.schema.kafka.TopicSetup;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.OpenSearchNode;
import io.podflow.stack.TopicReader;
import io.podflow.stack.junit.LocalStackExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a Kafka that wants credentials: topics made by setup over TLS (the broker's
 * certificate checked), the job's sources, sinks and start-up check through SASL/SCRAM, configured
 * by one {@code kafka-properties} file whose password comes from a mounted-Secret-like directory
 * through Kafka's DirectoryConfigProvider. The SASL listener takes nothing else, so every record
 * that arrives went through the user's properties. A wrong password stops the job at its check, and
 * the message does not repeat the password.
 */
@ExtendWith(LocalStackExtension.class)
class SecuredKafkaIT {
  @RegisterExtension static final MiniClusterExtension FLINK = new MiniClusterExtension();

  @TempDir Path dir;

  @Test
  void theJobReadsAndWritesThroughScramWithItsPropertiesFile(OpenSearchNode openSearch)
      throws Exception {
    try (KafkaBroker kafka =
        KafkaBroker.startWithScram(
            dir.resolve("kafka"), Duration.ofSeconds(90), "podflow", "scram-s3cret")) {
      Path tls =
          write(
              "tls.properties",
              "security.protocol=SSL",
              "ssl.truststore.location=" + kafka.trustStore(),
              "ssl.truststore.password=" + KafkaBroker.STORE_PASSWORD,
              "ssl.truststore.type=PKCS12");
      assertThat(
              TopicSetup.apply(
                  kafka.tlsBootstrapServers(),
                  KafkaClientProperties.load(tls),
                  new TopicSetup.Plan(
                      Map.of(PodflowTopic.FLOWS, 2), java.util.Optional.empty(), false)))
          .extracting(TopicSetup.Outcome::status)
          .containsOnly(TopicSetup.Status.CREATED);

      Path secrets = Files.createDirectories(dir.resolve("kafka-user"));
      Files.writeString(secrets.resolve("password"), "scram-s3cret");
      Path scram = scramProperties("scram.properties", secrets);
      String run = "scram" + System.nanoTime();
      ProcessorConfig config = config(kafka, openSearch, scram);
      FlowProcessorJob.requireCompactedPolicies(config); // through SCRAM

      // Test data over the plaintext listener; the job sees only the SASL one.
      try (KafkaProducer<byte[], byte[]> producer = FlowProcessorJobIT.producer(kafka)) {
        FlowProcessorJobIT.policy(
            producer, config, run + "/shop/allow-nginx", FlowProcessorJobIT.ALLOW_NGINX);
        FlowRecord r =
            FlowProcessorJobIT.record(run, "10.1.0.5", "frontend", "10.1.0.9", "nginx", 80);
        FlowProcessorJobIT.flow(
            producer,
            config,
            FlowProcessorJobIT.reported(r, Reporter.REPORTER_SOURCE, "node-a", 0));
        FlowProcessorJobIT.flow(
            producer,
            config,
            FlowProcessorJobIT.reported(r, Reporter.REPORTER_DESTINATION, "node-b", 0));
        producer.send(new ProducerRecord<>(config.flowsTopic(), new byte[] {0x0f, 0x01})).get();
        FlowRecord later =
            FlowProcessorJobIT.record(run, "10.1.0.6", "batch", "10.1.0.8", null, 53);
        FlowProcessorJobIT.flow(
            producer,
            config,
            FlowProcessorJobIT.reported(
                later, Reporter.REPORTER_UNSPECIFIED, "node-a", 120_000_000_000L));
      }
      JobClient job = FlowProcessorJobIT.start(config, "secured kafka");
      try {
        // The merged connection and the later record that moved event time on.
        var docs = FlowProcessorJobIT.awaitDocuments(openSearch, run, 2, Duration.ofSeconds(120));
        assertThat(docs)
            .anySatisfy(
                d -> {
                  assertThat(d.at("/observer/reporter").asText()).isEqualTo("both");
                  assertThat(d.at("/policy/verdict").asText()).isEqualTo("allowed");
                });
        // The dead-letter sink wrote through SCRAM too.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<String> reasons = List.of();
        while (reasons.isEmpty() && System.nanoTime() < deadline) {
          reasons =
              TopicReader.all(kafka.bootstrapServers(), config.deadLetterTopic()).stream()
                  .map(
                      rec ->
                          new String(
                              rec.headers().lastHeader(DeadLetterSink.REASON_HEADER).value(),
                              StandardCharsets.UTF_8))
                  .toList();
          Thread.sleep(500);
        }
        assertThat(reasons).anySatisfy(reason -> assertThat(reason).startsWith("not a podflow"));
      } finally {
        job.cancel().get();
      }

      Path wrongSecrets = Files.createDirectories(dir.resolve("wrong-user"));
      Files.writeString(wrongSecrets.resolve("password"), "guessed-pw");
      ProcessorConfig wrong =
          config(kafka, openSearch, scramProperties("wrong.properties", wrongSecrets));
      assertThatThrownBy(() -> FlowProcessorJob.requireCompactedPolicies(wrong))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("could not read the configuration of Kafka topic")
          .hasMessageContaining("uthentication failed")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("guessed-pw"));
    }
  }

  private ProcessorConfig config(KafkaBroker kafka, OpenSearchNode openSearch, Path properties) {
    return ProcessorConfig.parse(
        new String[] {
          "--bootstrap-servers=" + kafka.saslBootstrapServers(),
          "--kafka-properties=" + properties,
          "--opensearch=" + openSearch.httpUri(),
          "--checkpoint-interval=1",
          "--hold=2",
          "--idleness=1"
        },
        Map.of());
  }

  /** SCRAM, the password read by Kafka's DirectoryConfigProvider from {@code secrets}. */
  private Path scramProperties(String name, Path secrets) throws Exception {
    return write(
        name,
        "security.protocol=SASL_PLAINTEXT",
        "sasl.mechanism=SCRAM-SHA-256",
        "config.providers=dir",
        "config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider",
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"podflow\" password=\"${dir:"
            + secrets
            + ":password}\";");
  }

  private Path write(String name, String... lines) throws Exception {
    return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
  }
}
