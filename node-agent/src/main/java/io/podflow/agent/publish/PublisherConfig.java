package io.podflow.agent.publish;

import io.podflow.schema.kafka.KafkaClientProperties;
import io.podflow.schema.kafka.PodflowTopic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Where and how the agent publishes flow records.
 *
 * @param bootstrapServers Kafka's bootstrap servers, host:port[,host:port...]
 * @param topic the flow topic (default {@code podflow.flows.v1})
 * @param compression zstd (default: about half the bytes of lz4 on the broker's disk and the
 *     network, for a little more of the agent's CPU) or lz4
 * @param linger how long the producer waits to fill a batch
 * @param bufferBytes the producer's memory for records not yet acknowledged; once full (Kafka slow
 *     or away), records go to the spool
 * @param spoolDir where records wait on disk while Kafka cannot take them
 * @param spoolBytes the spool's bound: beyond it the oldest records are dropped and counted
 * @param spoolFsync when the spool's writes are forced to the disk (default {@link
 *     SpoolFsync#INTERVAL}, once a second)
 * @param clientProperties further Kafka client settings, for TLS and SASL ({@code
 *     security.protocol}, {@code ssl.*}, {@code sasl.*})
 */
public record PublisherConfig(
    String bootstrapServers,
    String topic,
    String compression,
    Duration linger,
    long bufferBytes,
    Path spoolDir,
    long spoolBytes,
    SpoolFsync spoolFsync,
    Map<String, String> clientProperties) {

  public static final String DEFAULT_TOPIC = PodflowTopic.FLOWS.topic();
  private static final Set<String> COMPRESSIONS = Set.of("lz4", "zstd");

  public PublisherConfig {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("kafka.bootstrapServers is required (host:port,...)");
    }
    if (!COMPRESSIONS.contains(compression)) {
      throw new IllegalArgumentException(
          "kafka.compression must be lz4 or zstd, not '" + compression + "'");
    }
    if (bufferBytes < 1 << 20) {
      throw new IllegalArgumentException("kafka.bufferBytes must be at least 1 MiB");
    }
    if (spoolBytes < 16L << 20) {
      throw new IllegalArgumentException("spool.maxBytes must be at least 16 MiB");
    }
    if (spoolFsync == null) {
      throw new IllegalArgumentException("spool.fsync is required (never, interval, always)");
    }
    clientProperties = Map.copyOf(clientProperties);
  }

  /** With the default fsync policy, {@link SpoolFsync#INTERVAL}. */
  public PublisherConfig(
      String bootstrapServers,
      String topic,
      String compression,
      Duration linger,
      long bufferBytes,
      Path spoolDir,
      long spoolBytes,
      Map<String, String> clientProperties) {
    this(
        bootstrapServers,
        topic,
        compression,
        linger,
        bufferBytes,
        spoolDir,
        spoolBytes,
        SpoolFsync.INTERVAL,
        clientProperties);
  }

  /** The settings as {@code --check} shows them: client properties by key, values not shown. */
  @Override
  public String toString() {
    return "PublisherConfig[bootstrapServers="
        + bootstrapServers
        + ", topic="
        + topic
        + ", compression="
        + compression
        + ", linger="
        + linger
        + ", bufferBytes="
        + bufferBytes
        + ", spoolDir="
        + spoolDir
        + ", spoolBytes="
        + spoolBytes
        + ", spoolFsync="
        + spoolFsync
        + ", clientProperties="
        + KafkaClientProperties.of(clientProperties)
        + "]";
  }

  /** zstd, 20 ms linger, 32 MiB of producer memory, a 256 MiB spool. */
  public static PublisherConfig of(String bootstrapServers, Path spoolDir) {
    return new PublisherConfig(
        bootstrapServers,
        DEFAULT_TOPIC,
        "zstd",
        Duration.ofMillis(20),
        32L << 20,
        spoolDir,
        256L << 20,
        Map.of());
  }

  public PublisherConfig withBufferBytes(long bytes) {
    return new PublisherConfig(
        bootstrapServers,
        topic,
        compression,
        linger,
        bytes,
        spoolDir,
        spoolBytes,
        spoolFsync,
        clientProperties);
  }

  public PublisherConfig withSpoolBytes(long bytes) {
    return new PublisherConfig(
        bootstrapServers,
        topic,
        compression,
        linger,
        bufferBytes,
        spoolDir,
        bytes,
        spoolFsync,
        clientProperties);
  }

  public PublisherConfig withSpoolFsync(SpoolFsync policy) {
    return new PublisherConfig(
        bootstrapServers,
        topic,
        compression,
        linger,
        bufferBytes,
        spoolDir,
        spoolBytes,
        policy,
        clientProperties);
  }

  public PublisherConfig withCompression(String codec) {
    return new PublisherConfig(
        bootstrapServers,
        topic,
        codec,
        linger,
        bufferBytes,
        spoolDir,
        spoolBytes,
        spoolFsync,
        clientProperties);
  }

  public PublisherConfig withTopic(String name) {
    return new PublisherConfig(
        bootstrapServers,
        name,
        compression,
        linger,
        bufferBytes,
        spoolDir,
        spoolBytes,
        spoolFsync,
        clientProperties);
  }
}
