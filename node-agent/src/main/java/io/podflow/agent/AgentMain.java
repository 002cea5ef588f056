package io.podflow.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.podflow.agent.app.Agent;
import io.podflow.agent.config.AgentConfig;
import io.podflow.agent.logging.LogLines;
import io.podflow.agent.logging.LogLinesProvider;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.event.Level;

/**
 * The node agent as a program: what the DaemonSet's container runs (the agent image's entry point)
 * and what {@code podflow agent} calls. Exit codes: 0 done (or stopped by SIGTERM), 2 a bad command
 * line or configuration.
 */
public final class AgentMain {
  /** The program's name in messages and usage. */
  public static final String NAME = "podflow-agent";

  static final String USAGE =
      String.join(
          System.lineSeparator(),
          "Usage: " + NAME + " --config FILE [--check]",
          "       " + NAME + " --help",
          "Runs the node agent: live capture, flows, Kubernetes enrichment, publishing to Kafka,",
          "metrics and probes on HTTP. Stops gracefully on SIGTERM (flows flushed, spool kept).",
          "  --config FILE  the agent's YAML configuration; PODFLOW_* variables override its keys",
          "  --check        check the configuration, print what it resolves to, and exit",
          "  -h, --help     print this help and exit");

  private AgentMain() {}

  public static void main(String[] args) throws InterruptedException {
    // The distribution's classpath holds one SLF4J binding, podflow's own; naming it saves the
    // service scan and keeps a stray binding on a user's classpath from taking the agent's logs.
    if (System.getProperty("slf4j.provider") == null) {
      System.setProperty("slf4j.provider", LogLinesProvider.class.getName());
    }
    System.exit(run(Arrays.asList(args), System.out, System.err, System.getenv()));
  }

  /**
   * Runs the agent as {@code args} say; returns the exit code. With neither {@code --check} nor
   * {@code --help} it returns only once a shutdown hook (SIGTERM) has stopped the agent.
   */
  public static int run(
      List<String> args, PrintStream out, PrintStream err, Map<String, String> environment)
      throws InterruptedException {
    AgentArguments arguments;
    try {
      arguments = AgentArguments.parse(args);
    } catch (AgentArguments.UsageException e) {
      err.println(NAME + ": " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    if (arguments.help()) {
      out.println(USAGE);
      return 0;
    }
    // The agent runs under Kubernetes: its lines go to a log pipeline, as JSON.
    LogLines.configure(LogLines.Format.JSON, "io.podflow", Level.INFO);
    AgentConfig settings;
    try {
      settings = AgentConfig.load(arguments.config(), environment);
    } catch (AgentConfig.InvalidConfigException e) {
      err.println(NAME + ": " + e.getMessage());
      return 2;
    }
    if (arguments.check()) {
      out.println(NAME + ": " + arguments.config() + " is valid: " + settings);
      return 0;
    }
    runUntilStopped(settings);
    return 0;
  }

  private static void runUntilStopped(AgentConfig settings) throws InterruptedException {
    KubernetesClient client =
        settings.enrichment().enabled() ? new KubernetesClientBuilder().build() : null;
    Agent agent = new Agent(settings, client);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  agent.close();
                  if (client != null) {
                    client.close();
                  }
                  stopped.countDown();
                },
                "podflow-agent-stop"));
    agent.start();
    stopped.await();
  }
}
