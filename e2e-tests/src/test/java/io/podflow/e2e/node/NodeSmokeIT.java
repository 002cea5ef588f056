package io.podflow.e2e.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podflow.e2e.images.Images;
import io.podflow.e2e.images.IndexedDocuments;
import io.podflow.processor.job.FlowProcessorJob;
import io.podflow.processor.job.ProcessorConfig;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.kafka.KafkaClientProperties;
import io.podflow.schema.kafka.PodflowTopic;
import io.podflow.schema.kafka.TopicSetup;
import io.podflow.stack.ComponentAcl;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.KafkaBroker.ScramUser;
import io.podflow.stack.LoopbackCertificates;
import io.podflow.stack.OpenSearchNode;
import io.podflow.stack.OpenSearchSecurity;
import io.podflow.stack.StrimziAcls;
import io.podflow.stack.TopicReader;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node smoke test, on the secured stack: the agent image, built on a local Debian base, runs
 * under podman with the flags derived from the rendered DaemonSet ({@link DaemonSetTranslator}:
 * host network, the same user, capabilities, read-only root, no_new_privs, mounts, Secrets,
 * environment, memory limit and arguments) and its shipped agent.yaml, changed only through
 * PODFLOW_* overrides for what differs on this machine. It captures the lab's pods, names them from
 * the mock API and publishes over TLS with SCRAM-SHA-512 as podflow-agent to a broker that enforces
 * the ACLs of deploy/'s rendered KafkaUsers. The flow processor (MiniCluster), with the
 * FlinkDeployment's own arguments and kafka-client.properties, reads them as podflow-flow-processor
 * and indexes into an OpenSearch with TLS and basic authentication that enforces deploy/'s
 * roles.yml. One secured broker and one secured OpenSearch for the class.
 */
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

  @TempDir static Path servers;
  private static ScramUser agentUser;
  private static ScramUser processorUser;
  private static KafkaBroker kafka;
  private static OpenSearchNode openSearch;

  @TempDir Path dir;

  /**
   * The secured broker with the components' users and the ACLs of the rendered KafkaUsers, its
   * topics as {@code podflow setup} makes them; the secured OpenSearch with the rendered roles.
   */
  @BeforeAll
  static void startSecuredServers() throws Exception {
    // OpenSearch runs as its own unprivileged user, who must reach its directory below this one.
    Files.setPosixFilePermissions(servers, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<JsonNode> kafkaObjects =
        RenderedManifests.render(Images.ROOT.resolve("deploy/base/kafka"));
    List<ComponentAcl> acls = new ArrayList<>();
    for (JsonNode user : kafkaObjects) {
      if (user.path("kind").asText().equals("KafkaUser")) {
        acls.add(
            StrimziAcls.read(
                user.at("/metadata/name").asText(),
                JSON.convertValue(
                    user.at("/spec/authorization/acls"),
                    new TypeReference<List<Map<String, Object>>>() {})));
      }
    }
    agentUser = new ScramUser("podflow-agent", "agent-" + UUID.randomUUID());
    processorUser = new ScramUser("podflow-flow-processor", "processor-" + UUID.randomUUID());
    kafka =
        KafkaBroker.start(
            servers.resolve("kafka"),
            Duration.ofSeconds(120),
            KafkaBroker.Options.plaintext()
                .withSecuredListener(
                    new KafkaBroker.SecuredListener(
                        new ScramUser("podflow-admin", "admin-" + UUID.randomUUID()),
                        List.of(agentUser, processorUser),
                        acls)));
    // Through the internal listener (a super user), as an operator runs podflow setup.
    List<TopicSetup.Outcome> topics =
        TopicSetup.apply(
            kafka.bootstrapServers(), KafkaClientProperties.NONE, TopicSetup.Plan.defaults());
    assertThat(topics).noneMatch(TopicSetup.Outcome::failed);

    // The security plugin's roles as deploy/ mounts them (the ConfigMap holding roles.yml).
    List<JsonNode> roles =
        RenderedManifests.render(Images.ROOT.resolve("deploy/base/opensearch")).stream()
            .filter(o -> o.path("kind").asText().equals("ConfigMap"))
            .filter(o -> o.at("/data/roles.yml").isTextual())
            .toList();
    assertThat(roles).hasSize(1);
    openSearch =
        OpenSearchNode.startSecured(
            servers.resolve("opensearch"),
            Duration.ofSeconds(240),
            new OpenSearchSecurity(
                    LoopbackCertificates.issue(servers.resolve("opensearch-tls")),
                    "admin-" + UUID.randomUUID(),
                    "processor-" + UUID.randomUUID())
                .withRoles(roles.get(0).at("/data/roles.yml").asText()));
  }

  @AfterAll
  static void stopSecuredServers() {
    if (kafka != null) {
      kafka.close();
    }
    if (openSearch != null) {
      openSearch.close();
    }
  }

  @Test
  void
      theAgentImageRunAsTheDaemonSetSaysPublishesOverTlsAndScramWithinItsAclsAndItsFlowsReachTheSecuredOpenSearch()
          throws Exception {
    Images.build("agent");
    List<JsonNode> objects = RenderedManifests.render(Images.ROOT.resolve(AGENT_MANIFESTS));
    JsonNode daemonSet = RenderedManifests.find(objects, "DaemonSet", "podflow-agent");

    String run = "smoke-" + System.nanoTime();
    int httpPort = freePort();
    String agentPod = "podflow-agent-x1y2z";
    // The Secrets the DaemonSet mounts, as Strimzi writes them: the KafkaUser's password, the
    // cluster CA's certificate.
    Map<String, Path> agentSecrets =
        Map.of(
            "podflow-agent-kafka-user",
            secret(dir.resolve("secrets/agent-user"), "password", agentUser.password()),
            "podflow-kafka-ca",
            kafkaCa(dir.resolve("secrets/kafka-ca")));

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
                      daemonSet.at("/metadata/namespace").asText()),
                  "http://127.0.0.1:" + api.port(),
                  dir.resolve("node"),
                  agentSecrets));
      System.out.println("node smoke test: podman run " + String.join(" ", agent.flags()));

      // What differs from a cluster, as the agent's environment overrides (PODFLOW_*): the secured
      // listener's loopback address, the lab's interfaces, this run's cluster name, a free port for
      // HTTP, and short flow timeouts so that records come while the test waits. The topics are
      // agent.yaml's own: the ACLs name them.
      Map<String, String> overrides = new LinkedHashMap<>();
      overrides.put("PODFLOW_CLUSTER", run);
      overrides.put("PODFLOW_KAFKA_BOOTSTRAPSERVERS", kafka.securedBootstrapServers());
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
      ProcessorConfig processor = processorConfig();
      JobClient job = null;
      try {
        awaitHttp(agent.readiness().path(), httpPort, container, log);
        assertThat(status(agent.liveness().path(), httpPort)).isEqualTo(200);
        assertProcessRunsAsTheManifestSays(run, daemonSet);

        Runnable traffic = () -> lab.run(clientPod, "ping -c 2 -i 0.2 -W 1 " + serverPod.ip());
        FlowRecord record = awaitRecord(PodflowTopic.FLOWS.topic(), run, traffic, log);
        assertThat(record.getSource().getKubernetes().getPodName()).isEqualTo("client-0");
        assertThat(record.getDestination().getKubernetes().getPodName()).isEqualTo("server-0");
        assertThat(record.getSource().getKubernetes().getNamespace()).isEqualTo("lab");
        assertThat(record.getObserver().getNode()).isEqualTo(NODE);
        assertThat(record.getObserver().getAgent()).isEqualTo(agentPod);

        job = startJob(processor);
        JsonNode doc = awaitDocument(run, traffic);
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
      // The password came from the mounted Secret file, never through the log.
      assertThat(String.join("\n", lines)).doesNotContain(agentUser.password());
      // The spool lives in the hostPath volume: the agent could write there as the manifest's user.
      assertThat(agent.hostPaths()).containsKey("/var/lib/podflow");
    }
  }

  /**
   * The processor as the rendered FlinkDeployment starts it: its job arguments and its
   * kafka-client.properties unchanged but for the pod's mount paths, which name this machine's
   * directories for the ConfigMap and the Secrets (the processor's SCRAM password, the broker's CA,
   * its OpenSearch password and the node's CA); the addresses, which the pod gets from the
   * podflow-endpoints ConfigMap, are the secured servers' on loopback.
   */
  private ProcessorConfig processorConfig() throws Exception {
    List<JsonNode> objects = RenderedManifests.render(Images.ROOT.resolve("deploy/base/processor"));
    JsonNode deployment =
        RenderedManifests.find(objects, "FlinkDeployment", "podflow-flow-processor");
    Map<String, Path> secrets =
        Map.of(
            "podflow-flow-processor",
            secret(dir.resolve("secrets/processor-user"), "password", processorUser.password()),
            "podflow-kafka-cluster-ca-cert",
            kafkaCa(dir.resolve("secrets/processor-kafka-ca")),
            "podflow-opensearch-flow-processor",
            secret(
                dir.resolve("secrets/opensearch-user"),
                "password",
                openSearch.security().processorPassword()),
            "podflow-opensearch-tls",
            secret(
                dir.resolve("secrets/opensearch-tls"),
                "ca.crt",
                Files.readString(openSearch.security().certificates().caPem())));
    JsonNode pod = deployment.at("/spec/podTemplate/spec");
    Map<String, JsonNode> volumes = new LinkedHashMap<>();
    pod.path("volumes").forEach(v -> volumes.put(v.path("name").asText(), v));
    // Mount path to this machine's directory, longest first so no path is cut at a shorter one.
    Map<String, Path> mounts =
        new java.util.TreeMap<>(
            java.util.Comparator.comparingInt(String::length).reversed().thenComparing(k -> k));
    Map<String, JsonNode> configMapMounts = new LinkedHashMap<>();
    for (JsonNode m : pod.at("/containers/0/volumeMounts")) {
      JsonNode v = volumes.get(m.path("name").asText());
      String path = m.path("mountPath").asText();
      if (v.has("secret")) {
        Path data = secrets.get(v.at("/secret/secretName").asText());
        assertThat(data)
            .as("a test value for the Secret " + v.at("/secret/secretName"))
            .isNotNull();
        for (JsonNode item : v.at("/secret/items")) {
          assertThat(item.path("key").asText()).isEqualTo(item.path("path").asText());
        }
        mounts.put(path, data);
      } else if (v.has("configMap")) {
        mounts.put(
            path, Files.createDirectories(dir.resolve("processor-" + v.path("name").asText())));
        configMapMounts.put(path, v);
      }
    }
    for (var e : configMapMounts.entrySet()) {
      JsonNode data =
          RenderedManifests.find(objects, "ConfigMap", e.getValue().at("/configMap/name").asText())
              .path("data");
      for (var f : (Iterable<Map.Entry<String, JsonNode>>) data::fields) {
        Files.writeString(
            mounts.get(e.getKey()).resolve(f.getKey()),
            onThisMachine(f.getValue().asText(), mounts));
      }
    }
    List<String> args = new ArrayList<>();
    deployment.at("/spec/job/args").forEach(a -> args.add(onThisMachine(a.asText(), mounts)));
    args.add("--bootstrap-servers=" + kafka.securedBootstrapServers());
    args.add("--opensearch=" + openSearch.httpUri());
    System.out.println("node smoke test: processor arguments " + args);
    return ProcessorConfig.parse(args.toArray(String[]::new), Map.of());
  }

  /** {@code text} with each of the pod's mount paths replaced by the directory standing for it. */
  private static String onThisMachine(String text, Map<String, Path> mounts) {
    String out = text;
    for (var m : mounts.entrySet()) {
      out = out.replace(m.getKey(), m.getValue().toString());
    }
    return out;
  }

  /** The broker's CA certificate as Strimzi's cluster CA Secret holds it (key ca.crt, PEM). */
  private static Path kafkaCa(Path dir) throws IOException {
    return secret(dir, "ca.crt", Files.readString(kafka.certificates().caPem()));
  }

  /** A directory holding one Secret's one key, as the kubelet projects it. */
  private static Path secret(Path dir, String key, String value) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(key), value);
    return dir;
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

  private static FlowRecord awaitRecord(String topic, String cluster, Runnable traffic, Path log)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      traffic.run();
      // Through the internal listener: the test reads as an operator would, not as a component.
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

  /** The run's document, read as the admin user over TLS trusting only the node's CA. */
  private static JsonNode awaitDocument(String cluster, Runnable traffic) throws Exception {
    HttpClient trusting =
        HttpClient.newBuilder()
            .sslContext(openSearch.security().certificates().sslContext())
            .build();
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<JsonNode> docs = List.of();
    while (System.nanoTime() < deadline) {
      traffic.run();
      docs =
          IndexedDocuments.of(
              trusting,
              openSearch.security().adminAuthorization(),
              openSearch.httpUri(),
              "podflow-flows",
              cluster);
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
