package io.podflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.podflow.processor.job.FlowDocumentStream;
import io.podflow.processor.job.FlowTopics;
import io.podflow.processor.sink.opensearch.IndexTemplates;
import io.podflow.processor.sink.opensearch.OpenSearchEndpoint;
import io.podflow.schema.PodflowIndex;
import io.podflow.schema.flow.v1.DirectionCounters;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.stack.LocalStack;
import io.podflow.stack.junit.LocalStackExtension;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

/**
 * The foundation's proof that the real parts fit: a protobuf flow record produced to Kafka is read
 * by a Flink job on a MiniCluster, turned into its JSON form, indexed into OpenSearch through
 * podflow's index template, and found again with a CIDR query.
 */
@ExtendWith(LocalStackExtension.class)
class StackFlowPathIT {
  @RegisterExtension static final MiniClusterExtension FLINK = new MiniClusterExtension();

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void protobufRecordFromKafkaIsFoundInOpenSearchByCidr(LocalStack stack) throws Exception {
    stack.kafka().createTopics(List.of(new NewTopic(FlowTopics.FLOWS, 2, (short) 1)));
    FlowRecord record = record("web", new byte[] {10, 42, 7, 19}, new byte[] {10, 42, 9, 3});
    produce(stack, record);

    List<String> documents = readWithFlink(stack.kafka().bootstrapServers());

    assertThat(documents).hasSize(1);
    OpenSearchClient client = new OpenSearchEndpoint(stack.openSearch().httpUri()).openClient();
    IndexTemplates.install(client);
    String index = PodflowIndex.FLOWS.indexFor(Instant.ofEpochSecond(0, record.getTimeEndNs()));
    request(client, "PUT", "/" + index + "/_doc/stack-check?refresh=wait_for", documents.get(0));

    JsonNode inCidr = search(client, "source.ip", "10.42.0.0/16");
    JsonNode outsideCidr = search(client, "source.ip", "10.43.0.0/16");

    assertThat(inCidr.at("/hits/total/value").asInt()).isEqualTo(1);
    JsonNode hit = inCidr.at("/hits/hits/0/_source");
    assertThat(hit.at("/source/ip").asText()).isEqualTo("10.42.7.19");
    assertThat(hit.at("/destination/port").asInt()).isEqualTo(8080);
    assertThat(hit.at("/source/kubernetes/labels/app").asText()).isEqualTo("web");
    assertThat(inCidr.at("/hits/hits/0/_index").asText()).isEqualTo(index);
    assertThat(outsideCidr.at("/hits/total/value").asInt()).isZero();
    assertThat(
            search(client, "source.kubernetes.labels.app", "web").at("/hits/total/value").asInt())
        .isEqualTo(1);
    assertThat(search(client, "source.kubernetes.labels.app", "db").at("/hits/total/value").asInt())
        .isZero();
    JsonNode mapping = MAPPER.readTree(request(client, "GET", "/" + index + "/_mapping", null));
    assertThat(mapping.at("/" + index + "/mappings/properties/source/properties/ip/type").asText())
        .isEqualTo("ip");
  }

  private static FlowRecord record(String app, byte[] source, byte[] destination) {
    long end = Instant.parse("2026-11-26T10:00:00Z").toEpochMilli() * 1_000_000L;
    return FlowRecord.newBuilder()
        .setSchemaVersion(1)
        .setCluster("e2e")
        .setTimeStartNs(end - 1_500_000_000L)
        .setTimeEndNs(end)
        .setProtocol(6)
        .setIpVersion(4)
        .setSource(
            Endpoint.newBuilder()
                .setIp(ByteString.copyFrom(source))
                .setPort(40000)
                .setKubernetes(KubernetesIdentity.newBuilder().putLabels("app", app)))
        .setDestination(Endpoint.newBuilder().setIp(ByteString.copyFrom(destination)).setPort(8080))
        .setSourceToDestination(DirectionCounters.newBuilder().setPackets(3).setBytes(180))
        .setDestinationToSource(DirectionCounters.newBuilder().setPackets(2).setBytes(120))
        .build();
  }

  private static void produce(LocalStack stack, FlowRecord record) throws Exception {
    Properties config = new Properties();
    config.putAll(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers(),
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
      producer
          .send(new ProducerRecord<>(FlowTopics.FLOWS, null, record.toByteArray()))
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static List<String> readWithFlink(String bootstrap) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    List<String> out = new ArrayList<>();
    try (CloseableIterator<String> documents =
        FlowDocumentStream.fromKafka(env, bootstrap, "stack-check", true)
            .executeAndCollect("stack-check")) {
      documents.forEachRemaining(out::add);
    }
    return out;
  }

  private static JsonNode search(OpenSearchClient client, String field, String cidr)
      throws IOException {
    String query = "{\"query\":{\"term\":{\"" + field + "\":\"" + cidr + "\"}}}";
    return MAPPER.readTree(
        request(client, "POST", "/" + PodflowIndex.FLOWS.alias() + "/_search", query));
  }

  private static String request(
      OpenSearchClient client, String method, String endpoint, String json) throws IOException {
    var builder = Requests.builder().method(method).endpoint(endpoint);
    if (json != null) {
      builder.json(json);
    }
    try (Response response = client.generic().execute(builder.build())) {
      String body = response.getBody().map(Body::bodyAsString).orElse("");
      assertThat(response.getStatus())
          .as(method + " " + endpoint + ": " + body)
          .isBetween(200, 299);
      return body;
    }
  }
}
