package io.podflow.agent.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.EnrichmentStatus;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.flow.v1.ObservationPoint;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.schema.net.Cidr;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The names kept per flow ({@link NamedFlows}) never outlive what they were read from: every record
 * of a flow, whichever reporter's, names the cluster as the metadata holds it when the record is
 * enriched, exactly as an enricher that keeps nothing would.
 */
class EnricherNamedFlowsTest {
  private static final long S = 1_000_000_000L;
  private static final long CREATED = Instant.parse("2026-06-01T00:00:00Z").getEpochSecond() * S;
  private static final List<Cidr> NETWORKS =
      List.of(Cidr.parse("10.1.0.0/16"), Cidr.parse("10.96.0.0/12"));

  private final AtomicLong clock = new AtomicLong(CREATED + 100 * S);
  private final ClusterMetadata metadata = new ClusterMetadata(Duration.ofMinutes(2));
  private final KubernetesWatcher watcher = new KubernetesWatcher(null, metadata, clock::get);
  private final Enricher enricher = new Enricher(metadata, NETWORKS, Duration.ofSeconds(30));

  @Test
  void aFlowsLaterRecordsNameTheNewPodOnceItsIpWasTakenByAnother() {
    watcher.putPod(pod("web-1", "uid-1", "10.1.0.5", Map.of("app", "web")));
    watcher.putPod(pod("client", "uid-c", "10.1.0.6", Map.of("app", "client")));
    FlowRecord.Builder first = flow(clock.get(), Reporter.REPORTER_SOURCE);
    enricher.enrich(first, clock.get());
    assertThat(first.getDestination().getKubernetes().getPodName()).isEqualTo("web-1");

    // The pod finished: the watcher frees its IP (a deleted pod's is freed the same way).
    watcher.putPod(finished(pod("web-1", "uid-1", "10.1.0.5", Map.of("app", "web"))));
    long deletedAt = clock.get();
    clock.addAndGet(10 * S);
    Pod reused = pod("batch-9", "uid-9", "10.1.0.5", Map.of("app", "batch"));
    reused.getMetadata().setCreationTimestamp(Instant.ofEpochSecond(clock.get() / S).toString());
    watcher.putPod(reused);

    FlowRecord.Builder later = flow(clock.get(), Reporter.REPORTER_SOURCE);
    enricher.enrich(later, clock.get());
    assertThat(later.getDestination().getKubernetes().getPodName()).isEqualTo("batch-9");
    // The same flow's record of traffic before the deletion, exported late: still the old pod.
    FlowRecord.Builder late = flow(deletedAt - S, Reporter.REPORTER_SOURCE);
    enricher.enrich(late, clock.get());
    assertThat(late.getDestination().getKubernetes().getPodName()).isEqualTo("web-1");
    // Traffic between the deletion's grace and the new pod's creation: nobody's.
    FlowRecord.Builder between = flow(deletedAt + 7 * S, Reporter.REPORTER_SOURCE);
    assertThat(enricher.enrich(between, clock.get()))
        .isEqualTo(EnrichmentStatus.ENRICHMENT_STATUS_PARTIAL);
    assertThat(between.getDestination().getKubernetes().getKind())
        .isEqualTo(EndpointKind.ENDPOINT_KIND_UNKNOWN);
  }

  @Test
  void aDeletedPodsFlowIsNamedAfterItUntilTheGraceEndsThenNobody() {
    watcher.putPod(pod("web-1", "uid-1", "10.1.0.5", Map.of("app", "web")));
    watcher.putPod(pod("client", "uid-c", "10.1.0.6", Map.of("app", "client")));
    enricher.enrich(flow(clock.get(), Reporter.REPORTER_SOURCE), clock.get());
    long deletedAt = clock.get();
    metadata.deletePod("uid-1", deletedAt);

    FlowRecord.Builder inFlight = flow(deletedAt + 3 * S, Reporter.REPORTER_SOURCE);
    enricher.enrich(inFlight, clock.get());
    assertThat(inFlight.getDestination().getKubernetes().getPodName()).isEqualTo("web-1");
    FlowRecord.Builder after = flow(deletedAt + 6 * S, Reporter.REPORTER_SOURCE);
    enricher.enrich(after, clock.get());
    assertThat(after.getDestination().getKubernetes().getKind())
        .isEqualTo(EndpointKind.ENDPOINT_KIND_UNKNOWN);
  }

