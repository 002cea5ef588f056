package io.podflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podflow.cli.demo.DemoSummary;
import io.podflow.cli.demo.LiveDemo;
import io.podflow.cli.demo.ReplayDemo;
import io.podflow.stack.Alertmanager;
import io.podflow.stack.LocalStack;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code podflow demo}: the whole path on this machine. As root, live: pods as network namespaces,
 * the agent capturing them, the flow processor judging and indexing, traffic between the pods and a
 * NetworkPolicy applied midway ({@link LiveDemo}); without root, a bundled capture of it replayed
 * through the agent's packet path into the same processor ({@link ReplayDemo}). Then a summary read
 * back from OpenSearch.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run podflow end to end on this machine: Kafka, OpenSearch, the Flink job on a MiniCluster,"
          + " a mock Kubernetes API server, pods as network namespaces with the agent capturing"
          + " their traffic (as root), then print what it found.",
      "Ctrl-C stops everything and removes the namespaces and the stack's data."
    })
final class DemoCommand implements Callable<Integer> {

  @Option(
      names = "--duration",
      defaultValue = "60",
      description = "Seconds of traffic between the pods. Default: ${DEFAULT-VALUE}.")
  long durationSeconds;

  @Option(
      names = "--keep-up",
      defaultValue = "0",
      description =
          "Seconds to keep the stack up after the summary, to paste its queries. Default: ${DEFAULT-VALUE}.")
  long keepUpSeconds;

  @Option(
      names = "--replay",
      description =
          "Replay the bundled capture instead of capturing live (what happens without root).")
  boolean replay;

  @Option(
      names = "--capture",
      description =
          "Live demo: also write each pod's traffic as a capture file into this directory"
              + " (what the demo replays without root).")
  Path captureTo;

  @Option(
      names = "--data-dir",
      description = "Keep the stack's data and logs in this directory instead of a temporary one.")
  Path dataDir;

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    if (durationSeconds < 0) {
      throw new IllegalArgumentException("--duration must be 0 or more seconds");
    }
    if (keepUpSeconds < 0) {
      throw new IllegalArgumentException("--keep-up must be 0 or more seconds");
    }
    LocalStack.Options options =
        dataDir == null
            ? LocalStack.Options.defaults()
            : new LocalStack.Options(dataDir, true, Duration.ofSeconds(180));
    out.println("podflow demo: starting Kafka and OpenSearch on loopback (about 15-60 s) ...");
    LocalStack stack = LocalStack.start(options);
    Alertmanager alertmanager;
    try {
      alertmanager =
          Alertmanager.isInstalled()
              ? Alertmanager.start(stack.dir().resolve("alertmanager"), Duration.ofSeconds(60))
              : null;
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread cleanup =
        new Thread(
            () -> {
              out.println("podflow demo: stopping ...");
              stopAll(stack, alertmanager);
              stopped.countDown();
            },
            "podflow-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      URI openSearch = stack.openSearch().httpUri();
      String cluster;
      if (isRoot() && !replay) {
        LiveDemo.Result result =
            new LiveDemo(
                    new LiveDemo.Settings(
                        stack.kafka().bootstrapServers(),
                        openSearch,
                        alertmanager == null ? null : alertmanager.uri(),
                        Duration.ofSeconds(durationSeconds),
                        stack.dir().resolve("demo"),
                        captureTo),
                    out)
                .run();
        cluster = result.cluster();
      } else {
        out.println(
            replay
                ? "podflow demo: replaying a capture of the live demo's traffic through the"
                    + " agent's packet path and the same processor."
                : "podflow demo: not root, so no network namespaces and no live capture: a"
                    + " capture of the live demo's traffic is replayed through the agent's packet"
                    + " path and the same processor instead (run as root for the live demo).");
        new ReplayDemo(
                new ReplayDemo.Settings(
                    stack.kafka().bootstrapServers(),
                    openSearch,
                    alertmanager == null ? null : alertmanager.uri(),
                    stack.dir().resolve("demo")),
                out)
            .run();
        cluster = ReplayDemo.CLUSTER;
      }
      new DemoSummary(openSearch, cluster).print(out);
      if (alertmanager != null) {
        printAlerts(alertmanager);
      }
      out.printf(
          "%nKafka %s, OpenSearch %s%s; data and logs in %s%n",
          stack.kafka().bootstrapServers(),
          openSearch,
          alertmanager == null ? "" : ", Alertmanager " + alertmanager.uri(),
          stack.dir());
      if (keepUpSeconds > 0) {
        out.printf("The stack stays up for %d s; Ctrl-C stops it earlier.%n", keepUpSeconds);
        stopped.await(keepUpSeconds, TimeUnit.SECONDS);
      }
      return 0;
    } finally {
      if (removeHook(cleanup)) {
        stopAll(stack, alertmanager);
        out.println(
            "podflow demo: stopped"
                + (dataDir == null ? ", data removed." : ", data kept in " + dataDir));
      }
    }
  }

  /** The alerts the processor raised, as Alertmanager holds them. */
  private void printAlerts(Alertmanager alertmanager) throws Exception {
    JsonNode alerts = new ObjectMapper().readTree(alertmanager.alerts());
    out.printf("%nAlerts at Alertmanager (%d):%n", alerts.size());
    for (JsonNode a : alerts) {
      out.printf(
          "  %-8s %-24s %s%n",
          a.at("/labels/severity").asText(),
          a.at("/labels/alertname").asText(),
          a.at("/annotations/summary").asText());
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void stopAll(LocalStack stack, Alertmanager alertmanager) {
    if (alertmanager != null) {
      alertmanager.close();
    }
    stack.close();
  }

  /** False when the JVM is already shutting down: then the hook is stopping the stack. */
  private static boolean removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
      return true;
    } catch (IllegalStateException shuttingDown) {
      return false;
    }
  }
}
