package io.podflow.agent.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.podflow.agent.testing.TcpRelay;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.EnrichmentStatus;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.net.Cidr;
import io.podflow.stack.lab.MockApiServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Enrichment from fabric8 informers watching fabric8's mock API server in CRUD mode. */
class KubernetesEnrichmentTest {
  // A fresh, empty API server for every test.
  private MockApiServer api;
  private KubernetesClient client;
  private TcpRelay relay;

  private static final long SECOND = 1_000_000_000L;

  /** When the cluster was made: the mock API server stamps creation times from the real clock. */
  private long t0;

  /** The agent's clock: the real one, moved ahead by the tests that need time to pass. */
  private final AtomicLong ahead = new AtomicLong();

  private final java.util.function.LongSupplier clock =
      () -> System.currentTimeMillis() * 1_000_000L + ahead.get();
  private final ClusterMetadata metadata = new ClusterMetadata(Duration.ofMinutes(2));
  private final Enricher enricher =
      new Enricher(
          metadata,
          List.of(Cidr.parse("10.1.0.0/16"), Cidr.parse("10.96.0.0/12")),
          Duration.ofSeconds(30));
  private KubernetesWatcher watcher;

  @BeforeEach
  void cluster() throws Exception {
    api = new MockApiServer();
    // The agent reaches the API server through a relay that a test can cut.
    relay = new TcpRelay(api.port());
    client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(api.server().createClient().getConfiguration())
                    .withMasterUrl("http://127.0.0.1:" + relay.port())
                    .build())
            .build();
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build())
        .create();
    client
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName("node-1")
                .endMetadata()
                .withNewStatus()
                .addNewAddress()
                .withType("InternalIP")
                .withAddress("10.0.0.1")
                .endAddress()
                .endStatus()
                .build())
        .create();
    client
        .resource(
            new ReplicaSetBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName("web-7d4b9")
                .withOwnerReferences(owner("apps/v1", "Deployment", "web"))
                .endMetadata()
                .build())
        .create();
    client
        .resource(
            new JobBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName("report-2930")
                .withOwnerReferences(owner("batch/v1", "CronJob", "report"))
                .endMetadata()
                .build())
        .create();
    create(
        pod("web-7d4b9-x1", "10.1.0.5")
            .editMetadata()
            .addToLabels("pod-template-hash", "7d4b9")
            .withOwnerReferences(owner("apps/v1", "ReplicaSet", "web-7d4b9"))
            .endMetadata()
            .editSpec()
            .editFirstContainer()
            .withPorts(new ContainerPortBuilder().withName("http").withContainerPort(8080).build())
            .endContainer()
            .endSpec()
            .build());
    create(
        pod("report-2930-abc", "10.1.0.6")
            .editMetadata()
            .withOwnerReferences(owner("batch/v1", "Job", "report-2930"))
            .endMetadata()
            .build());
    create(
        pod("db-0", "10.1.0.8")
            .editMetadata()
            .withOwnerReferences(owner("apps/v1", "StatefulSet", "db"))
            .endMetadata()
            .build());
    create(pod("debug", "10.1.0.9").build());
    create(pod("node-exporter", "10.0.0.1").editSpec().withHostNetwork(true).endSpec().build());
    client
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName("web")
                .endMetadata()
                .withNewSpec()
                .withType("NodePort")
                .withClusterIP("10.96.0.10")
                .addNewPort()
                .withName("http")
                .withPort(80)
                .withProtocol("TCP")
                .withNodePort(30080)
                .endPort()
                .endSpec()
                .build())
        .create();
    client
        .resource(
            new EndpointSliceBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName("web-abcde")
                .addToLabels("kubernetes.io/service-name", "web")
                .endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint()
                .withAddresses("10.1.0.5")
                .endEndpoint()
                .addNewPort()
                .withName("http")
                .withPort(8080)
                .withProtocol("TCP")
                .endPort()
                .build())
        .create();
    watcher = new KubernetesWatcher(client, metadata, clock).start(Duration.ofSeconds(10));
    t0 = clock.getAsLong();
  }

  @AfterEach
  void stop() throws Exception {
    relay.close();
    watcher.close();
    client.close();
    api.close();
  }

  @Test
  void podsAreNamedWithTheirWorkloadsThroughTheirOwnersAndPortsWithTheirContainerPortNames()
      throws Exception {
    FlowRecord.Builder record = record("10.1.0.6", 41000, "10.1.0.5", 8080, t0 + 10 * SECOND);
    assertThat(enricher.enrich(record, clock.getAsLong()))
        .isEqualTo(EnrichmentStatus.ENRICHMENT_STATUS_COMPLETE);

    KubernetesIdentity job = record.getSource().getKubernetes();
    assertThat(job.getKind()).isEqualTo(EndpointKind.ENDPOINT_KIND_POD);
    assertThat(job.getPodName()).isEqualTo("report-2930-abc");
    assertThat(job.getNamespace()).isEqualTo("shop");
    assertThat(job.getWorkloadKind()).isEqualTo("CronJob");
    assertThat(job.getWorkloadName()).isEqualTo("report");
    assertThat(job.getNode()).isEqualTo("node-1");
    assertThat(job.getServiceAccount()).isEqualTo("default");

    KubernetesIdentity web = record.getDestination().getKubernetes();
    assertThat(web.getPodName()).isEqualTo("web-7d4b9-x1");
    assertThat(web.getWorkloadKind()).isEqualTo("Deployment");
    assertThat(web.getWorkloadName()).isEqualTo("web");
    assertThat(web.getLabelsMap()).containsEntry("app", "web-7d4b9-x1");
    // The pod's container names port 8080 "http": what a NetworkPolicy rule naming it matches.
    assertThat(record.getDestination().getPortName()).isEqualTo("http");
    assertThat(record.getSource().getPortName()).isEmpty();
    // Reached as a backend of the web Service (its EndpointSlice lists this pod and port).
    assertThat(web.getServiceName()).isEqualTo("web");
    assertThat(web.getServicePortName()).isEqualTo("http");

    FlowRecord.Builder other = record("10.1.0.8", 41000, "10.1.0.9", 22, t0 + 10 * SECOND);
    enricher.enrich(other, clock.getAsLong());
    assertThat(other.getSource().getKubernetes().getWorkloadKind()).isEqualTo("StatefulSet");
    assertThat(other.getSource().getKubernetes().getWorkloadName()).isEqualTo("db");
    assertThat(other.getDestination().getKubernetes().getWorkloadKind()).isEqualTo("Pod");
    assertThat(other.getDestination().getKubernetes().getWorkloadName()).isEqualTo("debug");
    assertThat(other.getDestination().getKubernetes().getServiceName()).isEmpty();
  }

  @Test
  void servicesAreNamedByClusterIpAndByNodePortNodesByTheirIps() throws Exception {
    FlowRecord.Builder viaClusterIp = record("10.1.0.9", 41000, "10.96.0.10", 80, t0 + SECOND);
    enricher.enrich(viaClusterIp, clock.getAsLong());
    KubernetesIdentity service = viaClusterIp.getDestination().getKubernetes();
    assertThat(service.getKind()).isEqualTo(EndpointKind.ENDPOINT_KIND_SERVICE);
    assertThat(service.getNamespace()).isEqualTo("shop");
    assertThat(service.getServiceName()).isEqualTo("web");
    assertThat(service.getServicePortName()).isEqualTo("http");

    FlowRecord.Builder viaNodePort = record("203.0.113.7", 52000, "10.0.0.1", 30080, t0 + SECOND);
    assertThat(enricher.enrich(viaNodePort, clock.getAsLong()))
        .isEqualTo(EnrichmentStatus.ENRICHMENT_STATUS_COMPLETE);
    assertThat(viaNodePort.getSource().getKubernetes().getKind())
        .isEqualTo(EndpointKind.ENDPOINT_KIND_EXTERNAL);
    assertThat(viaNodePort.getDestination().getKubernetes().getServiceName()).isEqualTo("web");

    // The node's IP on another port is the node, and so is the hostNetwork pod that shares it.
    FlowRecord.Builder toNode = record("10.1.0.9", 41000, "10.0.0.1", 9100, t0 + SECOND);
    enricher.enrich(toNode, clock.getAsLong());
    assertThat(toNode.getDestination().getKubernetes().getKind())
        .isEqualTo(EndpointKind.ENDPOINT_KIND_NODE);
    assertThat(toNode.getDestination().getKubernetes().getNode()).isEqualTo("node-1");
  }

  @Test
  void addressesOfTheClusterNobodyKnowsAreUnknownOthersExternal() throws Exception {
    FlowRecord.Builder record = record("10.1.77.7", 41000, "8.8.8.8", 53, t0 + SECOND);
    assertThat(enricher.enrich(record, clock.getAsLong()))
        .isEqualTo(EnrichmentStatus.ENRICHMENT_STATUS_PARTIAL);
    assertThat(record.getSource().getKubernetes().getKind())
        .isEqualTo(EndpointKind.ENDPOINT_KIND_UNKNOWN);
    assertThat(record.getDestination().getKubernetes().getKind())
        .isEqualTo(EndpointKind.ENDPOINT_KIND_EXTERNAL);

    FlowRecord.Builder neither = record("10.1.77.7", 41000, "10.96.7.7", 53, t0 + SECOND);
    assertThat(enricher.enrich(neither, clock.getAsLong()))
        .isEqualTo(EnrichmentStatus.ENRICHMENT_STATUS_UNKNOWN);
  }

  @Test
  void aReusedIpNamesTheNewPodOnlyForTrafficAfterTheOldOneWasDeleted() throws Exception {
    long deleting = clock.getAsLong();
    client.pods().inNamespace("shop").withName("debug").delete();
    await(() -> metadata.podAt(IpKey.of(ip("10.1.0.9")), deleting + 10 * SECOND) == null);
    long deleted = clock.getAsLong();
    create(pod("debug-2", "10.1.0.9").build());
    await(() -> metadata.podAt(IpKey.of(ip("10.1.0.9")), deleted + 10 * SECOND) != null);

    // A flow that ended before the deletion, exported after it: still the old pod.
    FlowRecord.Builder before = record("10.1.0.9", 41000, "10.1.0.5", 8080, deleting - SECOND / 2);
    enricher.enrich(before, clock.getAsLong());
    assertThat(before.getSource().getKubernetes().getPodName()).isEqualTo("debug");

    // New traffic from the reused IP: the new pod, never the old one.
    FlowRecord.Builder after = record("10.1.0.9", 41000, "10.1.0.5", 8080, deleted + 6 * SECOND);
    enricher.enrich(after, clock.getAsLong());
    assertThat(after.getSource().getKubernetes().getPodName()).isEqualTo("debug-2");
  }

  @Test
  void recordsSayTheirNamesAreStaleWhenTheApiServerIsGone() throws Exception {
    assertThat(watcher.checkWatching()).isTrue();
    relay.close();
    await(() -> !watcher.checkWatching());
    ahead.addAndGet(31 * SECOND);
    FlowRecord.Builder record = record("10.1.0.6", 41000, "10.1.0.5", 8080, t0 + 10 * SECOND);
    assertThat(enricher.enrich(record, clock.getAsLong()))
        .isEqualTo(EnrichmentStatus.ENRICHMENT_STATUS_STALE);
    // The last known state still names both ends.
    assertThat(record.getDestination().getKubernetes().getWorkloadName()).isEqualTo("web");
    assertThat(metadata.stalenessNanos(clock.getAsLong())).isGreaterThanOrEqualTo(30 * SECOND);
  }

  private void create(Pod pod) {
    client.resource(pod).create();
  }

  private static PodBuilder pod(String name, String ip) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("shop")
        .withName(name)
        .withLabels(Map.of("app", name))
        .endMetadata()
        .withNewSpec()
        .withNodeName("node-1")
        .withServiceAccountName("default")
        .addNewContainer()
        .withName("main")
        .withImage("example")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPodIP(ip)
        .endStatus();
  }

  private static io.fabric8.kubernetes.api.model.OwnerReference owner(
      String apiVersion, String kind, String name) {
    return new OwnerReferenceBuilder()
        .withApiVersion(apiVersion)
        .withKind(kind)
        .withName(name)
        .withUid(kind + "-" + name)
        .withController(true)
        .build();
  }

  private static FlowRecord.Builder record(
      String source, int sourcePort, String destination, int destinationPort, long endNanos)
      throws Exception {
    return FlowRecord.newBuilder()
        .setProtocol(6)
        .setTimeStartNs(endNanos - SECOND)
        .setTimeEndNs(endNanos)
        .setSource(Endpoint.newBuilder().setIp(ByteString.copyFrom(ip(source))).setPort(sourcePort))
        .setDestination(
            Endpoint.newBuilder()
                .setIp(ByteString.copyFrom(ip(destination)))
                .setPort(destinationPort));
  }

  private static byte[] ip(String literal) {
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition reached in time").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
