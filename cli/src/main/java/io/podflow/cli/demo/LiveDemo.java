package io.podflow.cli.demo;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.podflow.agent.app.Agent;
import io.podflow.agent.config.AgentConfig;
import io.podflow.cli.demo.DemoCluster.DemoPod;
import io.podflow.processor.job.FlowProcessorJob;
import io.podflow.processor.job.ProcessorConfig;
import io.podflow.schema.kafka.KafkaClientProperties;
import io.podflow.schema.kafka.PodflowTopic;
import io.podflow.schema.kafka.TopicSetup;
import io.podflow.stack.lab.MockApiServer;
import io.podflow.stack.lab.NetnsLab;
import io.podflow.stack.lab.ServiceNat;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole path, live, on this machine: the demo's pods as network namespaces on a bridge (their
 * addresses in the mock API server's pods), a Service's cluster IP translated by nftables, the
 * agent capturing their veths and naming both ends from the API server, the flow processor on a
 * MiniCluster judging and indexing, and traffic between the pods; midway a new NetworkPolicy.
 */
public final class LiveDemo {
  /** How long the agent waits after a flow's last packet before it reports it. */
  static final int IDLE_TIMEOUT_SECONDS = 2;

  /** How long the processor waits for the other side of a connection. */
  static final int MERGE_WINDOW_SECONDS = 5;

  private static final Duration ROUND_EVERY = Duration.ofSeconds(3);

  /** From the API server through the agent and Kafka into the job's policy state. */
  private static final Duration POLICY_PROPAGATION = Duration.ofSeconds(3);

  /**
   * @param alertmanager where violations are sent as alerts; null for none
   * @param captureTo where to write the client pods' traffic as capture files (and the pods'
   *     addresses), for {@link ReplayDemo}; null for none
   */
  public record Settings(
      String bootstrapServers,
      URI openSearch,
      URI alertmanager,
      Duration duration,
      Path dir,
      Path captureTo) {}

  /**
   * What the demo drove: for its summary and for the tests that check the path. Each round makes
   * one connection of each kind ({@link DemoTraffic#round}).
   */
  public record Result(
      String cluster,
      int rounds,
      int roundsBeforePolicy,
      int failedCalls,
      Map<String, String> podIps) {}

  private final Settings settings;
  private final PrintStream out;

