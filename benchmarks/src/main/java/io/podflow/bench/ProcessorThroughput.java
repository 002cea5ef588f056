package io.podflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.podflow.processor.job.FlowProcessorJob;
import io.podflow.processor.job.ProcessorConfig;
import io.podflow.processor.policy.manifest.PublishedPolicies;
import io.podflow.processor.sink.opensearch.Document;
import io.podflow.processor.sink.opensearch.FlowDocuments;
import io.podflow.processor.sink.opensearch.IndexTemplates;
import io.podflow.processor.sink.opensearch.OpenSearchEndpoint;
import io.podflow.processor.verdict.FlowJudge;
import io.podflow.processor.verdict.ReporterMerge;
import io.podflow.schema.ConnectionKey;
import io.podflow.schema.flow.v1.DirectionCounters;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.flow.v1.ObservationPoint;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.schema.flow.v1.Tcp;
import io.podflow.schema.flow.v1.TcpState;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.LocalStack;
import io.podflow.stack.OpenSearchNode;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The flow processor's figures on the local stack, side by side in one run (the machine is shared:
 * ratios, and CPU time rather than wall time where it is about cost):
 *
 * <ol>
 *   <li>a trivial Kafka to decode to discard job (the reference) and the podflow job without its
 *       OpenSearch sink (merge, judge, violations, documents built), both bounded, on one core
 *       (parallelism 1), in records per CPU-second of the process;
 *   <li>the podflow job with its sink, against a plain {@code _bulk} load of the same documents
 *       (1,000 per request, one thread), in documents per second;
 *   <li>bytes per flow document on disk after a force-merge;
 *   <li>latency from a record's append to Kafka to its document being searchable, with the job
 *       running and records arriving at a steady pace.
 * </ol>
 *
 * Usage: {@code java -cp benchmarks.jar io.podflow.bench.ProcessorThroughput [CONNECTIONS
 * [--cost-only]]} ({@code --cost-only}: the first figure alone, for profiling).
 */
public final class ProcessorThroughput {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CLUSTER = "bench";
  private static final long T0 = (System.currentTimeMillis() / 60_000 - 30) * 60_000 * 1_000_000L;

  private ProcessorThroughput() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    int connections = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    boolean costOnly = args.length > 1 && args[1].equals("--cost-only");
    List<FlowRecord> records = records(connections);
    // The local stack: its servers run as they do in tests (OpenSearch as an unprivileged user).
    try (LocalStack stack = LocalStack.start(LocalStack.Options.defaults())) {
      KafkaBroker kafka = stack.kafka();
      OpenSearchNode openSearch = stack.openSearch();
      kafka.createTopics(
          List.of(
              new NewTopic("flows", 3, (short) 1),
              new NewTopic("policies", 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
              new NewTopic("latency", 3, (short) 1),
              new NewTopic("latency-policies", 1, (short) 1)
                  .configs(Map.of("cleanup.policy", "compact"))));
      produce(kafka, "flows", records);
      produce(kafka, "policies", List.of());
      publishPolicy(kafka, "policies");
      System.out.printf(
          "%,d records (%,d connections: two in three seen by both agents), %.0f bytes each%n",
          records.size(),
          connections,
          records.stream().mapToLong(FlowRecord::getSerializedSize).average().orElse(0));

      ProcessorConfig config = config(kafka, openSearch, "flows", "policies", true);

      // 1. Cost per record without the sink, against the trivial job.
      // Each job runs twice and the second run counts: the first pays for the JIT and start-up.
      trivialJob(kafka);
      double trivial = perCpuSecond(records.size(), () -> trivialJob(kafka));
      podflowWithoutSink(config);
      double podflow = perCpuSecond(records.size(), () -> podflowWithoutSink(config));
      System.out.printf(
          "trivial Kafka->decode->discard job: %,.0f records per CPU-second%n"
              + "podflow job without its sink (merge, judge, violations, documents):"
              + " %,.0f records per CPU-second (%.2fx the trivial job)%n",
          trivial, podflow, podflow / trivial);
      if (costOnly) {
        return;
      }

      // 2. The sink against a plain _bulk load of the same documents.
      List<Document> documents = documents(records);
      IndexTemplates.install(new OpenSearchEndpoint(openSearch.httpUri()).openClient());
      long t0 = System.nanoTime();
      // Named so the flow template gives it the same mapping; deleted before the job writes.
      plainBulk(openSearch.httpUri(), documents, "podflow-flows-bench-plain");
      double plainPerSecond = documents.size() / ((System.nanoTime() - t0) / 1e9);
      deleteIndex(openSearch.httpUri(), "podflow-flows-bench-plain");
      long t1 = System.nanoTime();
      run(config, true);
      awaitCount(openSearch.httpUri(), documents.size(), Duration.ofMinutes(5));
      double jobPerSecond = documents.size() / ((System.nanoTime() - t1) / 1e9);
      System.out.printf(
          "plain _bulk load of the %,d documents: %,.0f documents/s%n"
              + "podflow job with its OpenSearch sink (from Kafka): %,.0f documents/s"
              + " (%.2fx the plain load)%n",
          documents.size(), plainPerSecond, jobPerSecond, jobPerSecond / plainPerSecond);

      // 3. Bytes per document on disk.
      System.out.printf(
          "flow documents on disk after a force-merge: %s%n",
          IndexFootprint.of(openSearch.httpUri(), "podflow-flows-*"));

      // 4. Append-to-searchable latency, the job running.
      publishPolicy(kafka, "latency-policies");
      latency(kafka, openSearch, config(kafka, openSearch, "latency", "latency-policies", false));
    }
  }

