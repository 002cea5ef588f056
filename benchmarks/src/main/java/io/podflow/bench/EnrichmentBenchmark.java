package io.podflow.bench;

import com.google.protobuf.ByteString;
import io.podflow.agent.enrich.ClusterMetadata;
import io.podflow.agent.enrich.Enricher;
import io.podflow.agent.enrich.IpKey;
import io.podflow.agent.enrich.KubernetesWatcher;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.EnrichmentStatus;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.net.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Enrichment of one flow record's two ends, as the agent does for every exported record: with
 * 100,000 pods, 10,000 Services and EndpointSlices. Connections: pod to pod (a third, each a
 * Service's backend port), pod to a Service's cluster IP (a third), pod to the outside world (a
 * third). The record is the one just built (in cache), its addresses drawn from 65,536 random ones
 * (not in cache), as in the agent; the sources either anywhere in the cluster or on one node.
 *
 * <p>Flows: {@link #recordsPerFlow} records each (a flow's intervals, its two reporters), 8,192
 * flows exported in turn, so that a flow's next record comes after 8,191 others, and then replaced
 * by as many new ones (a new source port). With 1, every record is a flow's first.
 *
 * <p>The reference, in the same run: {@link #hashMapLookups}, the same two addresses looked up in a
 * {@code HashMap} of every pod's and Service's address (prebuilt keys, nothing named): what a
 * record's two cache-missing lookups cost on this machine at that moment.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class EnrichmentBenchmark {
  private static final int CONNECTIONS = 1 << 16;

  @Param("100000")
  int pods;

  /**
   * Where the sources are: "cluster", any of the pods (every end a cache miss); "node", the 1,000
   * pods of one node, as on an agent, whose records all have a local pod at one end.
   */
  @Param({"cluster", "node"})
  String sources;

  /** How many records each flow gives before it ends (1: every record a new flow's first). */
  @Param({"1", "2", "8"})
  int recordsPerFlow;

  private static final int ACTIVE_FLOWS = 8_192;

  private Enricher enricher;
  private FlowRecord.Builder record;
  private ByteString[] sourceIps;
  private ByteString[] destinations;
  private int[] ports;
  private IpKey[] sourceKeys;
  private IpKey[] destinationKeys;
  private final Map<IpKey, Object> addresses = new HashMap<>();
  private long now;
  private int next;

  @Setup
  public void setUp() throws UnknownHostException {
    ClusterMetadata metadata = new ClusterMetadata(Duration.ofMinutes(2));
    KubernetesWatcher watcher = new KubernetesWatcher(null, metadata, System::nanoTime);
    SyntheticCluster.load(watcher, pods);
    enricher =
        new Enricher(
            metadata,
            List.of(Cidr.parse("10.0.0.0/12"), Cidr.parse("10.96.0.0/12")),
            Duration.ofSeconds(30));
    long t = Instant.parse("2026-06-01T00:00:00Z").getEpochSecond() * 1_000_000_000L;
    now = t;
    SplittableRandom random = new SplittableRandom(1);
    sourceIps = new ByteString[CONNECTIONS];
    destinations = new ByteString[CONNECTIONS];
    ports = new int[CONNECTIONS];
    for (int i = 0; i < CONNECTIONS; i++) {
      String destination;
      switch (i % 3) {
        case 0 -> {
          destination = SyntheticCluster.podIp(random.nextInt(pods));
          ports[i] = 8080;
        }
        case 1 -> {
          destination =
              SyntheticCluster.serviceIp(
                  random.nextInt(pods / SyntheticCluster.PODS_PER_DEPLOYMENT));
          ports[i] = 80;
        }
        default -> {
          destination = "93.184." + random.nextInt(256) + "." + random.nextInt(256);
          ports[i] = 443;
        }
      }
      int source = random.nextInt(pods);
      sourceIps[i] =
          bytes(SyntheticCluster.podIp("node".equals(sources) ? source / 100 * 100 : source));
      destinations[i] = bytes(destination);
    }
    sourceKeys = new IpKey[CONNECTIONS];
    destinationKeys = new IpKey[CONNECTIONS];
    for (int i = 0; i < CONNECTIONS; i++) {
      sourceKeys[i] = IpKey.of(sourceIps[i]);
      destinationKeys[i] = IpKey.of(destinations[i]);
    }
    for (int i = 0; i < pods; i++) {
      addresses.put(IpKey.of(bytes(SyntheticCluster.podIp(i))), Integer.valueOf(i));
    }
    for (int d = 0; d < pods / SyntheticCluster.PODS_PER_DEPLOYMENT; d++) {
      addresses.put(IpKey.of(bytes(SyntheticCluster.serviceIp(d))), Integer.valueOf(d));
    }
    record =
        FlowRecord.newBuilder()
            .setProtocol(6)
            .setTimeStartNs(t - 1_000_000_000L)
            .setTimeEndNs(t)
            .setSource(Endpoint.newBuilder().setIp(sourceIps[0]).setPort(40000))
            .setDestination(Endpoint.newBuilder().setIp(destinations[0]).setPort(ports[0]));
  }

  @Benchmark
  public EnrichmentStatus enrichRecord() {
    int r = next++;
    int generation = r / (ACTIVE_FLOWS * recordsPerFlow);
    int i = (generation * ACTIVE_FLOWS + r % ACTIVE_FLOWS) & (CONNECTIONS - 1);
    record.getSourceBuilder().setIp(sourceIps[i]).setPort(1024 + generation % 60_000);
    record.getDestinationBuilder().setIp(destinations[i]).setPort(ports[i]);
    return enricher.enrich(record, now);
  }

  /** The reference: both ends' addresses looked up in a plain {@code HashMap}, nothing named. */
  @Benchmark
  public void hashMapLookups(Blackhole sink) {
    int r = next++;
    int generation = r / (ACTIVE_FLOWS * recordsPerFlow);
    int i = (generation * ACTIVE_FLOWS + r % ACTIVE_FLOWS) & (CONNECTIONS - 1);
    sink.consume(addresses.get(sourceKeys[i]));
    sink.consume(addresses.get(destinationKeys[i]));
  }

  private static ByteString bytes(String ip) throws UnknownHostException {
    return ByteString.copyFrom(InetAddress.getByName(ip).getAddress());
  }
}