  @Test
  void bothReportersRecordsNameAPodsNewLabelsOnceTheyChanged() {
    watcher.putPod(pod("web-1", "uid-1", "10.1.0.5", Map.of("app", "web", "v", "1")));
    watcher.putPod(pod("client", "uid-c", "10.1.0.6", Map.of("app", "client")));
    for (Reporter reporter : List.of(Reporter.REPORTER_SOURCE, Reporter.REPORTER_DESTINATION)) {
      FlowRecord.Builder r = flow(clock.get(), reporter);
      enricher.enrich(r, clock.get());
      assertThat(r.getDestination().getKubernetes().getLabelsMap()).containsEntry("v", "1");
    }

    watcher.putPod(pod("web-1", "uid-1", "10.1.0.5", Map.of("app", "web", "v", "2")));
    watcher.putPod(pod("client", "uid-c", "10.1.0.6", Map.of("app", "client", "tier", "front")));
    clock.addAndGet(10 * S);
    for (Reporter reporter : List.of(Reporter.REPORTER_SOURCE, Reporter.REPORTER_DESTINATION)) {
      FlowRecord.Builder r = flow(clock.get(), reporter);
      enricher.enrich(r, clock.get());
      assertThat(r.getDestination().getKubernetes().getLabelsMap()).containsEntry("v", "2");
      assertThat(r.getSource().getKubernetes().getLabelsMap()).containsEntry("tier", "front");
    }
  }

  @Test
  void anUnknownAddressIsNamedAsThePodThatTakesItAndAnExternalOneStaysExternal() {
    watcher.putPod(pod("client", "uid-c", "10.1.0.6", Map.of("app", "client")));
    FlowRecord.Builder unknown = flow(clock.get(), Reporter.REPORTER_SOURCE);
    assertThat(enricher.enrich(unknown, clock.get()))
        .isEqualTo(EnrichmentStatus.ENRICHMENT_STATUS_PARTIAL);
    assertThat(unknown.getDestination().getKubernetes().getKind())
        .isEqualTo(EndpointKind.ENDPOINT_KIND_UNKNOWN);
    FlowRecord.Builder external = record("10.1.0.6", 41000, "93.184.216.34", 443, clock.get());
    assertThat(enricher.enrich(external, clock.get()))
        .isEqualTo(EnrichmentStatus.ENRICHMENT_STATUS_COMPLETE);

    // Many other addresses appear too (other stripes of the index's counts, and the same).
    for (int i = 0; i < 300; i++) {
      watcher.putPod(pod("p" + i, "uid-p" + i, "10.1.3." + (i % 250), Map.of()));
    }
    watcher.putPod(pod("web-1", "uid-1", "10.1.0.5", Map.of("app", "web")));
    clock.addAndGet(10 * S);
    FlowRecord.Builder known = flow(clock.get(), Reporter.REPORTER_SOURCE);
    assertThat(enricher.enrich(known, clock.get()))
        .isEqualTo(EnrichmentStatus.ENRICHMENT_STATUS_COMPLETE);
    assertThat(known.getDestination().getKubernetes().getPodName()).isEqualTo("web-1");
    FlowRecord.Builder stillExternal = record("10.1.0.6", 41000, "93.184.216.34", 443, clock.get());
    enricher.enrich(stillExternal, clock.get());
    assertThat(stillExternal.getDestination().getKubernetes().getKind())
        .isEqualTo(EndpointKind.ENDPOINT_KIND_EXTERNAL);
  }

