package io.podflow.processor.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.podflow.processor.sink.kafka.DeadLetterSink;
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
import io.podflow.stack.OpenSearchNode;
import io.podflow.stack.TopicReader;
import io.podflow.stack.junit.LocalStackExtension;
import java.net.InetAddress;
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
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job on a MiniCluster against the real local Kafka and OpenSearch: policies from the compacted
 * topic, records merged and judged, documents in OpenSearch, poison in the dead letters.
 */
@ExtendWith(LocalStackExtension.class)
class FlowProcessorJobIT {
  @RegisterExtension static final MiniClusterExtension FLINK = new MiniClusterExtension();

  private static final ObjectMapper JSON = new ObjectMapper();
  // An hour ago, to the minute: inside the indices' retention, and the same all run long.
  private static final long T0 = (System.currentTimeMillis() / 60_000 - 60) * 60_000 * 1_000_000L;
  private static final long SECOND = 1_000_000_000L;

  @Test
  void recordsAreMergedJudgedAgainstThePublishedPoliciesAndIndexed(
      KafkaBroker kafka, OpenSearchNode openSearch) throws Exception {
    String run = "t" + System.nanoTime();
    ProcessorConfig config = config(kafka, openSearch, run);
    createTopics(kafka, config, 3);
    String cluster = run;
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      policy(producer, config, cluster + "//shop", namespace("shop"));
      policy(producer, config, cluster + "/shop/allow-nginx", ALLOW_NGINX);
      // Allowed: frontend to nginx, seen by both agents (one merged document).
      FlowRecord frontendOut = record(cluster, "10.1.0.5", "frontend", "10.1.0.9", "nginx", 80);
      flow(producer, config, reported(frontendOut, Reporter.REPORTER_SOURCE, "node-a", 0));
      flow(producer, config, reported(frontendOut, Reporter.REPORTER_DESTINATION, "node-b", 0));
      // Denied on ingress, and it went through: the plugin does not enforce the policy.
      FlowRecord otherOut = record(cluster, "10.1.0.7", "other", "10.1.0.9", "nginx", 80);
      flow(producer, config, reported(otherOut, Reporter.REPORTER_SOURCE, "node-a", SECOND));
      flow(producer, config, reported(otherOut, Reporter.REPORTER_DESTINATION, "node-b", SECOND));
      // To the world, seen at the source only: indexed alone once event time has moved on.
      FlowRecord world = record(cluster, "10.1.0.5", "frontend", "93.184.216.34", null, 443);
      flow(producer, config, reported(world, Reporter.REPORTER_SOURCE, "node-a", 2 * SECOND));
      // Through a Service: the client's record to its cluster IP, the backend's record of the
      // translated connection; joined, egress is judged against the backend pod and its named
      // port (shopper may reach app=nginx on "http" only), ingress too (allow-nginx denies).
      policy(producer, config, cluster + "/shop/shopper-egress", SHOPPER_EGRESS);
      FlowRecord toService =
          withService(record(cluster, "10.1.0.12", "shopper", "10.96.0.10", null, 80), false);
      flow(producer, config, reported(toService, Reporter.REPORTER_SOURCE, "node-a", 3 * SECOND));
      FlowRecord atBackend =
          withService(record(cluster, "10.1.0.12", "shopper", "10.1.0.11", "nginx", 8080), true);
      flow(
          producer,
          config,
          reported(atBackend, Reporter.REPORTER_DESTINATION, "node-c", 3 * SECOND));
      // Poison: not protobuf, and a schema version this job does not know.
      producer.send(new ProducerRecord<>(config.flowsTopic(), new byte[] {0x0f, 0x01})).get();
      flow(producer, config, frontendOut.toBuilder().setSchemaVersion(7).build());
      // Event time moves on (a later, unattributed record), so the lone record's wait ends.
      FlowRecord later = record(cluster, "10.1.0.6", "batch", "10.1.0.8", null, 53);
      flow(
          producer, config, reported(later, Reporter.REPORTER_UNSPECIFIED, "node-a", 120 * SECOND));
    }

