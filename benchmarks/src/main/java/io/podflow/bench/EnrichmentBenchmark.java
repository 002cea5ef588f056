package io.podflow.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
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
 * (not in cache; the record's own bytes are), as in the agent; the sources either anywhere in the
 * cluster or on one node.
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
  private int[] sourceAddresses;
  private int[] destinationAddresses;

  /**
   * The record's address bytes, rewritten per record: the record was just built, so its addresses
   * are in cache, while the addresses themselves are random (ByteStrings drawn from an array would
   * add two cache misses per end that the agent does not have).
   */
  private final byte[] sourceBytes = new byte[4];

  private final byte[] destinationBytes = new byte[4];
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
    sourceAddresses = new int[CONNECTIONS];
    destinationAddresses = new int[CONNECTIONS];
    for (int i = 0; i < CONNECTIONS; i++) {
      sourceAddresses[i] = sourceIps[i].asReadOnlyByteBuffer().getInt();
      destinationAddresses[i] = destinations[i].asReadOnlyByteBuffer().getInt();
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
            .setSource(
                Endpoint.newBuilder()
                    .setIp(UnsafeByteOperations.unsafeWrap(sourceBytes))
                    .setPort(40000))
            .setDestination(
                Endpoint.newBuilder()
                    .setIp(UnsafeByteOperations.unsafeWrap(destinationBytes))
                    .setPort(ports[0]));
  }

  @Benchmark
  public EnrichmentStatus enrichRecord() {
    int r = next++;
    int generation = r / (ACTIVE_FLOWS * recordsPerFlow);
    int i = (generation * ACTIVE_FLOWS + r % ACTIVE_FLOWS) & (CONNECTIONS - 1);
    write(sourceBytes, sourceAddresses[i]);
    write(destinationBytes, destinationAddresses[i]);
    record.getSourceBuilder().setPort(1024 + generation % 60_000);
    record.getDestinationBuilder().setPort(ports[i]);
    return enricher.enrich(record, now);
  }

  /**
   * The reference: both ends' addresses looked up in a plain {@code HashMap} of {@link IpKey}s
   * (keys built from the addresses, as a map-based index must), nothing named.
   */
  @Benchmark
  public void hashMapLookups(Blackhole sink) {
    int r = next++;
    int generation = r / (ACTIVE_FLOWS * recordsPerFlow);
    int i = (generation * ACTIVE_FLOWS + r % ACTIVE_FLOWS) & (CONNECTIONS - 1);
    sink.consume(
        addresses.get(new IpKey(0, 0xFFFF_0000_0000L | sourceAddresses[i] & 0xFFFF_FFFFL)));
    sink.consume(
        addresses.get(new IpKey(0, 0xFFFF_0000_0000L | destinationAddresses[i] & 0xFFFF_FFFFL)));
  }

  private static void write(byte[] into, int address) {
    into[0] = (byte) (address >>> 24);
    into[1] = (byte) (address >>> 16);
    into[2] = (byte) (address >>> 8);
    into[3] = (byte) address;
  }

  private static ByteString bytes(String ip) throws UnknownHostException {
    return ByteString.copyFrom(InetAddress.getByName(ip).getAddress());
  }
}