  private static ProcessorConfig config(
      KafkaBroker kafka, OpenSearchNode node, String flows, String policies, boolean bounded) {
    return ProcessorConfig.parse(
        new String[] {
          "--bootstrap-servers=" + kafka.bootstrapServers(),
          "--opensearch=" + node.httpUri(),
          "--flows-topic=" + flows,
          "--policies-topic=" + policies,
          "--dead-letter-topic=" + flows + ".dead",
          "--alerts-topic=" + flows + ".alerts",
          "--group-id=" + flows + System.nanoTime(),
          "--hold=1",
          "--bounded=" + bounded
        },
        Map.of());
  }

  private interface Run {
    void run() throws Exception;
  }

  private static double perCpuSecond(int records, Run run) throws Exception {
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    run.run();
    return records / ((os.getProcessCpuTime() - cpu0) / 1e9);
  }

  private static void trivialJob(KafkaBroker kafka) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    env.fromSource(
            KafkaSource.<byte[]>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setTopics("flows")
                .setGroupId("trivial" + System.nanoTime())
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setDeserializer(
                    KafkaRecordDeserializationSchema.valueOnly(ByteArrayDeserializer.class))
                .build(),
            WatermarkStrategy.noWatermarks(),
            "flows")
        .map(b -> FlowRecord.parseFrom(b).getProtocol(), Types.INT)
        .sinkTo(new DiscardingSink<>());
    env.execute("trivial");
  }

  private static void podflowWithoutSink(ProcessorConfig config) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    FlowProcessorJob.Pipeline p = FlowProcessorJob.pipeline(env, config);
    p.documents().sinkTo(new DiscardingSink<>());
    p.alerts().sinkTo(new DiscardingSink<>());
    p.deadLetters().sinkTo(new DiscardingSink<>());
    env.execute("podflow without sink");
  }

  private static void run(ProcessorConfig config, boolean wait) throws Exception {
    // Checkpoints on disk, as on a cluster: the merge's pending records outgrow the 5 MB that
    // the JobManager's memory storage allows.
    org.apache.flink.configuration.Configuration settings =
        new org.apache.flink.configuration.Configuration();
    settings.set(
        org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        java.nio.file.Files.createTempDirectory("podflow-bench-checkpoints").toUri().toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(settings);
    env.setParallelism(1);
    FlowProcessorJob.configure(env, config);
    FlowProcessorJob.build(env, config);
    if (wait) {
      env.execute("podflow");
    } else {
      env.executeAsync("podflow");
    }
  }

  /** Connections between the pods of 50 workloads; two in three seen by both agents. */
  static List<FlowRecord> records(int connections) {
    SplittableRandom random = new SplittableRandom(3);
    List<FlowRecord> out = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      int from = random.nextInt(1_000);
      int to = random.nextInt(1_000);
      long start = T0 + i * 1_000_000L; // a connection per millisecond of event time
      FlowRecord r =
          FlowRecord.newBuilder()
              .setSchemaVersion(1)
              .setCluster(CLUSTER)
              .setProtocol(6)
              .setIpVersion(4)
              .setTimeStartNs(start)
              .setTimeEndNs(start + 400_000_000L)
              .setFlowStartNs(start)
              .setSource(pod(from, 30_000 + i % 30_000))
              .setDestination(pod(to, 8080))
              .setSourceToDestination(
                  DirectionCounters.newBuilder().setPackets(6).setBytes(900).setTcpFlags(0x1b))
              .setDestinationToSource(
                  DirectionCounters.newBuilder().setPackets(5).setBytes(4_000).setTcpFlags(0x1b))
              .setTcp(Tcp.newBuilder().setState(TcpState.TCP_STATE_CLOSED_FIN))
              .build();
      out.add(observed(r, Reporter.REPORTER_SOURCE, from));
      if (i % 3 != 0) {
        out.add(observed(r, Reporter.REPORTER_DESTINATION, to));
      }
    }
    return out;
  }

  private static FlowRecord observed(FlowRecord r, Reporter reporter, int pod) {
    return r.toBuilder()
        .setObserver(
            ObservationPoint.newBuilder()
                .setNode("node-" + pod % 20)
                .setAgent("podflow-agent-" + pod % 20)
                .setInterface("cali" + Integer.toHexString(0x5a0000 + pod))
                .setReporter(reporter))
        .build();
  }

  private static Endpoint pod(int i, int port) {
    int workload = i % 50;
    return Endpoint.newBuilder()
        .setIp(ByteString.copyFrom(new byte[] {10, 1, (byte) (i / 250), (byte) (i % 250 + 1)}))
        .setPort(port)
        .setKubernetes(
            KubernetesIdentity.newBuilder()
                .setKind(EndpointKind.ENDPOINT_KIND_POD)
                .setNamespace("ns-" + workload % 10)
                .setPodName("app-" + workload + "-7d9f8b6c5-" + Integer.toString(i, 36))
                .setWorkloadKind("Deployment")
                .setWorkloadName("app-" + workload)
                .setServiceAccount("app-" + workload)
                .setNode("node-" + i % 20)
                .putLabels("app", "app-" + workload)
                .putLabels("team", "team-" + workload % 7)
                .putLabels("version", "v" + workload % 3)
                .putLabels("pod-template-hash", "7d9f8b6c5"))
        .build();
  }

  /** The documents the job writes for these records (to load them plainly). */
  static List<Document> documents(List<FlowRecord> records) {
    var policies = new PublishedPolicies(CLUSTER);
    policies.apply(
        CLUSTER + "/ns-1/deny-from-other-teams", POLICY.getBytes(StandardCharsets.UTF_8));
    FlowDocuments docs = new FlowDocuments();
    List<Document> out = new ArrayList<>();
    Map<Long, FlowRecord> waiting = new java.util.HashMap<>();
    for (FlowRecord r : records) {
      long key = ConnectionKey.hash(r);
      FlowRecord other = waiting.remove(key);
      if (other != null) {
        out.add(docs.of(FlowJudge.judge(ReporterMerge.merge(other, r), policies.policySet())));
      } else {
        waiting.put(key, r);
      }
    }
    waiting.values().forEach(r -> out.add(docs.of(FlowJudge.judge(r, policies.policySet()))));
    return out;
  }

  private static final String POLICY =
      """
      {"kind":"NetworkPolicy","metadata":{"namespace":"ns-1","name":"deny-from-other-teams"},
       "spec":{"podSelector":{},"ingress":[{"from":[{"podSelector":{"matchLabels":{"team":"team-1"}}}]}]}}
      """;

  private static void publishPolicy(KafkaBroker kafka, String topic) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      producer
          .send(
              new ProducerRecord<>(
                  topic,
                  (CLUSTER + "/ns-1/deny-from-other-teams").getBytes(StandardCharsets.UTF_8),
                  POLICY.getBytes(StandardCharsets.UTF_8)))
          .get();
    }
  }

  private static void produce(KafkaBroker kafka, String topic, List<FlowRecord> records)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      for (FlowRecord r : records) {
        producer.send(new ProducerRecord<>(topic, ConnectionKey.of(r), r.toByteArray()));
      }
      producer.flush();
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(KafkaBroker kafka) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  static void plainBulk(URI base, List<Document> documents, String index) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (int from = 0; from < documents.size(); from += 1_000) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      for (Document d : documents.subList(from, Math.min(documents.size(), from + 1_000))) {
        body.writeBytes(
            ("{\"index\":{\"_index\":\"" + index + "\",\"_id\":\"" + d.id + "\"}}\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(d.json);
        body.write('\n');
      }
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(base.resolve("/_bulk"))
                  .header("Content-Type", "application/x-ndjson")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200 || JSON.readTree(r.body()).path("errors").asBoolean()) {
        throw new IllegalStateException("bulk failed: " + r.body().substring(0, 500));
      }
    }
  }

  private static void deleteIndex(URI base, String index) throws Exception {
    HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(base.resolve("/" + index)).DELETE().build(),
            HttpResponse.BodyHandlers.discarding());
  }

  private static long count(URI base) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    http.send(
        HttpRequest.newBuilder(base.resolve("/podflow-flows/_refresh"))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.discarding());
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve("/podflow-flows/_count")).build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? JSON.readTree(r.body()).path("count").asLong() : 0;
  }

  private static void awaitCount(URI base, long n, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count(base) < n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + count(base) + " of " + n + " documents");
      }
      Thread.sleep(100);
    }
  }

  /**
   * Connections seen by both agents, 200 per second for 30 s, the job running: for each, the time
   * from the second record's acknowledgement by Kafka to its merged document being found.
   */
  private static void latency(KafkaBroker kafka, OpenSearchNode node, ProcessorConfig config)
      throws Exception {
    run(config, false);
    Thread.sleep(5_000); // the job is up and has read the policies
    HttpClient http = HttpClient.newHttpClient();
    Map<String, Long> sent = new java.util.concurrent.ConcurrentHashMap<>();
    List<Long> latencies = new java.util.concurrent.CopyOnWriteArrayList<>();
    FlowDocuments docs = new FlowDocuments();
    Thread poller =
        new Thread(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  List<String> ids = new ArrayList<>(sent.keySet());
                  if (!ids.isEmpty()) {
                    String query =
                        "{\"size\":1000,\"_source\":false,\"query\":{\"ids\":{\"values\":"
                            + JSON.writeValueAsString(ids.subList(0, Math.min(1000, ids.size())))
                            + "}}}";
                    JsonNode hits =
                        JSON.readTree(
                            http.send(
                                    HttpRequest.newBuilder(
                                            node.httpUri().resolve("/podflow-flows/_search"))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(query))
                                        .build(),
                                    HttpResponse.BodyHandlers.ofString())
                                .body());
                    long now = System.nanoTime();
                    for (JsonNode h : hits.at("/hits/hits")) {
                      Long at = sent.remove(h.get("_id").asText());
                      if (at != null) {
                        latencies.add(now - at);
                      }
                    }
                  }
                  Thread.sleep(50);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    poller.start();
    List<FlowRecord> records = records(6_000);
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      long next = System.nanoTime();
      FlowRecord previous = null;
      for (FlowRecord r : records) {
        boolean second =
            previous != null
                && ConnectionKey.hash(previous) == ConnectionKey.hash(r)
                && r.getObserver().getReporter() == Reporter.REPORTER_DESTINATION;
        FlowRecord now =
            r.toBuilder()
                .setTimeStartNs(System.currentTimeMillis() * 1_000_000L)
                .setTimeEndNs(System.currentTimeMillis() * 1_000_000L)
                .build();
        if (second) {
          now =
              now.toBuilder()
                  .setTimeStartNs(previous.getTimeStartNs())
                  .setTimeEndNs(previous.getTimeEndNs())
                  .build();
        }
        FlowRecord sentRecord = now;
        FlowRecord first = previous;
        producer.send(
            new ProducerRecord<>("latency", ConnectionKey.of(now), now.toByteArray()),
            (m, e) -> {
              if (second && e == null) {
                sent.put(docs.of(ReporterMerge.merge(first, sentRecord)).id, System.nanoTime());
              }
            });
        previous = now;
        next += 2_500_000L; // 400 records/s
        long wait = next - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
        }
      }
      producer.flush();
    }
    Thread.sleep(10_000);
    poller.interrupt();
    List<Long> sorted = new ArrayList<>(latencies);
    sorted.sort(null);
    if (sorted.isEmpty()) {
      System.out.println("latency: no merged document found");
      return;
    }
    System.out.printf(
        "append-to-searchable latency over %,d merged connections: p50 %.0f ms, p99 %.0f ms,"
            + " max %.0f ms (%,d not found within 10 s after the last)%n",
        sorted.size(),
        sorted.get(sorted.size() / 2) / 1e6,
        sorted.get((int) (sorted.size() * 0.99)) / 1e6,
        sorted.get(sorted.size() - 1) / 1e6,
        sent.size());
  }
}