  public LiveDemo(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  public Result run() throws Exception {
    createTopics(settings.bootstrapServers());
    long before = new DemoSummary(settings.openSearch(), DemoCluster.CLUSTER).flowDocuments();
    try (MockApiServer api = new MockApiServer();
        KubernetesClient client = api.server().createClient();
        NetnsLab lab = new NetnsLab()) {
      Map<DemoPod, NetnsLab.Pod> pods = new LinkedHashMap<>();
      Map<DemoPod, String> ips = new LinkedHashMap<>();
      for (DemoPod pod : DemoCluster.PODS) {
        NetnsLab.Pod netns = lab.addPod();
        lab.routeThroughGateway(netns, List.of(DemoCluster.SERVICE_CIDR));
        pods.put(pod, netns);
        ips.put(pod, netns.ip());
      }
      DemoCluster.create(client, ips);
      out.printf(
          "  %d pods as network namespaces on bridge %s (%s), in the mock API server%n",
          pods.size(), lab.bridge(), lab.subnet());
      try (ServiceNat nat =
          ServiceNat.install(
              lab,
              DemoCluster.SERVICE_IP,
              DemoCluster.SERVICE_PORT,
              List.of(ips.get(DemoCluster.MYAPP_1), ips.get(DemoCluster.MYAPP_2)),
              DemoCluster.TARGET_PORT)) {
        out.printf(
            "  Service default/my-service %s:%d translated to its pods' port %d by nftables%n",
            DemoCluster.SERVICE_IP, DemoCluster.SERVICE_PORT, DemoCluster.TARGET_PORT);
        DemoTraffic traffic = new DemoTraffic(lab, pods, ips);
        int roundsBeforePolicy = 0;
        traffic.startServers();
        // The node learns each pod's MAC (ARP) and the bridge the port behind it: how the agent
        // finds which veth is whose on a bridge.
        for (NetnsLab.Pod pod : pods.values()) {
          lab.run(pod, "ping -c 1 -W 1 " + lab.addGateway());
        }
        if (settings.captureTo() != null) {
          ReplayDemo.capture(settings.captureTo(), lab, pods, ips);
        }
        try (Agent agent = new Agent(agentConfig(lab), client).start()) {
          awaitCapture(agent, pods.values());
          out.printf(
              "  the agent captures %s* (metrics on :%d)%n", lab.vethPrefix(), agent.httpPort());
          JobClient job =
              startJob(
                  settings.bootstrapServers(),
                  settings.openSearch(),
                  settings.alertmanager(),
                  settings.dir(),
                  out);
          try {
            roundsBeforePolicy = drive(traffic, client);
            settle(before, traffic.rounds() * DemoTraffic.CALLS_PER_ROUND);
          } finally {
            job.cancel().get();
          }
        }
        Map<String, String> named = new LinkedHashMap<>();
        ips.forEach((pod, ip) -> named.put(pod.namespace() + "/" + pod.name(), ip));
        return new Result(
            DemoCluster.CLUSTER, traffic.rounds(), roundsBeforePolicy, traffic.failures(), named);
      }
    }
  }

  /** Returns the number of rounds before the midway policy. */
  private int drive(DemoTraffic traffic, KubernetesClient client) throws InterruptedException {
    long half = settings.duration().toMillis() / 2;
    out.printf(
        "  traffic for %d s, a new NetworkPolicy midway ...%n", settings.duration().toSeconds());
    roundsFor(traffic, half);
    int before = traffic.rounds();
    // Verdicts use the policies the job has when it judges: the calls so far are reported and
    // judged first, and the policy is in the job before the next calls.
    Thread.sleep((IDLE_TIMEOUT_SECONDS + 2) * 1_000L);
    DemoCluster.applyMidwayPolicy(client);
    out.println("  applied NetworkPolicy billing/ledger-from-billing-only");
    Thread.sleep(POLICY_PROPAGATION.toMillis());
    roundsFor(traffic, half);
    out.printf("  %d rounds of calls done (%d failed)%n", traffic.rounds(), traffic.failures());
    return before;
  }

  private static void roundsFor(DemoTraffic traffic, long millis) throws InterruptedException {
    long end = System.currentTimeMillis() + millis;
    do {
      long next = System.currentTimeMillis() + ROUND_EVERY.toMillis();
      traffic.round();
      Thread.sleep(Math.max(0, next - System.currentTimeMillis()));
    } while (System.currentTimeMillis() < end);
  }

  /** Until every call driven has its document (one per connection), or a minute has passed. */
  private void settle(long before, int connections) throws Exception {
    settle(settings.openSearch(), DemoCluster.CLUSTER, before, connections, out);
  }

  /**
   * @param before the cluster's documents before this run (a kept data directory has a previous
   *     run's)
   */
  static void settle(URI openSearch, String cluster, long before, int connections, PrintStream out)
      throws Exception {
    out.println("  waiting for the last flows to be reported, paired and indexed ...");
    DemoSummary summary = new DemoSummary(openSearch, cluster);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    long found;
    while ((found = summary.flowDocuments() - before) < connections
        && System.nanoTime() < deadline) {
      Thread.sleep(500);
    }
    out.printf("  %d flow documents for %d connections%n", found, connections);
    // Violations and alerts follow the documents through their own stages.
    Thread.sleep(2 * MERGE_WINDOW_SECONDS * 1_000L);
  }

  /**
   * podflow's topics as {@code podflow setup} makes them, with two flow partitions (a demo's
   * traffic); the demo's own Kafka, so a policies topic of an older run that is not compacted is
   * fixed rather than reported.
   */
  static void createTopics(String bootstrapServers) {
    TopicSetup.apply(
            bootstrapServers,
            KafkaClientProperties.NONE,
            new TopicSetup.Plan(Map.of(PodflowTopic.FLOWS, 2), Optional.empty(), true))
        .stream()
        .filter(TopicSetup.Outcome::failed)
        .findFirst()
        .ifPresent(
            failed -> {
              throw new IllegalStateException(failed.toString());
            });
  }

  private AgentConfig agentConfig(NetnsLab lab) {
    return AgentConfig.parse(
        String.join(
            "\n",
            "cluster: " + DemoCluster.CLUSTER,
            "node: " + DemoCluster.NODE,
            "agent: podflow-agent-demo",
            "capture:",
            "  interfaces: [" + lab.vethPrefix() + "*]",
            "  filter: ip",
            "flows:",
            "  idleTimeoutSeconds: " + IDLE_TIMEOUT_SECONDS,
            "  activeTimeoutSeconds: 10",
            "enrichment:",
            "  clusterCidrs: [" + lab.subnet() + ", " + DemoCluster.SERVICE_CIDR + "]",
            "kafka:",
            "  bootstrapServers: " + settings.bootstrapServers(),
            "  topic: " + PodflowTopic.FLOWS.topic(),
            "spool:",
            "  dir: " + settings.dir().resolve("spool"),
            "policies:",
            "  topic: " + PodflowTopic.POLICIES.topic(),
            "  leaseNamespace: podflow",
            "http:",
            "  port: 0"),
        "demo",
        Map.of());
  }

  private static void awaitCapture(Agent agent, Iterable<NetnsLab.Pod> pods)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    for (NetnsLab.Pod pod : pods) {
      while (!agent.interfaces().contains(pod.hostInterface())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the agent did not start capturing " + pod.hostInterface());
        }
        Thread.sleep(50);
      }
    }
    Thread.sleep(500);
  }

  /** The flow processor on a MiniCluster, with waits sized for a demo. */
  static JobClient startJob(
      String bootstrapServers, URI openSearch, URI alertmanager, Path dir, PrintStream out)
      throws Exception {
    List<String> args = new ArrayList<>();
    args.add("--bootstrap-servers=" + bootstrapServers);
    args.add("--opensearch=" + openSearch);
    if (alertmanager != null) {
      args.add("--alertmanager=" + alertmanager);
    }
    args.add("--group-id=podflow-demo-" + System.nanoTime());
    args.add("--merge-window=" + MERGE_WINDOW_SECONDS);
    args.add("--hold=5");
    args.add("--checkpoint-interval=5");
    args.add("--idleness=5");
    args.add("--out-of-orderness=2");
    ProcessorConfig config = ProcessorConfig.parse(args.toArray(String[]::new), Map.of());
    FlowProcessorJob.requireCompactedPolicies(config); // as the job's main does
    Configuration flink = FlowProcessorJob.settings();
    flink.set(
        CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        Files.createDirectories(dir.resolve("checkpoints")).toUri().toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    env.setParallelism(1);
    FlowProcessorJob.configure(env, config);
    FlowProcessorJob.build(env, config);
    JobClient job = env.executeAsync("podflow demo");
    out.println("  the flow processor runs on a Flink MiniCluster");
    return job;
  }
}