    JobClient job = start(config, "flow processor test");
    List<JsonNode> docs;
    try {
      docs = awaitDocuments(openSearch, cluster, 5, Duration.ofSeconds(90));
      assertThat(docs).as("the first documents").hasSize(5);
      // A policy change mid-stream: allow-nginx deleted; the next connection is not judged by it.
      try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
        policy(producer, config, cluster + "/shop/allow-nginx", null);
        Thread.sleep(1_000);
        FlowRecord again = record(cluster, "10.1.0.7", "other", "10.1.0.9", "nginx", 81);
        flow(
            producer,
            config,
            reported(again, Reporter.REPORTER_DESTINATION, "node-b", 130 * SECOND));
        FlowRecord clock = record(cluster, "10.1.0.6", "batch", "10.1.0.8", null, 54);
        flow(
            producer,
            config,
            reported(clock, Reporter.REPORTER_UNSPECIFIED, "node-a", 300 * SECOND));
      }
      docs = awaitDocuments(openSearch, cluster, 7, Duration.ofSeconds(60));
    } finally {
      job.cancel().get();
    }

    JsonNode allowed = only(docs, "frontend", "nginx");
    assertThat(allowed.at("/observer/reporter").asText()).isEqualTo("both");
    assertThat(allowed.at("/policy/verdict").asText()).isEqualTo("allowed");
    assertThat(allowed.at("/policy/ingress/allowed_by/name").asText()).isEqualTo("allow-nginx");
    assertThat(allowed.at("/destination_observation/observer/hostname").asText())
        .isEqualTo("node-b");

    JsonNode denied = only(docs, "other", "nginx", 80);
    assertThat(denied.at("/observer/reporter").asText()).isEqualTo("both");
    assertThat(denied.at("/policy/verdict").asText()).isEqualTo("denied");
    assertThat(denied.at("/policy/violation").asBoolean()).isTrue();
    assertThat(denied.at("/policy/enforcement").asText()).isEqualTo("established");
    assertThat(denied.at("/policy/explanation").asText()).contains("shop/allow-nginx");

    JsonNode afterChange = only(docs, "other", "nginx", 81);
    assertThat(afterChange.at("/policy/verdict").asText()).isEqualTo("not_selected");
    assertThat(afterChange.at("/policy/revision").asText())
        .isNotEqualTo(denied.at("/policy/revision").asText());

    JsonNode viaService = only(docs, "shopper", "nginx");
    assertThat(viaService.at("/observer/reporter").asText()).isEqualTo("both");
    assertThat(viaService.at("/destination/ip").asText()).isEqualTo("10.96.0.10");
    assertThat(viaService.at("/destination/nat/ip").asText())
        .as(viaService.toString())
        .isEqualTo("10.1.0.11");
    assertThat(viaService.at("/destination/nat/port").asInt()).isEqualTo(8080);
    assertThat(viaService.at("/destination/kubernetes/service/name").asText())
        .isEqualTo("my-service");
    assertThat(viaService.at("/policy/egress/allowed_by/name").asText())
        .isEqualTo("shopper-egress");
    assertThat(viaService.at("/policy/ingress/action").asText()).isEqualTo("denied");

    JsonNode toWorld = only(docs, "frontend", "");
    assertThat(toWorld.at("/observer/reporter").asText()).isEqualTo("source");
    assertThat(toWorld.at("/policy/verdict").asText()).isEqualTo("not_selected");

    // Counters and secondary times are doc values only (not indexed: fewer bytes on disk), and
    // filters on them still find the documents.
    HttpClient http = HttpClient.newHttpClient();
    assertThat(
            count(
                http,
                openSearch.httpUri(),
                cluster,
                "{\"range\":{\"network.bytes\":{\"gte\":1300,\"lte\":1300}}}"))
        .isEqualTo(docs.size());
    assertThat(
            count(
                http,
                openSearch.httpUri(),
                cluster,
                "{\"range\":{\"event.start\":{\"lte\":\"now\"}}}"))
        .isEqualTo(docs.size());
    assertThat(
            count(
                http,
                openSearch.httpUri(),
                cluster,
                "{\"range\":{\"network.bytes\":{\"gt\":1300}}}"))
        .isZero();

    List<ConsumerRecord<byte[], byte[]>> dead =
        TopicReader.all(kafka.bootstrapServers(), config.deadLetterTopic());
    assertThat(dead)
        .extracting(r -> reason(r))
        .anySatisfy(reason -> assertThat(reason).startsWith("not a podflow.flow.v1.FlowRecord"))
        .anySatisfy(reason -> assertThat(reason).startsWith("unknown schema version 7"));
  }

  @Test
  void aRecordWaitsForItsPartnerWhileEveryFlowPartitionIsIdle(
      KafkaBroker kafka, OpenSearchNode openSearch) throws Exception {
    String run = "idle" + System.nanoTime();
    ProcessorConfig config = config(kafka, openSearch, run);
    createTopics(kafka, config, 2);
    JobClient job = start(config, "idle partitions");
    List<JsonNode> docs;
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      policy(producer, config, run + "//shop", namespace("shop"));
      FlowRecord r = record(run, "10.1.0.5", "frontend", "10.1.0.9", "nginx", 80);
      flow(producer, config, reported(r, Reporter.REPORTER_SOURCE, "node-a", 0));
      // Every flow partition goes idle (idleness 1 s) while the source's record waits; the
      // policies' stream must not then stand in for event time and end the wait.
      Thread.sleep(5_000);
      flow(producer, config, reported(r, Reporter.REPORTER_DESTINATION, "node-b", 0));
      docs = awaitDocuments(openSearch, run, 1, Duration.ofSeconds(90));
      Thread.sleep(2_000); // a second document, were the records indexed alone, would be in now
      docs = documents(HttpClient.newHttpClient(), openSearch.httpUri(), run);
    } finally {
      job.cancel().get();
    }
    assertThat(docs).hasSize(1);
    assertThat(docs.get(0).at("/observer/reporter").asText()).isEqualTo("both");
  }

  static final String ALLOW_NGINX =
      """
      {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy",
       "metadata":{"namespace":"shop","name":"allow-nginx"},
       "spec":{"podSelector":{"matchLabels":{"app":"nginx"}},
               "ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"frontend"}}}]}]}}
      """;

  static final String SHOPPER_EGRESS =
      """
      {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy",
       "metadata":{"namespace":"shop","name":"shopper-egress"},
       "spec":{"podSelector":{"matchLabels":{"app":"shopper"}},"policyTypes":["Egress"],
               "egress":[{"to":[{"podSelector":{"matchLabels":{"app":"nginx"}}}],
                          "ports":[{"port":"http"}]}]}}
      """;

  /**
   * The record as it names Service my-service: its cluster IP (the client's view) or a backend pod
   * on the port the Service sends to, which the pod names "http" (the backend's view).
   */
  private static FlowRecord withService(FlowRecord r, boolean backend) {
    FlowRecord.Builder b = r.toBuilder();
    if (backend) {
      b.getDestinationBuilder()
          .setPortName("http")
          .getKubernetesBuilder()
          .setServiceName("my-service")
          .setServicePortName("http");
    } else {
      b.getDestinationBuilder()
          .setKubernetes(
              KubernetesIdentity.newBuilder()
                  .setKind(EndpointKind.ENDPOINT_KIND_SERVICE)
                  .setNamespace("shop")
                  .setServiceName("my-service")
                  .setServicePortName("http"));
    }
    b.getSourceBuilder().setPort(41_000);
    return b.build();
  }

  private static String namespace(String name) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\""
        + name
        + "\",\"labels\":{\"team\":\"web\"}}}";
  }

  /** A connection between two pods of namespace shop (or to an address that is no pod). */
  static FlowRecord record(
      String cluster, String from, String fromApp, String to, String toApp, int port)
      throws Exception {
    return FlowRecord.newBuilder()
        .setSchemaVersion(1)
        .setCluster(cluster)
        .setProtocol(6)
        .setIpVersion(4)
        .setSource(endpoint(from, fromApp, 40_000))
        .setDestination(endpoint(to, toApp, port))
        .setSourceToDestination(DirectionCounters.newBuilder().setPackets(5).setBytes(400))
        .setDestinationToSource(DirectionCounters.newBuilder().setPackets(4).setBytes(900))
        .setTcp(Tcp.newBuilder().setState(TcpState.TCP_STATE_ESTABLISHED))
        .build();
  }

  static FlowRecord reported(FlowRecord r, Reporter reporter, String node, long offset) {
    return r.toBuilder()
        .setObserver(
            ObservationPoint.newBuilder()
                .setNode(node)
                .setAgent("agent-" + node)
                .setInterface("veth-" + node)
                .setReporter(reporter))
        .setTimeStartNs(T0 + offset)
        .setTimeEndNs(T0 + offset + SECOND / 2)
        .setFlowStartNs(T0 + offset)
        .build();
  }

  private static Endpoint endpoint(String ip, String app, int port) throws Exception {
    Endpoint.Builder e =
        Endpoint.newBuilder()
            .setIp(ByteString.copyFrom(InetAddress.getByName(ip).getAddress()))
            .setPort(port);
    if (app != null) {
      e.setKubernetes(
          KubernetesIdentity.newBuilder()
              .setKind(EndpointKind.ENDPOINT_KIND_POD)
              .setNamespace("shop")
              .setPodName(app + "-0")
              .putLabels("app", app));
    } else {
      e.setKubernetes(KubernetesIdentity.newBuilder().setKind(EndpointKind.ENDPOINT_KIND_EXTERNAL));
    }
    return e.build();
  }

  /** The job's configuration for one test run: topics of its own, short timings. */
  static ProcessorConfig config(
      KafkaBroker kafka, OpenSearchNode openSearch, String run, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--bootstrap-servers=" + kafka.bootstrapServers(),
                "--opensearch=" + openSearch.httpUri(),
                "--flows-topic=" + run + ".flows",
                "--policies-topic=" + run + ".policies",
                "--dead-letter-topic=" + run + ".dead",
                "--alerts-topic=" + run + ".alerts",
                "--checkpoint-interval=1",
                "--hold=2",
                "--idleness=1"));
    args.addAll(List.of(more));
    return ProcessorConfig.parse(args.toArray(String[]::new), Map.of());
  }

  /** The run's flow topic, its compacted policy topic and its dead-letter topic. */
  static void createTopics(KafkaBroker kafka, ProcessorConfig config, int flowPartitions) {
    kafka.createTopics(
        List.of(
            new NewTopic(config.flowsTopic(), flowPartitions, (short) 1),
            new NewTopic(config.policiesTopic(), 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact")),
            new NewTopic(config.deadLetterTopic(), 1, (short) 1)));
  }

  /** The job on a MiniCluster, parallelism 1, running in the background. */
  static JobClient start(ProcessorConfig config, String name) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    FlowProcessorJob.configure(env, config);
    FlowProcessorJob.build(env, config);
    return env.executeAsync(name);
  }

  static KafkaProducer<byte[], byte[]> producer(KafkaBroker kafka) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  static void flow(KafkaProducer<byte[], byte[]> producer, ProcessorConfig c, FlowRecord r)
      throws Exception {
    producer.send(new ProducerRecord<>(c.flowsTopic(), ConnectionKey.of(r), r.toByteArray())).get();
  }

  static void policy(
      KafkaProducer<byte[], byte[]> producer, ProcessorConfig c, String key, String json)
      throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                c.policiesTopic(),
                key.getBytes(StandardCharsets.UTF_8),
                json == null ? null : json.getBytes(StandardCharsets.UTF_8)))
        .get();
  }

  /** The cluster's flow documents, once there are at least {@code count}. */
  static List<JsonNode> awaitDocuments(
      OpenSearchNode node, String cluster, int count, Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    List<JsonNode> docs = List.of();
    while (System.nanoTime() < deadline) {
      docs = documents(http, node.httpUri(), cluster);
      if (docs.size() >= count) {
        return docs;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        "expected " + count + " documents of " + cluster + " in time, found " + docs);
  }

  static List<JsonNode> documents(HttpClient http, URI base, String cluster) throws Exception {
    http.send(
        HttpRequest.newBuilder(base.resolve("/podflow-flows/_refresh"))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.discarding());
    String query =
        "{\"size\":10000,\"query\":{\"term\":{\"orchestrator.cluster.name\":\"" + cluster + "\"}}}";
    HttpResponse<String> response = postJson(http, base.resolve("/podflow-flows/_search"), query);
    List<JsonNode> out = new ArrayList<>();
    if (response.statusCode() == 200) {
      JSON.readTree(response.body()).at("/hits/hits").forEach(h -> out.add(h.get("_source")));
    }
    return out;
  }

  /** How many of the cluster's flow documents also match {@code filter}. */
  private static long count(HttpClient http, URI base, String cluster, String filter)
      throws Exception {
    String query =
        "{\"query\":{\"bool\":{\"filter\":[{\"term\":{\"orchestrator.cluster.name\":\""
            + cluster
            + "\"}},"
            + filter
            + "]}}}";
    HttpResponse<String> response = postJson(http, base.resolve("/podflow-flows/_count"), query);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).path("count").asLong();
  }

  private static HttpResponse<String> postJson(HttpClient http, URI uri, String json)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The one document from the pod of app {@code from} to the pod of app {@code to}. */
  private static JsonNode only(List<JsonNode> docs, String from, String to) {
    return only(docs, from, to, -1);
  }

  private static JsonNode only(List<JsonNode> docs, String from, String to, int port) {
    List<JsonNode> matching =
        docs.stream()
            .filter(d -> d.at("/source/kubernetes/labels/app").asText().equals(from))
            .filter(d -> d.at("/destination/kubernetes/labels/app").asText().equals(to))
            .filter(d -> port < 0 || d.at("/destination/port").asInt() == port)
            .toList();
    assertThat(matching).as("documents from %s to %s in %s", from, to, docs).hasSize(1);
    return matching.get(0);
  }

  private static String reason(ConsumerRecord<byte[], byte[]> r) {
    var header = r.headers().lastHeader(DeadLetterSink.REASON_HEADER);
    return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
  }
}
