package io.podflow.processor.job;

import static io.podflow.processor.job.FlowProcessorJobIT.flow;
import static io.podflow.processor.job.FlowProcessorJobIT.policy;
import static io.podflow.processor.job.FlowProcessorJobIT.producer;
import static io.podflow.processor.job.FlowProcessorJobIT.record;
import static io.podflow.processor.job.FlowProcessorJobIT.reported;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.OpenSearchNode;
import io.podflow.stack.junit.LocalStackExtension;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once in effect: the documents a run gives are the same, none lost and none twice, when
 * the job is cancelled mid-stream and restored from its last checkpoint and OpenSearch is away for
 * 30 s while records keep coming.
 */
@ExtendWith(LocalStackExtension.class)
class FlowProcessorRecoveryIT {
  @RegisterExtension static final MiniClusterExtension FLINK = new MiniClusterExtension();

  private static final long MILLI = 1_000_000L;
  private static final int FIRST = 600;
  private static final int SECOND = 400;

  @Test
  void aRestoreFromTheLastCheckpointAndAnOpenSearchOutageGiveTheDocumentsOfARunWithout(
      KafkaBroker kafka, OpenSearchNode openSearch, @TempDir Path dir) throws Exception {
    long run = System.nanoTime();
    int expected = FIRST + 1 + SECOND + 1; // one document per connection, and the two clocks

    // The reference: every record, no failure.
    ProcessorConfig reference = config(kafka, openSearch, "ref" + run);
    String referenceCluster = "ref" + run;
    publishPolicies(kafka, reference, referenceCluster);
    publish(kafka, reference, referenceCluster, 0, FIRST);
    publish(kafka, reference, referenceCluster, FIRST, FIRST + SECOND);
    JobClient job = start(reference, new Configuration());
    List<JsonNode> withoutFailure;
    try {
      withoutFailure =
          FlowProcessorJobIT.awaitDocuments(
              openSearch, referenceCluster, expected, Duration.ofSeconds(120));
    } finally {
      job.cancel().get();
    }

    // The same records, with a cancel and restore in the middle and OpenSearch away for 30 s.
    ProcessorConfig failing = config(kafka, openSearch, "fail" + run);
    String cluster = "fail" + run;
    publishPolicies(kafka, failing, cluster);
    publish(kafka, failing, cluster, 0, FIRST);
    Path checkpoints = dir.resolve("checkpoints");
    Configuration first = new Configuration();
    first.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    first.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    job = start(failing, first);
    Path checkpoint;
    try {
      FlowProcessorJobIT.awaitDocuments(openSearch, cluster, FIRST / 2, Duration.ofSeconds(120));
      checkpoint = awaitCheckpoint(checkpoints, Duration.ofSeconds(60));
    } finally {
      job.cancel().get();
    }
    openSearch.stop();
    Configuration restore = new Configuration(first);
    restore.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint.toUri().toString());
    job = start(failing, restore);
    List<JsonNode> withFailure;
    try {
      publish(kafka, failing, cluster, FIRST, FIRST + SECOND);
      Thread.sleep(30_000);
      openSearch.start(Duration.ofSeconds(180));
      withFailure =
          FlowProcessorJobIT.awaitDocuments(openSearch, cluster, expected, Duration.ofSeconds(180));
      Thread.sleep(3_000); // anything written twice would show now
      withFailure =
          FlowProcessorJobIT.documents(HttpClient.newHttpClient(), openSearch.httpUri(), cluster);
    } finally {
      if (!openSearch.isRunning()) {
        openSearch.start(Duration.ofSeconds(180));
      }
      job.cancel().get();
    }

    assertThat(withFailure).hasSize(expected);
    assertThat(summary(withFailure)).isEqualTo(summary(withoutFailure));
  }

  private static ProcessorConfig config(KafkaBroker kafka, OpenSearchNode node, String run) {
    ProcessorConfig c = FlowProcessorJobIT.config(kafka, node, run);
    kafka.createTopics(
        List.of(
            new NewTopic(c.flowsTopic(), 3, (short) 1),
            new NewTopic(c.policiesTopic(), 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact")),
            new NewTopic(c.deadLetterTopic(), 1, (short) 1)));
    return c;
  }

  private static JobClient start(ProcessorConfig config, Configuration settings) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(settings);
    env.setParallelism(1);
    FlowProcessorJob.configure(env, config);
    FlowProcessorJob.build(env, config);
    return env.executeAsync("flow processor recovery test");
  }

  private static void publishPolicies(KafkaBroker kafka, ProcessorConfig c, String cluster)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      policy(producer, c, cluster + "/shop/allow-nginx", FlowProcessorJobIT.ALLOW_NGINX);
    }
  }

  /**
   * Connections {@code from} to {@code to}: two of three seen by both agents, one by its source's
   * only; then a record far later in event time, so the lone ones stop waiting for a partner.
   */
  private static void publish(
      KafkaBroker kafka, ProcessorConfig c, String cluster, int from, int to) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      for (int i = from; i < to; i++) {
        String source = "10.2." + (i / 200) + "." + (i % 200 + 1);
        FlowRecord r =
            record(cluster, source, i % 2 == 0 ? "frontend" : "other", "10.1.0.9", "nginx", 80);
        flow(producer, c, reported(r, Reporter.REPORTER_SOURCE, "node-a", at(i)));
        if (i % 3 != 0) {
          flow(producer, c, reported(r, Reporter.REPORTER_DESTINATION, "node-b", at(i)));
        }
      }
      FlowRecord clock = record(cluster, "10.3.0." + (to % 250), "batch", "10.1.0.8", null, 53);
      flow(
          producer,
          c,
          reported(clock, Reporter.REPORTER_UNSPECIFIED, "node-a", at(to - 1) + 120_000 * MILLI));
    }
  }

  /** Event time of connection i: 10 ms apart, the second batch after the first batch's clock. */
  private static long at(int i) {
    return (i * 10L + (i >= FIRST ? 200_000 : 0)) * MILLI;
  }

  private static Path awaitCheckpoint(Path root, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.isDirectory(root)) {
        try (Stream<Path> files = Files.walk(root)) {
          var latest =
              files
                  .filter(p -> p.getFileName().toString().equals("_metadata"))
                  .map(Path::getParent)
                  .max(Comparator.comparingLong(FlowProcessorRecoveryIT::checkpointNumber));
          if (latest.isPresent()) {
            return latest.get();
          }
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no completed checkpoint under " + root);
  }

  private static long checkpointNumber(Path dir) {
    String name = dir.getFileName().toString();
    return name.startsWith("chk-") ? Long.parseLong(name.substring(4)) : -1;
  }

  /** What a document says, without the cluster's name (the two runs' differ). */
  private static Set<String> summary(List<JsonNode> docs) {
    Set<String> out = new TreeSet<>();
    List<String> seen = new ArrayList<>();
    for (JsonNode d : docs) {
      String line =
          String.join(
              " ",
              d.at("/source/ip").asText(),
              d.at("/destination/ip").asText(),
              d.at("/observer/reporter").asText(),
              d.at("/policy/verdict").asText(),
              d.at("/policy/enforcement").asText(),
              d.at("/@timestamp").asText(),
              d.at("/network/packets").asText());
      seen.add(line);
      out.add(line);
    }
    assertThat(out).as("no document twice").hasSize(seen.size());
    return out;
  }
}
