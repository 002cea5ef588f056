package io.podflow.e2e.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podflow.e2e.images.Images;
import io.podflow.e2e.images.IndexedDocuments;
import io.podflow.e2e.images.RunTopics;
import io.podflow.processor.job.FlowProcessorJob;
import io.podflow.processor.job.ProcessorConfig;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.OpenSearchNode;
import io.podflow.stack.TopicReader;
import io.podflow.stack.junit.LocalStackExtension;
import io.podflow.stack.lab.MockApiServer;
import io.podflow.stack.lab.NetnsLab;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node smoke test: the agent image, built on a local Debian base, runs under podman with the
 * flags derived from the rendered DaemonSet ({@link DaemonSetTranslator}: host network, the same
 * user, capabilities, read-only root, no_new_privs, mounts, environment, memory limit and
 * arguments), captures the lab's pods, names them from the mock API, publishes to Kafka, and the
 * flow processor (MiniCluster) turns its records into documents in OpenSearch.
 */
@ExtendWith(LocalStackExtension.class)
class NodeSmokeIT {
  /**
   * The agent's kustomization, relative to the repository (CONTRACTS.md: the node smoke test
   * renders it); a system property may point elsewhere.
   */
  static final String AGENT_MANIFESTS =
      System.getProperty("podflow.agentManifests", "deploy/base/agent");

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String NODE = "smoke-node";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Capability numbers (linux/capability.h) of those an agent might be granted. */
  private static final Map<String, Integer> CAPABILITY_BITS =
      Map.of(
          "NET_ADMIN",
          12,
          "NET_RAW",
          13,
          "IPC_LOCK",
          14,
          "SYS_PTRACE",
          19,
          "SYS_ADMIN",
          21,
          "SYS_RESOURCE",
          24,
          "PERFMON",
          38,
          "BPF",
          39);

  @TempDir Path dir;

  @Test
  void theAgentImageRunAsTheDaemonSetSaysCapturesNamesAndPublishesFlowsThatReachOpenSearch(
      KafkaBroker kafka, OpenSearchNode openSearch) throws Exception {
    Images.build("agent");
    List<JsonNode> objects = RenderedManifests.render(Images.ROOT.resolve(AGENT_MANIFESTS));
    JsonNode daemonSet = RenderedManifests.find(objects, "DaemonSet", "podflow-agent");

    String run = "smoke-" + System.nanoTime();
    RunTopics topics = RunTopics.create(kafka, run);
    String flows = topics.flows();
    String policies = topics.policies();
    int httpPort = freePort();
    String agentPod = "podflow-agent-x1y2z";

    try (MockApiServer api = new MockApiServer();
        KubernetesClient client = api.server().createClient();
        NetnsLab lab = new NetnsLab()) {
      NetnsLab.Pod clientPod = lab.addPod();
      NetnsLab.Pod serverPod = lab.addPod();
      createCluster(client, Map.of("client-0", clientPod.ip(), "server-0", serverPod.ip()));

      PodmanRun agent =
          DaemonSetTranslator.translate(
              daemonSet,
              objects,
              new DaemonSetTranslator.Node(
                  Map.of(
                      "spec.nodeName",
                      NODE,
                      "metadata.name",
                      agentPod,
                      "metadata.namespace",
                      daemonSet.at("/metadata/namespace").asText(),
                      "status.podIP",
                      "127.0.0.1",
                      "status.hostIP",
                      "127.0.0.1"),
                  "http://127.0.0.1:" + api.port(),
                  dir.resolve("node")));
      System.out.println("node smoke test: podman run " + String.join(" ", agent.flags()));

      // What differs from a cluster, as the agent's environment overrides (PODFLOW_*): the lab's
      // servers and interfaces, this run's topics and cluster name, a free port for HTTP, and
      // short flow timeouts so that records come while the test waits.
      Map<String, String> overrides = new LinkedHashMap<>();
      overrides.put("PODFLOW_CLUSTER", run);
      overrides.put("PODFLOW_KAFKA_BOOTSTRAPSERVERS", kafka.bootstrapServers());
      overrides.put("PODFLOW_KAFKA_TOPIC", flows);
      overrides.put("PODFLOW_POLICIES_TOPIC", policies);
      overrides.put("PODFLOW_CAPTURE_INTERFACES", lab.vethPrefix() + "*");
      overrides.put("PODFLOW_HTTP_PORT", String.valueOf(httpPort));
      overrides.put("PODFLOW_FLOWS_ACTIVETIMEOUTSECONDS", "1");
      overrides.put("PODFLOW_FLOWS_IDLETIMEOUTSECONDS", "1");
      List<String> flags = new ArrayList<>(agent.flags());
      flags.addAll(List.of("--name", run));
      overrides.forEach((k, v) -> flags.addAll(List.of("--env", k + "=" + v)));

      Path log = dir.resolve("agent.log");
      Process container =
          new ProcessBuilder(Images.runCommand(flags, agent.image(), agent.args()))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      ProcessorConfig processor =
          ProcessorConfig.parse(
              new String[] {
                "--bootstrap-servers=" + kafka.bootstrapServers(),
                "--opensearch=" + openSearch.httpUri(),
                "--flows-topic=" + flows,
                "--policies-topic=" + policies,
                "--group-id=" + run
              },
              Map.of());
      JobClient job = null;
      try {
        awaitHttp(agent.readiness().path(), httpPort, container, log);
        assertThat(status(agent.liveness().path(), httpPort)).isEqualTo(200);
        assertProcessRunsAsTheManifestSays(run, daemonSet);

        Runnable traffic = () -> lab.run(clientPod, "ping -c 2 -i 0.2 -W 1 " + serverPod.ip());
        FlowRecord record = awaitRecord(kafka, flows, run, traffic, log);
        assertThat(record.getSource().getKubernetes().getPodName()).isEqualTo("client-0");
        assertThat(record.getDestination().getKubernetes().getPodName()).isEqualTo("server-0");
        assertThat(record.getSource().getKubernetes().getNamespace()).isEqualTo("lab");
        assertThat(record.getObserver().getNode()).isEqualTo(NODE);
        assertThat(record.getObserver().getAgent()).isEqualTo(agentPod);

        job = startJob(processor);
        JsonNode doc = awaitDocument(openSearch.httpUri(), run, traffic);
        assertThat(doc.at("/source/kubernetes/pod/name").asText()).isEqualTo("client-0");
        assertThat(doc.at("/destination/kubernetes/pod/name").asText()).isEqualTo("server-0");
        assertThat(doc.at("/network/transport").asText()).isEqualTo("icmp");
      } finally {
        if (job != null) {
          job.cancel().get(60, TimeUnit.SECONDS);
        }
        // SIGTERM, as the kubelet stops a pod, then what is left.
        Images.stop(run, 30);
        container.waitFor(60, TimeUnit.SECONDS);
      }
      // The agent logs for a log pipeline: every line it wrote is one JSON object.
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      List<String> agentLines = lines.stream().filter(l -> l.startsWith("{")).toList();
      assertThat(agentLines).isNotEmpty();
      for (String line : agentLines) {
        assertThat(JSON.readTree(line).has("log.level")).as(line).isTrue();
      }
      // The spool lives in the hostPath volume: the agent could write there as the manifest's user.
      assertThat(agent.hostPaths()).containsKey("/var/lib/podflow");
    }
  }