  @Test
  void aHostNetworkPodsTrafficIsItsNodesAndANodePortAddedLaterNamesItsService() {
    watcher.putNode(
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
            .build());
    Pod exporter = pod("node-exporter", "uid-x", "10.0.0.1", Map.of("app", "exporter"));
    exporter.getSpec().setHostNetwork(true);
    watcher.putPod(exporter);
    watcher.putPod(pod("client", "uid-c", "10.1.0.6", Map.of("app", "client")));

    FlowRecord.Builder toNode = record("10.1.0.6", 41000, "10.0.0.1", 30080, clock.get());
    assertThat(enricher.enrich(toNode, clock.get()))
        .isEqualTo(EnrichmentStatus.ENRICHMENT_STATUS_COMPLETE);
    KubernetesIdentity node = toNode.getDestination().getKubernetes();
    assertThat(node.getKind()).isEqualTo(EndpointKind.ENDPOINT_KIND_NODE);
    assertThat(node.getNode()).isEqualTo("node-1");
    assertThat(node.getPodName()).isEmpty();

    watcher.putService(
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
            .withNodePort(30080)
            .endPort()
            .endSpec()
            .build());
    FlowRecord.Builder viaNodePort = record("10.1.0.6", 41000, "10.0.0.1", 30080, clock.get());
    enricher.enrich(viaNodePort, clock.get());
    assertThat(viaNodePort.getDestination().getKubernetes().getKind())
        .isEqualTo(EndpointKind.ENDPOINT_KIND_SERVICE);
    assertThat(viaNodePort.getDestination().getKubernetes().getServiceName()).isEqualTo("web");
  }

  /**
   * Random changes of a small cluster (pods created, relabelled, deleted, IPs reused, Services,
   * backends, node ports, nodes, purges) between records of a few flows: the enricher that keeps
   * flows' names names every record exactly as a new enricher (keeping nothing) does.
   */
  @Test
  void namesKeptPerFlowAlwaysEqualNamesLookedUpAnew() {
    SplittableRandom random = new SplittableRandom(7);
    String[] ips = {"10.1.0.1", "10.1.0.2", "10.1.0.3", "10.0.0.1", "10.96.0.1", "8.8.8.8"};
    int[] ports = {53, 80, 8080, 30080};
    // Few flows, so that most records find their flow's names kept.
    Enricher small = new Enricher(metadata, NETWORKS, Duration.ofSeconds(30), 16);
    List<String[]> flows = new ArrayList<>();
    for (int f = 0; f < 10; f++) {
      flows.add(
          new String[] {
            ips[random.nextInt(ips.length)],
            Integer.toString(41000 + random.nextInt(2)),
            ips[random.nextInt(ips.length)],
            Integer.toString(ports[random.nextInt(ports.length)])
          });
    }
    long now = CREATED;
    for (int step = 0; step < 20_000; step++) {
      now += random.nextInt(2 * (int) S);
      clock.set(now);
      int pod = random.nextInt(6);
      String uid = "uid-" + pod + "-" + (step / 500);
      switch (random.nextInt(12)) {
        case 0, 1 -> {
          Pod p =
              pod(
                  "pod-" + pod,
                  uid,
                  ips[random.nextInt(3)],
                  Map.of("v", Integer.toString(random.nextInt(3))));
          p.getMetadata()
              .setCreationTimestamp(
                  Instant.ofEpochSecond((now - random.nextInt(5) * S) / S).toString());
          watcher.putPod(p);
        }
        case 2 -> metadata.deletePod(uid, now);
        case 3 ->
            metadata.putService(
                "shop/s" + random.nextInt(2),
                Map.of(
                    AddressPort.of(bytes(ips[3 + random.nextInt(2)]), ports[random.nextInt(4)], 6),
                    new ServicePort("shop", "s", Integer.toString(random.nextInt(3)))),
                Map.of(
                    AddressPort.nodePortKey(30080, 6),
                    new ServicePort("shop", "np", Integer.toString(random.nextInt(3)))));
        case 4 -> metadata.removeService("shop/s" + random.nextInt(2));
        case 5 ->
            metadata.putEndpointSlice(
                "shop/s-" + random.nextInt(2),
                Map.of(
                    AddressPort.of(bytes(ips[random.nextInt(3)]), ports[random.nextInt(4)], 6),
                    new ServicePort("shop", "b" + random.nextInt(2), "http")));
        case 6 ->
            metadata.putNode(
                "node-" + random.nextInt(2), List.of(bytes(ips[3 + random.nextInt(3)])));
        case 7 -> metadata.purge(now);
        default -> {
          // records only
        }
      }
      for (int r = 0; r < 3; r++) {
        String[] flow = flows.get(random.nextInt(flows.size()));
        long t = now - random.nextInt(10 * (int) S);
        FlowRecord.Builder kept =
            record(flow[0], Integer.parseInt(flow[1]), flow[2], Integer.parseInt(flow[3]), t);
        FlowRecord.Builder anew = kept.clone();
        EnrichmentStatus status = small.enrich(kept, now);
        new Enricher(metadata, NETWORKS, Duration.ofSeconds(30)).enrich(anew, now);
        assertThat(kept.build()).as("step %d", step).isEqualTo(anew.build());
        assertThat(status).isEqualTo(anew.getEnrichment());
      }
    }
  }

