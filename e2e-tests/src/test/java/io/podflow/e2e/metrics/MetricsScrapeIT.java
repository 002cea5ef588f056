package io.podflow.e2e.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.podflow.agent.app.Agent;
import io.podflow.agent.config.AgentConfig;
import io.podflow.processor.job.FlowProcessorJob;
import io.podflow.processor.job.ProcessorConfig;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.OpenSearchNode;
import io.podflow.stack.Prometheus;
import io.podflow.stack.Prometheus.ScrapeJob;
import io.podflow.stack.junit.LocalStackExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus scrapes the node agent's /metrics and the flow processor's metrics (Flink's
 * Prometheus reporter, configured as deploy/base/processor/flinkdeployment.yaml configures it),
 * both targets are up, and podflow's series are in Prometheus: the agent's frame counter and the
 * job's decode counter. The agent captures UDP on loopback and publishes to the job's topic, so the
 * job counts what the agent sent, as they are wired in a cluster.
 */
@ExtendWith(LocalStackExtension.class)
@EnableKubernetesMockClient(crud = true)
class MetricsScrapeIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String AGENT_JOB = "podflow-agent";
  private static final String PROCESSOR_JOB = "podflow-flow-processor";

  // fabric8's mock server logs every request through java.util.logging; held so the level sticks.
  private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_SERVER_LOG.setLevel(Level.WARNING);
  }

  // The agent's Kubernetes API: fabric8's mock server in CRUD mode (set by its extension).
  static KubernetesClient client;

  @TempDir Path dir;

  @Test
  void prometheusScrapesTheAgentAndTheJob(KafkaBroker kafka, OpenSearchNode openSearch)
      throws Exception {
    String run = "metrics-" + System.nanoTime();
    // Topics of its own for what the agent and the job share; the rest as deployed.
    ProcessorConfig processor =
        ProcessorConfig.parse(
            new String[] {
              "--bootstrap-servers=" + kafka.bootstrapServers(),
              "--opensearch=" + openSearch.httpUri(),
              "--flows-topic=" + run + ".flows",
              "--policies-topic=" + run + ".policies",
              "--group-id=" + run
            },
            Map.of());
    kafka.createTopics(
        List.of(
            new NewTopic(processor.flowsTopic(), 1, (short) 1),
            // Compacted, as agent and processor require.
            new NewTopic(processor.policiesTopic(), 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact"))));
    int reporterPort = freePort();

    // Datagrams to a socket of our own, so loopback carries UDP and no ICMP "port unreachable".
    try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        DatagramSocket sender = new DatagramSocket();
        Agent agent = new Agent(agentConfig(kafka, processor, receiver.getLocalPort()), client)) {
      agent.start();
      JobClient job = startJob(processor, reporterPort);
      try (Prometheus prometheus =
          Prometheus.start(
              dir.resolve("prometheus"),
              List.of(
                  new ScrapeJob(AGENT_JOB, "/metrics", List.of("127.0.0.1:" + agent.httpPort())),
                  // The path Prometheus scrapes pods annotated prometheus.io/scrape by default,
                  // as flinkdeployment.yaml annotates the job's pods (the reporter serves it too).
                  new ScrapeJob(PROCESSOR_JOB, "/metrics", List.of("127.0.0.1:" + reporterPort))),
              Duration.ofSeconds(1),
              WAIT)) {
        Runnable traffic =
            () -> send(sender, receiver.getLocalSocketAddress(), "podflow metrics check");

        JsonNode targets = awaitTargetsUp(prometheus, traffic);
        assertThat(targets)
            .extracting(t -> t.at("/labels/job").asText())
            .containsExactlyInAnyOrder(AGENT_JOB, PROCESSOR_JOB);

        JsonNode frames = awaitSeries(prometheus, "podflow_frames_total", traffic);
        assertThat(frames.at("/metric/job").asText()).isEqualTo(AGENT_JOB);
        assertThat(value(frames)).isPositive();

        // The job's own counter in the decode operator (DecodeFlows' "recordsIn"): here, the
        // records the agent published from the datagrams above.
        JsonNode recordsIn =
            awaitSeries(
                prometheus,
                "flink_taskmanager_job_task_operator_recordsIn{operator_name=\"decode\"}",
                traffic);
        assertThat(recordsIn.at("/metric/job").asText()).isEqualTo(PROCESSOR_JOB);
        // The job's name as the reporter writes label values: characters other than letters,
        // digits, ':' and '_' become '_'.
        assertThat(recordsIn.at("/metric/job_name").asText()).isEqualTo("podflow_flow_processor");
        assertThat(value(recordsIn)).isPositive();
      } finally {
        job.cancel().get(60, TimeUnit.SECONDS);
      }
    }
  }

  private AgentConfig agentConfig(KafkaBroker kafka, ProcessorConfig processor, int udpPort) {
    String yaml =
        String.join(
            "\n",
            "cluster: " + processor.groupId(),
            "capture:",
            "  interfaces: [lo]",
            "  filter: udp port " + udpPort,
            // Short timeouts: the datagrams' records reach Kafka (and the job) while the test
            // waits.
            "flows:",
            "  activeTimeoutSeconds: 1",
            "  idleTimeoutSeconds: 1",
            "kafka:",
            "  bootstrapServers: " + kafka.bootstrapServers(),
            "  topic: " + processor.flowsTopic(),
            "policies:",
            "  topic: " + processor.policiesTopic(),
            "spool:",
            "  dir: " + dir.resolve("spool"),
            "http:",
            "  port: 0");
    return AgentConfig.parse(yaml, "test", Map.of("NODE_NAME", "node-1"));
  }

  /** The processor on a local MiniCluster, with Flink's Prometheus reporter on {@code port}. */
  private static JobClient startJob(ProcessorConfig processor, int port) throws Exception {
    // The keys flinkdeployment.yaml sets in flinkConfiguration, so this checks that configuration.
    Configuration flink =
        Configuration.fromMap(
            Map.of(
                "metrics.reporter.prom.factory.class",
                PrometheusReporterFactory.class.getName(),
                "metrics.reporter.prom.port",
                String.valueOf(port)));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    env.setParallelism(1);
    FlowProcessorJob.configure(env, processor);
    FlowProcessorJob.build(env, processor);
    return env.executeAsync("podflow flow processor");
  }

  /** The active targets, once every one of them is up; traffic flows while waiting. */
  private static JsonNode awaitTargetsUp(Prometheus prometheus, Runnable traffic) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    JsonNode targets;
    do {
      traffic.run();
      targets = JSON.readTree(prometheus.targets()).at("/data/activeTargets");
      List<String> health = new ArrayList<>();
      targets.forEach(t -> health.add(t.path("health").asText()));
      // Two scrape jobs, one target each; discovery adds them a few seconds after start.
      if (health.size() == 2 && health.stream().allMatch("up"::equals)) {
        return targets;
      }
      Thread.sleep(500);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("targets not all up within " + WAIT + ": " + targets);
  }

  /** The query's first series whose value is above 0, once there is one; traffic meanwhile. */
  private static JsonNode awaitSeries(Prometheus prometheus, String promql, Runnable traffic)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    JsonNode result;
    do {
      traffic.run();
      result = JSON.readTree(prometheus.query(promql)).at("/data/result");
      for (JsonNode series : result) {
        if (value(series) > 0) {
          return series;
        }
      }
      Thread.sleep(500);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(
        "no series of "
            + promql
            + " above 0 within "
            + WAIT
            + ": "
            + result
            + "\ntargets: "
            + prometheus.targets());
  }

  private static double value(JsonNode series) {
    return Double.parseDouble(series.at("/value/1").asText("0"));
  }

  private static void send(DatagramSocket sender, SocketAddress to, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    try {
      sender.send(new DatagramPacket(bytes, bytes.length, to));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
