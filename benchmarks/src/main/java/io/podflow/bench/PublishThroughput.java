package io.podflow.bench;

import io.podflow.agent.enrich.ClusterMetadata;
import io.podflow.agent.enrich.Enricher;
import io.podflow.agent.enrich.KubernetesWatcher;
import io.podflow.agent.publish.FlowPublisher;
import io.podflow.agent.publish.PublisherConfig;
import io.podflow.schema.flow.v1.DirectionCounters;
import io.podflow.schema.flow.v1.EndReason;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.ObservationPoint;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.schema.net.Cidr;
import io.podflow.stack.KafkaBroker;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishing throughput and bytes per record on the broker's disk, side by side in one run against
 * a local Kafka broker: a plain producer of 95-byte records (lz4, the reference), then podflow's
 * publisher with enriched flow records (pod names, workloads, labels on both ends). Usage: {@code
 * java -cp benchmarks.jar io.podflow.bench.PublishThroughput [RECORDS]}.
 */
public final class PublishThroughput {
  private PublishThroughput() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path dir = Files.createTempDirectory("podflow-publish-bench");
    FlowRecord[] uniform = records(n, false);
    FlowRecord[] skewed = records(n, true);
    try (KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"), Duration.ofSeconds(60))) {
      kafka.createTopics(
          List.of(
              new NewTopic("plain", 3, (short) 1),
              new NewTopic("warm", 3, (short) 1),
              new NewTopic("flows-uniform-lz4", 3, (short) 1),
              new NewTopic("flows-uniform-zstd", 3, (short) 1),
              new NewTopic("flows-skewed-lz4", 3, (short) 1),
              new NewTopic("flows-skewed-zstd", 3, (short) 1)));

      // The JIT compiles the producer, the publisher and their compressors before anything is
      // timed.
      plain(kafka.bootstrapServers(), "warm", n / 5);
      for (String codec : List.of("lz4", "zstd")) {
        try (FlowPublisher warm =
            new FlowPublisher(
                PublisherConfig.of(kafka.bootstrapServers(), dir.resolve("spool-warm-" + codec))
                    .withTopic("warm")
                    .withCompression(codec),
                "warm")) {
          for (int i = 0; i < n / 5; i++) {
            warm.publish(uniform[i]);
          }
          while (warm.acknowledged() < n / 5) {
            Thread.sleep(5);
          }
        }
      }
      long t0 = System.nanoTime();
      plain(kafka.bootstrapServers(), "plain", n);
      double plainSeconds = (System.nanoTime() - t0) / 1e9;

      System.out.printf(
          "plain producer, 95-byte records, lz4: %,.0f records/s, %.1f bytes per record on disk%n",
          n / plainSeconds, (double) logBytes(dir.resolve("kafka"), "plain-") / n);
      for (String run : List.of("uniform-lz4", "uniform-zstd", "skewed-lz4", "skewed-zstd")) {
        FlowRecord[] records = run.startsWith("uniform") ? uniform : skewed;
        String codec = run.substring(run.indexOf('-') + 1);
        long rawBytes = 0;
        for (FlowRecord r : records) {
          rawBytes += r.getSerializedSize();
        }
        PublisherConfig config =
            PublisherConfig.of(kafka.bootstrapServers(), dir.resolve("spool-" + run))
                .withTopic("flows-" + run)
                .withCompression(codec);
        long t1 = System.nanoTime();
        long spooled;
        try (FlowPublisher publisher = new FlowPublisher(config, "bench")) {
          for (FlowRecord r : records) {
            publisher.publish(r);
          }
          while (publisher.acknowledged() < n) {
            Thread.sleep(5);
          }
          spooled = publisher.spooled();
        }
        double seconds = (System.nanoTime() - t1) / 1e9;
        Thread.sleep(2_000); // segments written
        System.out.printf(
            "podflow publisher, %s destinations, enriched flow records (%.0f bytes each before"
                + " compression), %s: %,.0f records/s (%.2fx the plain producer), %.1f bytes per"
                + " record on disk (%,d of them through the spool)%n",
            run.substring(0, run.indexOf('-')),
            (double) rawBytes / n,
            codec,
            n / seconds,
            plainSeconds / seconds,
            (double) logBytes(dir.resolve("kafka"), "flows-" + run + "-") / n,
            spooled);
      }
    }
  }

  private static void plain(String bootstrap, String topic, int n) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 << 10));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    SplittableRandom random = new SplittableRandom(7);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < n; i++) {
        byte[] value = new byte[95];
        for (int j = 0; j < 40; j++) {
          value[j] = (byte) random.nextInt(256); // addresses, ports, counters: little to squeeze
        }
        producer.send(new ProducerRecord<>(topic, null, value));
      }
      producer.flush();
    }
  }

  /**
   * Enriched records as one agent publishes them: 100,000 pods on 100 nodes; each record reported
   * at its source, one of the 1,000 pods of the agent's node (on that pod's veth); a tenth of the
   * destinations outside the cluster, the others pods anywhere in it: uniformly drawn from the
   * 100,000 (the worst case for compression: a batch hardly ever names a destination twice), or
   * skewed as real traffic is towards a few busy services (Deployment {@code 10,000 u^4} for a
   * uniform u: the busiest 1% of Deployments receive 32% of the connections, the busiest 10%, 56%).
   */
  static FlowRecord[] records(int n, boolean skewed) throws Exception {
    int pods = 100_000;
    ClusterMetadata metadata = new ClusterMetadata(Duration.ofMinutes(2));
    SyntheticCluster.load(new KubernetesWatcher(null, metadata, System::nanoTime), pods);
    Enricher enricher =
        new Enricher(
            metadata,
            List.of(Cidr.parse("10.0.0.0/12"), Cidr.parse("10.96.0.0/12")),
            Duration.ofSeconds(30));
    long t = 1_790_000_000_000_000_000L;
    SplittableRandom random = new SplittableRandom(1);
    FlowRecord[] out = new FlowRecord[n];
    for (int i = 0; i < n; i++) {
      int local = 100 * random.nextInt(pods / 100); // node-0's pods: i % 100 == 0
      String source = SyntheticCluster.podIp(local);
      int deployment =
          (int) (pods / SyntheticCluster.PODS_PER_DEPLOYMENT * Math.pow(random.nextDouble(), 4));
      String destination =
          i % 10 == 0
              ? "93.184." + random.nextInt(256) + "." + random.nextInt(256)
              : SyntheticCluster.podIp(
                  skewed
                      ? deployment * SyntheticCluster.PODS_PER_DEPLOYMENT
                          + random.nextInt(SyntheticCluster.PODS_PER_DEPLOYMENT)
                      : random.nextInt(pods));
      long start = t + i * 10_000L;
      FlowRecord.Builder b =
          FlowRecord.newBuilder()
              .setSchemaVersion(1)
              .setCluster("prod-eu-1")
              .setObserver(
                  ObservationPoint.newBuilder()
                      .setNode("node-0")
                      .setInterface("cali" + Integer.toHexString(0x5a000000 + local))
                      .setReporter(Reporter.REPORTER_SOURCE)
                      .setAgent("podflow-agent-x7k2p"))
              .setTimeStartNs(start)
              .setTimeEndNs(start + random.nextInt(10_000_000))
              .setFlowStartNs(start)
              .setEndReason(EndReason.END_REASON_IDLE_TIMEOUT)
              .setProtocol(6)
              .setIpVersion(4)
              .setSource(endpoint(source, 32768 + random.nextInt(28000)))
              .setDestination(endpoint(destination, 8080))
              .setSourceToDestination(
                  DirectionCounters.newBuilder()
                      .setPackets(1 + random.nextInt(100))
                      .setBytes(60 + random.nextInt(100_000))
                      .setTcpFlags(0x1b))
              .setDestinationToSource(
                  DirectionCounters.newBuilder()
                      .setPackets(1 + random.nextInt(100))
                      .setBytes(60 + random.nextInt(100_000))
                      .setTcpFlags(0x1b))
              .setSamplingRate(1);
      enricher.enrich(b, start);
      out[i] = b.build();
    }
    return out;
  }

  private static Endpoint.Builder endpoint(String ip, int port) throws Exception {
    return Endpoint.newBuilder()
        .setIp(com.google.protobuf.ByteString.copyFrom(InetAddress.getByName(ip).getAddress()))
        .setPort(port);
  }

  private static long logBytes(Path kafkaDir, String topicPrefix) throws Exception {
    try (Stream<Path> files = Files.walk(kafkaDir)) {
      return files
          .filter(f -> f.getParent().getFileName().toString().startsWith(topicPrefix))
          .filter(f -> f.getFileName().toString().endsWith(".log"))
          .mapToLong(f -> f.toFile().length())
          .sum();
    }
  }
}
