package io.podflow.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.podflow.agent.capture.CaptureConfig;
import io.podflow.agent.flow.FlowTableConfig;
import io.podflow.agent.policies.PolicySettings;
import io.podflow.agent.publish.PublisherConfig;
import io.podflow.agent.publish.SpoolFsync;
import io.podflow.schema.kafka.BootstrapServers;
import io.podflow.schema.kafka.KafkaClientProperties;
import io.podflow.schema.net.Cidr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The agent's configuration: one YAML file (every key optional but the cluster's name and Kafka's
 * servers; defaults in the README) with environment overrides ({@code
 * PODFLOW_KAFKA_BOOTSTRAPSERVERS}), checked as a whole at start.
 */
public record AgentConfig(
    String cluster,
    String node,
    String agent,
    CaptureConfig capture,
    FlowTableConfig flows,
    Enrichment enrichment,
    PublisherConfig kafka,
    Policies policies,
    String httpAddress,
    int httpPort) {

  /**
   * Where the agent serves HTTP unless {@code http.address} says: the pod's IP the DaemonSet passes
   * ({@code POD_IP}, from {@code status.podIP}: the node's IP on the host network), so metrics and
   * probes are not offered on every interface of the node. Without it, loopback: a forgotten
   * variable then fails the probes at rollout, where it shows, instead of exposing the agent.
   */
  static final String ADDRESS_VARIABLE = "POD_IP";

  /**
   * Publication of NetworkPolicies and Namespaces by the elected agent.
   *
   * @param leaseNamespace where the election's Lease lives (the agent's namespace)
   */
  public record Policies(boolean enabled, String topic, String leaseNamespace) {}

  /**
   * @param enabled off for an agent outside a cluster (records carry addresses only)
   * @param clusterCidrs pod and Service networks: an unknown address in them is "unknown", out of
   *     them "external"
   */
  public record Enrichment(
      boolean enabled, List<Cidr> clusterCidrs, Duration tombstone, Duration staleAfter) {}

  /** Thrown with every problem found, each naming its key. */
  public static final class InvalidConfigException extends RuntimeException {
    private final List<String> problems;

    InvalidConfigException(String source, List<String> problems) {
      super("invalid configuration (" + source + "):\n  " + String.join("\n  ", problems));
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }

  public static AgentConfig load(Path file, Map<String, String> environment) {
    try {
      return parse(Files.readString(file), file.toString(), environment);
    } catch (IOException e) {
      throw new InvalidConfigException(file.toString(), List.of("cannot read: " + e.getMessage()));
    }
  }

  public static AgentConfig parse(String yaml, String source, Map<String, String> environment) {
    JsonNode doc;
    try {
      doc = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (IOException e) {
      throw new InvalidConfigException(source, List.of("not YAML: " + e.getMessage()));
    }
    if (doc != null && !doc.isMissingNode() && !doc.isNull() && !doc.isObject()) {
      throw new InvalidConfigException(source, List.of("expected a map of sections at the top"));
    }
    ObjectNode root =
        doc == null || !doc.isObject() ? new ObjectMapper().createObjectNode() : (ObjectNode) doc;
    ConfigTree c = new ConfigTree(root, environment);

    String cluster = c.required("cluster", "the Kubernetes cluster's name, as records carry it");
    String node = c.string("node", environment.getOrDefault("NODE_NAME", hostname()));
    String agent = c.string("agent", environment.getOrDefault("POD_NAME", "podflow-agent"));

    CaptureConfig capture = null;
    try {
      capture =
          CaptureConfig.of(
                  c.list("capture.interfaces", List.of("veth*", "cali*", "lxc*", "cni0")),
                  c.string("capture.filter", ""))
              .withSnaplen((int) c.number("capture.snaplen", 128, 64, 262_144))
              .withBufferBytes(
                  (int)
                      c.number(
                          "capture.bufferBytes",
                          CaptureConfig.DEFAULT_BUFFER_BYTES,
                          65_536,
                          Integer.MAX_VALUE))
              .withImmediateMode(c.flag("capture.immediate", true))
              .withBatchDelay(Duration.ofMillis(c.number("capture.batchDelayMs", 5, 0, 50)))
              .withThreads(
                  (int)
                      c.number(
                          "capture.threads",
                          CaptureConfig.DEFAULT_THREADS,
                          1,
                          CaptureConfig.MAX_THREADS));
    } catch (IllegalArgumentException e) {
      c.error("capture: " + e.getMessage());
    }
    if (capture != null) {
      String refused = CaptureFilterCheck.problem(capture.bpfFilter(), capture.snaplen());
      if (refused != null) {
        c.error("capture.filter: libpcap refuses '" + capture.bpfFilter() + "': " + refused);
      }
    }

    FlowTableConfig flows = null;
    try {
      flows =
          FlowTableConfig.defaults()
              .withTimeouts(
                  c.seconds("flows.activeTimeoutSeconds", 10, 1, 3600),
                  c.seconds("flows.idleTimeoutSeconds", 15, 1, 3600))
              .withMaxFlows((int) c.number("flows.maxFlows", 262_144, 1_024, 16_777_216));
    } catch (IllegalArgumentException e) {
      c.error("flows: " + e.getMessage());
    }

    List<Cidr> cidrs = new ArrayList<>();
    for (String text : c.list("enrichment.clusterCidrs", List.of("10.0.0.0/8"))) {
      try {
        cidrs.add(Cidr.parse(text));
      } catch (IllegalArgumentException e) {
        c.error("enrichment.clusterCidrs: " + e.getMessage());
      }
    }
    Enrichment enrichment =
        new Enrichment(
            c.flag("enrichment.enabled", true),
            cidrs,
            c.seconds("enrichment.tombstoneSeconds", 120, 10, 86_400),
            c.seconds("enrichment.staleAfterSeconds", 30, 1, 86_400));

    PublisherConfig kafka = null;
    String servers = c.required("kafka.bootstrapServers", "host:port[,host:port...]");
    if (servers != null && !servers.isBlank()) {
      BootstrapServers.problems(servers).forEach(p -> c.error("kafka.bootstrapServers: " + p));
    }
    String topic = c.string("kafka.topic", PublisherConfig.DEFAULT_TOPIC);
    String compression = c.string("kafka.compression", "zstd");
    long buffer = c.number("kafka.bufferBytes", 32L << 20, 1L << 20, 1L << 34);
    Map<String, String> properties = c.map("kafka.properties");
    // Checked here, so that --check names them: the publisher promises each record once, in order,
    // on every in-sync replica, and its own keys set the rest.
    KafkaClientProperties.of(properties)
        .refusals(
            "kafka.properties.",
            Map.of(
                "bootstrap.servers", "kafka.bootstrapServers",
                "compression.type", "kafka.compression",
                "buffer.memory", "kafka.bufferBytes"))
        .forEach(c::error);
    String spoolDir = c.string("spool.dir", "/var/lib/podflow/spool");
    long spoolBytes = c.number("spool.maxBytes", 256L << 20, 16L << 20, 1L << 40);
    SpoolFsync fsync = SpoolFsync.INTERVAL;
    try {
      fsync = SpoolFsync.parse(c.string("spool.fsync", SpoolFsync.INTERVAL.toString()));
    } catch (IllegalArgumentException e) {
      c.error(e.getMessage());
    }
    if (servers != null && !servers.isBlank()) {
      try {
        kafka =
            new PublisherConfig(
                servers,
                topic,
                compression,
                Duration.ofMillis(20),
                buffer,
                Path.of(spoolDir),
                spoolBytes,
                fsync,
                properties);
      } catch (IllegalArgumentException e) {
        c.error(e.getMessage());
      }
    }
    Policies policies =
        new Policies(
            c.flag("policies.enabled", enrichment.enabled()),
            c.string("policies.topic", PolicySettings.DEFAULT_TOPIC),
            c.string(
                "policies.leaseNamespace",
                environment.getOrDefault("POD_NAMESPACE", PolicySettings.DEFAULT_LEASE_NAMESPACE)));
    int port = (int) c.number("http.port", 9090, 0, 65_535);
    String address =
        c.string("http.address", environment.getOrDefault(ADDRESS_VARIABLE, "127.0.0.1"));
    if (address.isBlank()) {
      c.error("http.address: an IP address or host name, or 0.0.0.0 for every interface");
    }

    List<String> problems = c.errors();
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(source, problems);
    }
    return new AgentConfig(
        cluster, node, agent, capture, flows, enrichment, kafka, policies, address, port);
  }

  private static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "unknown-node";
    }
  }
}
