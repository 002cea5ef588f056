package io.podflow.cli.demo;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.podflow.agent.app.OfflineReplay;
import io.podflow.agent.enrich.ClusterMetadata;
import io.podflow.agent.enrich.Enricher;
import io.podflow.agent.enrich.KubernetesWatcher;
import io.podflow.agent.enrich.PodInterfaces;
import io.podflow.agent.enrich.Reporters;
import io.podflow.agent.export.RecordExporter;
import io.podflow.agent.flow.FlowTableConfig;
import io.podflow.agent.policies.PolicyPublisher;
import io.podflow.agent.policies.PolicySettings;
import io.podflow.agent.publish.PublisherConfig;
import io.podflow.cli.demo.DemoCluster.DemoPod;
import io.podflow.schema.ConnectionKey;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.schema.kafka.PodflowTopic;
import io.podflow.schema.net.Cidr;
import io.podflow.stack.lab.MockApiServer;
import io.podflow.stack.lab.NetnsLab;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The demo without root (no network namespaces, no live capture): the traffic of a live demo as
 * each pod's interface saw it, bundled as capture files, replayed through the agent's packet path
 * and export stage (named from the same mock API server's pods, at the addresses they had; each
 * record reported as the agent reports what a pod's own interface saw: SOURCE for what the pod
 * started, DESTINATION for what it answered), then the same Kafka, flow processor and OpenSearch.
 * The records are moved to now and sent at the pace they ended at; the policies are those the live
 * demo ends with.
 */
public final class ReplayDemo {
  private static final String BUNDLE = "demo/capture/";
  private static final String ADDRESSES = "pods.properties";

  /** The replay's cluster name: its documents are told apart from a live demo's. */
  public static final String CLUSTER = "demo-replay";

  /** The agent the records and the policies are published as. */
  private static final String AGENT = "podflow-agent-demo";

  /**
   * The enrichment's clock: the replayed flows are older than the mock API server's pods, and a pod
   * names an address only from when it was seen; in the replay, the pods have always been.
   */
  private static final long SINCE_EVER = 0L;

  public record Settings(String bootstrapServers, URI openSearch, URI alertmanager, Path dir) {}

  private final Settings settings;
  private final PrintStream out;

