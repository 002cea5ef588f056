package io.podflow.bench;

import com.google.protobuf.ByteString;
import io.podflow.agent.enrich.ClusterMetadata;
import io.podflow.agent.enrich.Enricher;
import io.podflow.agent.enrich.KubernetesWatcher;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.EnrichmentStatus;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.net.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

/**
 * Enrichment of one flow record's two ends, as the agent does for every exported record: with
 * 100,000 pods, 10,000 Services and EndpointSlices. Connections: pod to pod (a third), pod to a
 * Service's cluster IP (a third), pod to the outside world (a third).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class EnrichmentBenchmark {
  private static final int RECORDS = 1 << 14;

  @Param("100000")
  int pods;

  private Enricher enricher;
  private FlowRecord.Builder[] records;
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
    records = new FlowRecord.Builder[RECORDS];
    for (int i = 0; i < RECORDS; i++) {
      String source = SyntheticCluster.podIp(random.nextInt(pods));
      String destination;
      int port;
      switch (i % 3) {
        case 0 -> {
          destination = SyntheticCluster.podIp(random.nextInt(pods));
          port = 8080;
        }
        case 1 -> {
          destination =
              SyntheticCluster.serviceIp(
                  random.nextInt(pods / SyntheticCluster.PODS_PER_DEPLOYMENT));
          port = 80;
        }
        default -> {
          destination = "93.184." + random.nextInt(256) + "." + random.nextInt(256);
          port = 443;
        }
      }
      records[i] =
          FlowRecord.newBuilder()
              .setProtocol(6)
              .setTimeStartNs(t - 1_000_000_000L)
              .setTimeEndNs(t)
              .setSource(endpoint(source, 40000 + i % 20000))
              .setDestination(endpoint(destination, port));
    }
  }

  @Benchmark
  public EnrichmentStatus enrichRecord() {
    FlowRecord.Builder record = records[next++ & (RECORDS - 1)];
    return enricher.enrich(record, now);
  }

  private static Endpoint.Builder endpoint(String ip, int port) throws UnknownHostException {
    return Endpoint.newBuilder()
        .setIp(ByteString.copyFrom(InetAddress.getByName(ip).getAddress()))
        .setPort(port);
  }
}
