package io.podflow.processor.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podflow.processor.job.FlowProcessorJob;
import io.podflow.processor.sink.kafka.DeadLetterSink;
import io.podflow.processor.sink.kafka.DeadLetterTopic;
import io.podflow.schema.PodflowIndex;
import io.podflow.schema.kafka.KafkaClientProperties;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.LocalStack;
import io.podflow.stack.OpenSearchNode;
import io.podflow.stack.TopicReader;
import io.podflow.stack.junit.LocalStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OpenSearch sink against the real OpenSearch and Kafka of the local stack, counting documents
 * by id: a refused document goes to the dead letters with OpenSearch's reason while the rest are
 * indexed once each, even when every record comes twice; a bulk over OpenSearch's content limit
 * (413) is halved until it passes; OpenSearch killed with -9 under a steady load, with a task
 * failure while it is down, loses and duplicates nothing, and checkpoints go on completing during
 * the outage.
 *
 * <p>The outage lasts 20 s; {@code -Dpodflow.faults.long=true} makes it 60 s (the longer
 * variant, outside {@code ./podflow test}'s time budget).
 */
@ExtendWith(LocalStackExtension.class)
class OpenSearchSinkIT {
  @RegisterExtension static final MiniClusterExtension FLINK = new MiniClusterExtension();

  private static final ObjectMapper JSON = new ObjectMapper();
  static final String INDEX = PodflowIndex.FLOWS.indexFor(Instant.now());

  @Test
  void aDocumentOpenSearchRefusesGoesToTheDeadLettersWithItsReasonAndEveryOtherIsIndexedOnce(
      KafkaBroker kafka, OpenSearchNode openSearch) throws Exception {
    String run = "refused" + System.nanoTime();
    String topic = deadLetterTopic(kafka, run);
    int count = 1_000;
    int bad = 500;
    // Bytes that break the bulk body's lines: OpenSearch refuses the whole request (400), which
    // is halved until this document is alone.
    int broken = 700;
    List<Document> documents = new ArrayList<>();
    for (int copy = 0; copy < 2; copy++) { // every record delivered twice
      for (int i = 0; i < count; i++) {
        Document d = document(run, i, i == bad ? "not-an-address" : "10.0.0.1");
        if (i == broken) {
          d.json = "{\"a\":1}\n{\"b\":2}".getBytes(StandardCharsets.UTF_8);
        }
        documents.add(d);
      }
    }

    index(documents, sink(kafka, openSearch, topic, 100));

    Set<String> expected = ids(run, count);
    expected.remove(id(run, bad));
    expected.remove(id(run, broken));
    assertThat(indexedIds(openSearch, run)).isEqualTo(expected);

    List<String> reasons = reasons(kafka, topic);
    assertThat(reasons).hasSize(4); // the two refused records came twice each
    assertThat(reasons.stream().filter(r -> r.contains(id(run, bad))))
        .hasSize(2)
        .allSatisfy(
            r -> assertThat(r).contains(INDEX, "(400)", "mapper_parsing_exception", "source.ip"));
    assertThat(reasons.stream().filter(r -> r.contains(id(run, broken))))
        .hasSize(2)
        .allSatisfy(r -> assertThat(r).contains("(400)", "request refused"));
    assertThat(TopicReader.all(kafka.bootstrapServers(), topic))
        .filteredOn(l -> reason(l).contains(id(run, bad)))
        .allSatisfy(
            l ->
                assertThat(JSON.readTree(l.value()).at("/source/ip").asText())
                    .isEqualTo("not-an-address"));
  }

  @Test
  void aBulkOverOpenSearchsContentLimitIsHalvedUntilItPassesAndADocumentTooLargeAloneIsDeadLettered(
      KafkaBroker kafka) throws Exception {
    String run = "toolarge" + System.nanoTime();
    String topic = deadLetterTopic(kafka, run);
    int count = 300;
    int large = 150;
    List<Document> documents = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Document d = document(run, i, "10.0.0.1");
      if (i == large) {
        String json = new String(d.json, StandardCharsets.UTF_8);
        // An unmapped field (the template's mapping is not dynamic): only its size matters.
        d.json =
            (json.substring(0, json.length() - 1) + ",\"padding\":\"" + "x".repeat(20_000) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
      }
      documents.add(d);
    }
    // 100 documents make about 20 kB, 50 about 10 kB; the flows template 15 kB. Not under @TempDir:
    // the node's user must
    // reach its directory, and JUnit's is root's alone.
    Path dir = Files.createTempDirectory("podflow-small-opensearch-");
    try (OpenSearchNode small =
        OpenSearchNode.start(
            dir, Duration.ofSeconds(180), List.of("http.max_content_length=16kb"))) {
      index(documents, sink(kafka, small, topic, 100));

      Set<String> expected = ids(run, count);
      expected.remove(id(run, large));
      assertThat(indexedIds(small, run)).isEqualTo(expected);
    } finally {
      LocalStack.deleteTree(dir);
    }
    List<String> reasons = reasons(kafka, topic);
    assertThat(reasons).hasSize(1);
    assertThat(reasons.get(0)).contains(id(run, large), "(413)");
  }

  /** Runs {@code documents} through {@code sink} in a bounded job, to its end. */
  private static void index(List<Document> documents, OpenSearchSink sink) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    env.fromData(documents, TypeInformation.of(Document.class)).sinkTo(sink).name("opensearch");
    env.execute("opensearch sink");
  }

  static String deadLetterTopic(KafkaBroker kafka, String run) {
    String topic = run + "-dead-letters";
    kafka.createTopics(List.of(new NewTopic(topic, 1, (short) 1)));
    return topic;
  }

  private static List<String> reasons(KafkaBroker kafka, String topic) {
    return TopicReader.all(kafka.bootstrapServers(), topic).stream()
        .map(OpenSearchSinkIT::reason)
        .toList();
  }

  private static String reason(ConsumerRecord<byte[], byte[]> letter) {
    return new String(
        letter.headers().lastHeader(DeadLetterSink.REASON_HEADER).value(), StandardCharsets.UTF_8);
  }

  @Test
  void openSearchKilledUnderLoadAndATaskFailureWhileItIsDownLoseAndDuplicateNothing(
      KafkaBroker kafka, OpenSearchNode openSearch) throws Exception {
    String run = "outage" + System.nanoTime();
    String topic = deadLetterTopic(kafka, run);
    Duration outage = Duration.ofSeconds(Boolean.getBoolean("podflow.faults.long") ? 60 : 20);
    int perSecond = 40;
    int count = (int) (perSecond * (outage.toSeconds() + 25));

    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(FlowProcessorJob.settings());
    env.setParallelism(1);
    env.enableCheckpointing(1_000);
    FailOnce.reset();
    String index = INDEX;
    env.fromSource(
            new DataGeneratorSource<>(
                i -> document(index, run, (int) (long) i, "10.0.0.1"),
                count,
                RateLimiterStrategy.perSecond(perSecond),
                TypeInformation.of(Document.class)),
            WatermarkStrategy.noWatermarks(),
            "steady load")
        .map(new FailOnce())
        .name("fails once on demand")
        .sinkTo(sink(kafka, openSearch, topic, 200))
        .name("opensearch");
    JobClient job = env.executeAsync("opensearch outage");
    int checkpointsDuringOutage;
    try {
      awaitIndexed(openSearch, run, count / 10, Duration.ofSeconds(120));
      openSearch.kill();
      int checkpointsAtKill = FailOnce.CHECKPOINTS.get();
      long outageEnd = System.nanoTime() + outage.toNanos();
      Thread.sleep(outage.toMillis() / 4);
      FailOnce.NOW.set(true); // the task fails while documents wait for OpenSearch
      while (!FailOnce.FAILED.get()) {
        Thread.sleep(100);
      }
      Thread.sleep(Math.max(0, (outageEnd - System.nanoTime()) / 1_000_000));
      checkpointsDuringOutage = FailOnce.CHECKPOINTS.get() - checkpointsAtKill;
      openSearch.start(Duration.ofSeconds(180));
      job.getJobExecutionResult().get(300, TimeUnit.SECONDS);
    } finally {
      if (!openSearch.isRunning()) {
        openSearch.start(Duration.ofSeconds(180));
      }
      if (!job.getJobStatus().get().isGloballyTerminalState()) {
        job.cancel().get();
      }
    }

    assertThat(FailOnce.FAILED).isTrue();
    assertThat(checkpointsDuringOutage)
        .as("checkpoints completed while OpenSearch was down (the writer's state holds them)")
        .isPositive();
    Set<String> indexed = indexedIds(openSearch, run);
    assertThat(indexed).as("every document once, none lost").isEqualTo(ids(run, count));
    assertThat(TopicReader.all(kafka.bootstrapServers(), topic)).isEmpty();
  }

  /** Fails the task once when asked, and counts completed checkpoints. */
  static final class FailOnce implements MapFunction<Document, Document>, CheckpointListener {
    static final AtomicBoolean NOW = new AtomicBoolean();
    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final AtomicInteger CHECKPOINTS = new AtomicInteger();

    static void reset() {
      NOW.set(false);
      FAILED.set(false);
      CHECKPOINTS.set(0);
    }

    @Override
    public Document map(Document d) {
      if (NOW.get() && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("a forced task failure (test)");
      }
      return d;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      CHECKPOINTS.incrementAndGet();
    }
  }

  private static OpenSearchSink sink(
      KafkaBroker kafka, OpenSearchNode openSearch, String topic, int bulkActions) {
    return new OpenSearchSink(
        new OpenSearchEndpoint(openSearch.httpUri()),
        bulkActions,
        Duration.ofMillis(200),
        new DeadLetterTopic(kafka.bootstrapServers(), KafkaClientProperties.NONE, topic));
  }

  private static Document document(String run, int i, String sourceIp) {
    return document(INDEX, run, i, sourceIp);
  }

  static Document document(String index, String run, int i, String sourceIp) {
    String json =
        "{\"@timestamp\":\""
            + Instant.now()
            + "\",\"orchestrator\":{\"cluster\":{\"name\":\""
            + run
            + "\"}},\"source\":{\"ip\":\""
            + sourceIp
            + "\"}}";
    return new Document(index, id(run, i), json.getBytes(StandardCharsets.UTF_8));
  }

  static String id(String run, int i) {
    return run + "-" + i;
  }

  static Set<String> ids(String run, int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> id(run, i))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static void awaitIndexed(OpenSearchNode node, String run, int atLeast, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (indexedIds(node, run).size() < atLeast) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("fewer than " + atLeast + " documents of " + run + " in time");
      }
      Thread.sleep(500);
    }
  }

  /**
   * The ids of the run's documents in every daily flows index, after a refresh (as podflow's admin
   * on a secured node). Within one index an id is unique by construction (a resend overwrites); a
   * document written twice under two days' indices would show here as an id twice.
   */
  static Set<String> indexedIds(OpenSearchNode node, String run) throws Exception {
    URI base = node.httpUri();
    boolean secured = base.getScheme().equals("https");
    HttpClient http =
        secured
            ? HttpClient.newBuilder()
                .sslContext(node.security().certificates().sslContext())
                .build()
            : HttpClient.newHttpClient();
    HttpRequest.Builder refresh =
        HttpRequest.newBuilder(base.resolve("/" + PodflowIndex.FLOWS.pattern() + "/_refresh"))
            .POST(HttpRequest.BodyPublishers.noBody());
    String query =
        "{\"size\":10000,\"_source\":false,\"query\":{\"term\":{\"orchestrator.cluster.name\":\""
            + run
            + "\"}}}";
    HttpRequest.Builder search =
        HttpRequest.newBuilder(base.resolve("/" + PodflowIndex.FLOWS.pattern() + "/_search"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(query));
    if (secured) {
      refresh.header("Authorization", node.security().adminAuthorization());
      search.header("Authorization", node.security().adminAuthorization());
    }
    http.send(refresh.build(), HttpResponse.BodyHandlers.discarding());
    HttpResponse<String> response = http.send(search.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() == 404) {
      return Set.of();
    }
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    for (JsonNode hit : JSON.readTree(response.body()).at("/hits/hits")) {
      ids.add(hit.get("_id").asText());
    }
    Set<String> unique = new TreeSet<>(ids);
    assertThat(unique).as("no id twice").hasSize(ids.size());
    return unique;
  }
}