  /**
   * A watcher thread relabels a pod over and over while enriching threads name its flow: once a
   * label version is in the metadata, no record enriched afterwards names an older one.
   */
  @Test
  void enrichingThreadsNeverNameALabelVersionOlderThanTheMetadataHeldBefore() throws Exception {
    watcher.putPod(pod("client", "uid-c", "10.1.0.6", Map.of("app", "client")));
    watcher.putPod(pod("web-1", "uid-1", "10.1.0.5", Map.of("v", "0")));
    AtomicLong published = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> failure = new AtomicReference<>();
    AtomicLong checked = new AtomicLong();
    List<Thread> readers = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      Thread reader =
          new Thread(
              () -> {
                while (!stop.get() && failure.get() == null) {
                  long before = published.get();
                  FlowRecord.Builder r = flow(clock.get(), Reporter.REPORTER_SOURCE);
                  enricher.enrich(r, clock.get());
                  long seen =
                      Long.parseLong(r.getDestination().getKubernetes().getLabelsOrThrow("v"));
                  if (seen < before) {
                    failure.set("named version " + seen + " after " + before + " was published");
                  }
                  checked.incrementAndGet();
                }
              });
      reader.start();
      readers.add(reader);
    }
    for (int v = 1; v <= 5_000 && failure.get() == null; v++) {
      watcher.putPod(pod("web-1", "uid-1", "10.1.0.5", Map.of("v", Integer.toString(v))));
      published.set(v);
    }
    stop.set(true);
    for (Thread reader : readers) {
      reader.join();
    }
    assertThat(failure.get()).isNull();
    assertThat(checked.get()).isPositive();
    FlowRecord.Builder last = flow(clock.get(), Reporter.REPORTER_SOURCE);
    enricher.enrich(last, clock.get());
    assertThat(last.getDestination().getKubernetes().getLabelsMap()).containsEntry("v", "5000");
  }

  /** The connection 10.1.0.6:41000 to 10.1.0.5:8080, as one reporter's record of it. */
  private static FlowRecord.Builder flow(long t, Reporter reporter) {
    FlowRecord.Builder r = record("10.1.0.6", 41000, "10.1.0.5", 8080, t);
    r.setObserver(
        ObservationPoint.newBuilder()
            .setReporter(reporter)
            .setInterface(reporter == Reporter.REPORTER_SOURCE ? "veth-client" : "veth-web"));
    return r;
  }

  private static FlowRecord.Builder record(
      String source, int sourcePort, String destination, int destinationPort, long t) {
    return FlowRecord.newBuilder()
        .setProtocol(6)
        .setTimeStartNs(t - S)
        .setTimeEndNs(t)
        .setSource(
            Endpoint.newBuilder().setIp(ByteString.copyFrom(bytes(source))).setPort(sourcePort))
        .setDestination(
            Endpoint.newBuilder()
                .setIp(ByteString.copyFrom(bytes(destination)))
                .setPort(destinationPort));
  }

  private static Pod pod(String name, String uid, String ip, Map<String, String> labels) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("shop")
        .withName(name)
        .withUid(uid)
        .withCreationTimestamp(Instant.ofEpochSecond(CREATED / S).toString())
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withNodeName("node-1")
        .addNewContainer()
        .withName("main")
        .addNewPort()
        .withName("http")
        .withContainerPort(8080)
        .endPort()
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPodIP(ip)
        .withPhase("Running")
        .endStatus()
        .build();
  }

  /** The pod as the informer reports it once it has finished: its IP is free again. */
  private static Pod finished(Pod pod) {
    pod.getStatus().setPhase("Succeeded");
    return pod;
  }

  private static byte[] bytes(String ip) {
    try {
      return InetAddress.getByName(ip).getAddress();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
