package io.podflow.e2e.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.podflow.processor.job.FlowProcessorJob;
import io.podflow.schema.flow.v1.DirectionCounters;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.ObservationPoint;
import io.podflow.schema.flow.v1.Outcome;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.OpenSearchNode;
import io.podflow.stack.junit.LocalStackExtension;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flow processor's image starts its job: built on the stand-in Flink base (Debian's JRE and
 * Flink's jars from Maven; Flink's image cannot be pulled here), the job jar sits where the
 * FlinkDeployment's jarURI says, names the FlinkDeployment's entry class, and that class, run from
 * the image against the local Kafka and OpenSearch (host network), reads its configuration, runs
 * the job on a local MiniCluster inside the container and indexes a record as a document. Flink's
 * own scripts are not in Maven's repository, so this is the job's main class on the JVM ({@code
 * java -cp '/opt/flink/lib/*:JAR' MAIN ...}), not Flink's entrypoint.
 */
@ExtendWith(LocalStackExtension.class)
class ProcessorImageIT {
  private static final String IMAGE = "podflow/flow-processor:0.1.0";

  /** deploy/base/processor's jarURI (local://...) and entryClass, as CONTRACTS.md fixes them. */
  private static final String JAR = "/opt/flink/usrlib/podflow-flow-processor.jar";

  private static final String ENTRY_CLASS = FlowProcessorJob.class.getName();
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void theImagesJobJarStartsTheJobWhichIndexesARecord(KafkaBroker kafka, OpenSearchNode openSearch)
      throws Exception {
    Images.build("flow-processor");

    // The jar where the FlinkDeployment points, owned by Flink's user, naming the entry class.
    assertThat(
            Images.run(
                    Images.runCommand(
                        List.of("--rm", "--entrypoint", "stat"),
                        IMAGE,
                        List.of("-c", "%u %s", JAR)))
                .trim())
        .matches("9999 [1-9][0-9]+");
    Path jar = dir.resolve("job.jar");
    Process copy =
        new ProcessBuilder(
                Images.runCommand(List.of("--rm", "--entrypoint", "cat"), IMAGE, List.of(JAR)))
            .redirectOutput(jar.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    assertThat(copy.waitFor()).isZero();
    try (JarFile job = new JarFile(jar.toFile())) {
      assertThat(job.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo(ENTRY_CLASS);
    }

    String run = "image-" + System.nanoTime();
    RunTopics topics = RunTopics.create(kafka, run);
    String flows = topics.flows();
    String policies = topics.policies();
    String name = run;
    List<String> command =
        Images.runCommand(
            List.of("--name", name, "--network", "host", "--entrypoint", "java"),
            IMAGE,
            List.of(
                "-Xmx512m",
                "-Dlog4j.configurationFile=/opt/flink/conf/log4j-console.properties",
                "-cp",
                "/opt/flink/lib/*:" + JAR,
                ENTRY_CLASS,
                "--bootstrap-servers=" + kafka.bootstrapServers(),
                "--opensearch=" + openSearch.httpUri(),
                "--flows-topic=" + flows,
                "--policies-topic=" + policies,
                "--group-id=" + run));
    System.out.println("processor image test: " + String.join(" ", command));
    Path log = dir.resolve("job.log");
    Process job =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      JsonNode doc = null;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (doc == null && System.nanoTime() < deadline) {
        if (!job.isAlive()) {
          throw new AssertionError("the job's container ended: " + Files.readString(log));
        }
        // A record every second: event time moves on, so the job's windows close.
        producer.send(new ProducerRecord<>(flows, record(run).toByteArray())).get();
        Thread.sleep(1000);
        doc =
            IndexedDocuments.of(openSearch.httpUri(), "podflow-flows", run).stream()
                .findFirst()
                .orElse(null);
      }
      assertThat(doc)
          .as("a document within %s; the job's log:%n%s", WAIT, Files.readString(log))
          .isNotNull();
      assertThat(doc.at("/source/ip").asText()).isEqualTo("10.1.0.5");
      assertThat(doc.at("/destination/port").asInt()).isEqualTo(80);
      // The job ran under the name its main class gives it, from the image's jar.
      assertThat(Files.readString(log)).contains("podflow flow processor");
    } finally {
      Images.stop(name, 30);
      job.waitFor();
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(KafkaBroker kafka) {
    return new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  /** A record as both agents' views merge into one: a TCP call from 10.1.0.5 to 10.1.0.9:80. */
  private static FlowRecord record(String cluster) throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    return FlowRecord.newBuilder()
        .setSchemaVersion(1)
        .setCluster(cluster)
        .setObserver(
            ObservationPoint.newBuilder()
                .setNode("node-a")
                .setInterface("veth1")
                .setAgent("podflow-agent-a")
                .setReporter(Reporter.REPORTER_BOTH))
        .setTimeStartNs(now - 1_000_000_000L)
        .setTimeEndNs(now)
        .setFlowStartNs(now - 1_000_000_000L)
        .setProtocol(6)
        .setIpVersion(4)
        .setSource(endpoint("10.1.0.5", 40000 + (int) (now / 1_000_000_000L % 20000)))
        .setDestination(endpoint("10.1.0.9", 80))
        .setSourceToDestination(DirectionCounters.newBuilder().setPackets(3).setBytes(300))
        .setDestinationToSource(DirectionCounters.newBuilder().setPackets(2).setBytes(900))
        .setOutcome(Outcome.OUTCOME_ESTABLISHED)
        .build();
  }

  private static Endpoint.Builder endpoint(String ip, int port) throws Exception {
    return Endpoint.newBuilder()
        .setIp(ByteString.copyFrom(InetAddress.getByName(ip).getAddress()))
        .setPort(port);
  }
}