  public ReplayDemo(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  /**
   * Records every pod's traffic during a live demo (tcpdump in their namespaces, stopped with the
   * lab) and where each pod was: what {@link #run} replays, once copied into the bundle.
   */
  static void capture(
      Path dir, NetnsLab lab, Map<DemoPod, NetnsLab.Pod> pods, Map<DemoPod, String> ips) {
    try {
      Files.createDirectories(dir);
      for (DemoPod pod : DemoCluster.PODS) {
        lab.start(
            pods.get(pod),
            "tcpdump -i eth0 -U -s 256 -w " + NetnsLab.quoted(dir.resolve(file(pod)).toString()));
      }
      Properties addresses = new Properties();
      ips.forEach((pod, ip) -> addresses.setProperty(pod.name(), ip));
      try (OutputStream o = Files.newOutputStream(dir.resolve(ADDRESSES))) {
        addresses.store(o, "the demo's pods and their addresses in the bundled capture");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns the number of flow records replayed. */
  public int run() throws Exception {
    LiveDemo.createTopics(settings.bootstrapServers());
    long before = new DemoSummary(settings.openSearch(), CLUSTER).flowDocuments();
    Map<DemoPod, String> ips = addresses();
    try (MockApiServer api = new MockApiServer();
        KubernetesClient client = api.server().createClient()) {
      DemoCluster.create(client, ips);
      DemoCluster.applyMidwayPolicy(client);
      ClusterMetadata metadata = new ClusterMetadata(Duration.ofMinutes(2));
      List<FlowRecord> records;
      try (KubernetesWatcher watcher =
              new KubernetesWatcher(client, metadata, () -> SINCE_EVER)
                  .start(Duration.ofSeconds(60));
          PolicyPublisher policies =
              new PolicyPublisher(
                      client, PolicySettings.of(CLUSTER, AGENT, "podflow"), publisherConfig())
                  .start()) {
        // An address names a pod only from the pod's creation on, and the API server made them
        // now, after the replayed traffic: the watcher takes them in as made long before.
        for (var pod : client.pods().inAnyNamespace().list().getItems()) {
          pod.getMetadata().setCreationTimestamp("2000-01-01T00:00:00Z");
          watcher.putPod(pod);
        }
        records = replay(new Enricher(metadata, clusterNetworks(ips), Duration.ofMinutes(5)), ips);
        out.printf(
            "  %d flow records from the bundled capture of the pods' interfaces, named from the"
                + " mock API server%n",
            records.size());
        JobClient job =
            LiveDemo.startJob(
                settings.bootstrapServers(),
                settings.openSearch(),
                settings.alertmanager(),
                settings.dir(),
                out);
        try {
          produce(records);
          // One document per connection: as many as the records of the sides that started them.
          LiveDemo.settle(
              settings.openSearch(),
              CLUSTER,
              before,
              (int)
                  records.stream()
                      .filter(r -> r.getObserver().getReporter() == Reporter.REPORTER_SOURCE)
                      .count(),
              out);
        } finally {
          job.cancel().get();
        }
      }
      return records.size();
    }
  }

  /**
   * Every record of the bundled files, through the agent's export stage as each pod's interface
   * reports it, moved to now.
   */
  private List<FlowRecord> replay(Enricher enricher, Map<DemoPod, String> ips) throws IOException {
    Map<String, byte[]> podOfInterface = new LinkedHashMap<>();
    for (DemoPod pod : DemoCluster.PODS) {
      podOfInterface.put(interfaceOf(pod), InetAddress.getByName(ips.get(pod)).getAddress());
    }
    // Every interface is a pod's own, and captured: the agent's own choice of reporters.
    Reporters reporters =
        new Reporters(PodInterfaces.of(podOfInterface), DemoCluster.NODE, name -> true);
    List<FlowRecord> exported = new ArrayList<>();
    RecordExporter exporter =
        RecordExporter.builder(CLUSTER, DemoCluster.NODE, AGENT)
            .enrichedBy(enricher, () -> SINCE_EVER)
            .reportedAs(reporters::of)
            .build(
                r -> {
                  // The pods' own IPv6 chatter: the live agent captures IPv4 only ("ip").
                  if (r.getIpVersion() == 4) {
                    exported.add(r);
                  }
                });
    for (DemoPod pod : DemoCluster.PODS) {
      Path file = settings.dir().resolve(file(pod));
      Files.createDirectories(file.getParent());
      try (InputStream in = resource(file(pod))) {
        Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      OfflineReplay.run(
          file,
          FlowTableConfig.defaults()
              .withTimeouts(
                  Duration.ofSeconds(10), Duration.ofSeconds(LiveDemo.IDLE_TIMEOUT_SECONDS)),
          OfflineReplay.FrameSourceKind.JAVA,
          false,
          exporter,
          interfaceOf(pod));
    }
    // Moved so that the first record ends now; they are then sent at the pace they ended at. (The
    // pods are named as of long before, so naming them before the move changes nothing.)
    long first = exported.stream().mapToLong(FlowRecord::getTimeEndNs).min().orElse(0);
    long shift = now() - first;
    List<FlowRecord> records = new ArrayList<>();
    for (FlowRecord r : exported) {
      FlowRecord.Builder b = r.toBuilder();
      b.setTimeStartNs(b.getTimeStartNs() + shift).setTimeEndNs(b.getTimeEndNs() + shift);
      if (b.getFlowStartNs() != 0) {
        b.setFlowStartNs(b.getFlowStartNs() + shift);
      }
      records.add(b.build());
    }
    // In the order agents would publish them: both views of a connection close together, so the
    // processor pairs them (pings between two pods share one connection key, one after another).
    records.sort(java.util.Comparator.comparingLong(FlowRecord::getTimeEndNs));
    return records;
  }

  /** The host side of a pod's veth, as the live demo's agent sees it. */
  private static String interfaceOf(DemoPod pod) {
    return "veth-" + pod.name();
  }

  private void produce(List<FlowRecord> records) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      // At the pace the records ended, as agents publish them: all at once, the processor would
      // see event time leap ahead of its waits (a live stream does not do that).
      long started = System.nanoTime();
      long first = records.isEmpty() ? 0 : records.get(0).getTimeEndNs();
      for (FlowRecord r : records) {
        long wait = (r.getTimeEndNs() - first) - (System.nanoTime() - started);
        if (wait > 0) {
          producer.flush();
          Thread.sleep(wait / 1_000_000L);
        }
        producer.send(
            new ProducerRecord<>(PodflowTopic.FLOWS.topic(), ConnectionKey.of(r), r.toByteArray()));
      }
      producer.flush();
    }
  }

  private PublisherConfig publisherConfig() {
    return new PublisherConfig(
        settings.bootstrapServers(),
        PodflowTopic.FLOWS.topic(),
        "zstd",
        Duration.ofMillis(20),
        32L << 20,
        settings.dir().resolve("spool"),
        16L << 20,
        Map.of());
  }

  private static List<Cidr> clusterNetworks(Map<DemoPod, String> ips) {
    String any = ips.values().iterator().next();
    return List.of(
        Cidr.parse(any.substring(0, any.lastIndexOf('.')) + ".0/24"),
        Cidr.parse(DemoCluster.SERVICE_CIDR));
  }

  private static Map<DemoPod, String> addresses() throws IOException {
    Properties addresses = new Properties();
    try (InputStream in = resource(ADDRESSES)) {
      addresses.load(in);
    }
    Map<DemoPod, String> ips = new LinkedHashMap<>();
    for (DemoPod pod : DemoCluster.PODS) {
      String ip = addresses.getProperty(pod.name());
      if (ip == null) {
        throw new IllegalStateException("the bundled capture has no address for " + pod.name());
      }
      ips.put(pod, ip);
    }
    return ips;
  }

  private static String file(DemoPod pod) {
    return pod.name() + ".pcap";
  }

  private static InputStream resource(String name) {
    InputStream in = ReplayDemo.class.getClassLoader().getResourceAsStream(BUNDLE + name);
    if (in == null) {
      throw new IllegalStateException("missing bundled " + BUNDLE + name);
    }
    return in;
  }

  private static long now() {
    return System.currentTimeMillis() * 1_000_000L;
  }
}