  /**
   * What the kernel says of the agent's process (PID 1 in the container): the manifest's user,
   * exactly its added capabilities, no_new_privs, a seccomp filter, and the memory limit.
   */
  private static void assertProcessRunsAsTheManifestSays(String container, JsonNode daemonSet) {
    JsonNode c = daemonSet.at("/spec/template/spec/containers/0");
    long capabilities = 0;
    for (JsonNode cap : c.at("/securityContext/capabilities/add")) {
      Integer bit = CAPABILITY_BITS.get(cap.asText());
      assertThat(bit).as("a known capability: " + cap).isNotNull();
      capabilities |= 1L << bit;
    }
    String status = Images.podman("exec", container, "cat", "/proc/1/status");
    assertThat(status)
        .containsPattern("(?m)^Uid:\\s+" + c.at("/securityContext/runAsUser").asText() + "\\s")
        .containsPattern("(?m)^CapEff:\\s+" + String.format("%016x", capabilities) + "$")
        .containsPattern("(?m)^CapBnd:\\s+" + String.format("%016x", capabilities) + "$")
        .containsPattern("(?m)^NoNewPrivs:\\s+1$")
        .containsPattern("(?m)^Seccomp:\\s+2$");
    assertThat(Images.podman("inspect", "--format", "{{.HostConfig.Memory}}", container).trim())
        .isEqualTo(
            String.valueOf(DaemonSetTranslator.bytes(c.at("/resources/limits/memory").asText())));
  }

  private static void createCluster(KubernetesClient client, Map<String, String> pods) {
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName("lab").endMetadata().build())
        .create();
    client
        .resource(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata().build())
        .create();
    pods.forEach(
        (name, ip) ->
            client
                .resource(
                    new PodBuilder()
                        .withNewMetadata()
                        .withNamespace("lab")
                        .withName(name)
                        .addToLabels("app", name.substring(0, name.indexOf('-')))
                        .endMetadata()
                        .withNewSpec()
                        .withNodeName(NODE)
                        .addNewContainer()
                        .withName("main")
                        .withImage("registry.example/" + name + ":1")
                        .endContainer()
                        .endSpec()
                        .withNewStatus()
                        .withPhase("Running")
                        .withPodIP(ip)
                        .endStatus()
                        .build())
                .create());
  }

  private static JobClient startJob(ProcessorConfig processor) throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(FlowProcessorJob.settings());
    env.setParallelism(1);
    FlowProcessorJob.configure(env, processor);
    FlowProcessorJob.build(env, processor);
    return env.executeAsync("podflow flow processor");
  }

  private static void awaitHttp(String path, int port, Process container, Path log)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!container.isAlive()) {
        throw new AssertionError("the agent's container ended: " + Files.readString(log));
      }
      if (status(path, port) == 200) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(path + " not ready within " + WAIT + ": " + Files.readString(log));
  }

  private static int status(String path, int port) throws InterruptedException {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException notYet) {
      return -1;
    }
  }

  private static FlowRecord awaitRecord(
      KafkaBroker kafka, String topic, String cluster, Runnable traffic, Path log)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      traffic.run();
      for (var r : TopicReader.all(kafka.bootstrapServers(), topic)) {
        FlowRecord record = FlowRecord.parseFrom(r.value());
        if (record.getCluster().equals(cluster)
            && record.getSource().hasKubernetes()
            && record.getSource().getKubernetes().getPodName().equals("client-0")
            && record.getDestination().hasKubernetes()) {
          return record;
        }
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("no named record within " + WAIT + ": " + Files.readString(log));
  }

  private static JsonNode awaitDocument(URI openSearch, String cluster, Runnable traffic)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<JsonNode> docs = List.of();
    while (System.nanoTime() < deadline) {
      traffic.run();
      docs = IndexedDocuments.of(openSearch, "podflow-flows", cluster);
      for (JsonNode doc : docs) {
        if (doc.at("/source/kubernetes/pod/name").asText().equals("client-0")) {
          return doc;
        }
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("no document within " + WAIT + ": " + docs);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
