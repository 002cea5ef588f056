package io.podflow.agent.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podflow.agent.config.AgentConfig;
import io.podflow.agent.testing.FlowRecords;
import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.EnrichmentStatus;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.junit.LocalStackExtension;
import io.podflow.stack.lab.MockApiServer;
import io.podflow.stack.lab.NetnsLab;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole agent: pods (network namespaces) talk, the agent captures their veths, names both ends
 * from the (mock) API server, and publishes the records to a real Kafka broker.
 */
@ExtendWith(LocalStackExtension.class)
class AgentIT {
  @TempDir Path dir;

  @Test
  void podsTrafficReachesKafkaNamedAfterThePods(KafkaBroker kafka) throws Exception {
    // As point-to-point CNIs do: each pod's address routed to its own veth (removed with it).
    pingBetweenTwoPods(
        kafka,
        (lab, pods) -> {
          for (NetnsLab.Pod pod : pods) {
            NetnsLab.sh("ip route add " + pod.ip() + "/32 dev " + pod.hostInterface());
          }
        });
  }

  @Test
  void onABridgeCniEachPodsVethIsLearntFromTheBridgeAndReportsForItsPod(KafkaBroker kafka)
      throws Exception {
    // As bridge CNIs do: no route per pod; the bridge is the pods' gateway, so the node's ARP
    // table has their MACs and the bridge's forwarding table the ports those are behind.
    pingBetweenTwoPods(
        kafka,
        (lab, pods) -> {
          String gateway = lab.addGateway();
          for (NetnsLab.Pod pod : pods) {
            lab.run(pod, "ping -c 1 -W 1 " + gateway);
          }
        });
  }

  private void pingBetweenTwoPods(
      KafkaBroker kafka, java.util.function.BiConsumer<NetnsLab, List<NetnsLab.Pod>> cni)
      throws Exception {
    String topic = "agent-" + System.nanoTime();
    kafka.createTopics(List.of(new NewTopic(topic, 1, (short) 1)));
    try (MockApiServer api = new MockApiServer();
        NetnsLab lab = new NetnsLab();
        KubernetesClient client = api.server().createClient()) {
      NetnsLab.Pod frontend = lab.addPod();
      NetnsLab.Pod backend = lab.addPod();
      pod(client, "frontend", frontend.ip());
      pod(client, "backend", backend.ip());
      cni.accept(lab, List.of(frontend, backend));
      String subnet = frontend.ip().substring(0, frontend.ip().lastIndexOf('.')) + ".0/24";
      AgentConfig config =
          AgentConfig.parse(
              String.join(
                  "\n",
                  "cluster: lab",
                  "capture:",
                  "  interfaces: [" + lab.vethPrefix() + "*]",
                  "  filter: ip",
                  "flows:",
                  "  idleTimeoutSeconds: 60",
                  "enrichment:",
                  "  clusterCidrs: [" + subnet + "]",
                  "kafka:",
                  "  bootstrapServers: " + kafka.bootstrapServers(),
                  "  topic: " + topic,
                  "spool:",
                  "  dir: " + dir.resolve("spool"),
                  "http:",
                  "  port: 0"),
              "test",
              Map.of("NODE_NAME", "node-1"));
      String metrics;
      try (Agent agent = new Agent(config, client).start()) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!agent.interfaces().contains(backend.hostInterface())
            || !agent.interfaces().contains(frontend.hostInterface())) {
          assertThat(System.nanoTime()).as("capture started").isLessThan(deadline);
          Thread.sleep(50);
        }
        Thread.sleep(500);
        lab.run(frontend, "ping -c 3 -i 0.2 -W 1 " + backend.ip());
        Thread.sleep(500);
        assertThat(get(agent.httpPort(), "/readyz")).isEqualTo("ready\n");
        metrics = get(agent.httpPort(), "/metrics");
      }
      assertThat(metrics)
          .contains("podflow_frames_total")
          .contains("podflow_kafka_acknowledged_total")
          .contains("podflow_kafka_request_latency_seconds")
          .contains("podflow_spool_age_seconds")
          .contains("podflow_kubernetes_staleness_seconds 0.0")
          .contains("podflow_records_enriched_total{status=\"complete\"}")
          .contains("podflow_agent_not_ready{reason=\"interface_not_captured\"} 0.0")
          .contains("podflow_agent_not_ready{reason=\"flows_saturated\"} 0.0")
          .contains("podflow_interfaces_captured 2.0")
          .contains("podflow_flow_budget_flows 262144.0")
          .contains("jvm_memory_used_bytes{area=\"heap\"")
          .contains("jvm_gc_memory_allocated_bytes_total")
          .contains("jvm_threads_live_threads")
          .contains("process_files_open_files");
      assertThat(metricValue(metrics, "podflow_frames_total")).isGreaterThanOrEqualTo(6);

      List<FlowRecord> pings =
          FlowRecords.in(kafka.bootstrapServers(), topic).stream()
              .filter(r -> r.getProtocol() == 1)
              .filter(
                  r ->
                      !r.getDestination()
                          .getKubernetes()
                          .getKind()
                          .equals(EndpointKind.ENDPOINT_KIND_UNKNOWN)) // the pings to the gateway
              .toList();
      // One record per captured interface: the frontend's veth reports for the frontend (it
      // initiated: SOURCE), the backend's for the backend (DESTINATION).
      assertThat(pings).hasSize(2);
      assertThat(pings)
          .anySatisfy(
              r -> {
                assertThat(r.getObserver().getInterface()).isEqualTo(frontend.hostInterface());
                assertThat(r.getObserver().getReporter()).isEqualTo(Reporter.REPORTER_SOURCE);
              })
          .anySatisfy(
              r -> {
                assertThat(r.getObserver().getInterface()).isEqualTo(backend.hostInterface());
                assertThat(r.getObserver().getReporter()).isEqualTo(Reporter.REPORTER_DESTINATION);
              });
      for (FlowRecord r : pings) {
        assertThat(r.getCluster()).isEqualTo("lab");
        assertThat(r.getEnrichment()).isEqualTo(EnrichmentStatus.ENRICHMENT_STATUS_COMPLETE);
        assertThat(r.getSource().getKubernetes().getKind())
            .isEqualTo(EndpointKind.ENDPOINT_KIND_POD);
        assertThat(r.getSource().getKubernetes().getPodName()).isEqualTo("frontend");
        assertThat(r.getSource().getKubernetes().getNamespace()).isEqualTo("shop");
        assertThat(r.getDestination().getKubernetes().getPodName()).isEqualTo("backend");
        assertThat(r.getSourceToDestination().getPackets()).isEqualTo(3);
        assertThat(r.getDestinationToSource().getPackets()).isEqualTo(3);
      }
    }
  }

  private static void pod(KubernetesClient client, String name, String ip) {
    client
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withNodeName("node-1")
                .addNewContainer()
                .withName("main")
                .withImage("example")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPodIP(ip)
                .endStatus()
                .build())
        .create();
  }

  private static String get(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static double metricValue(String text, String name) {
    return text.lines()
        .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
