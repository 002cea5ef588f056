package io.podflow.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.podflow.agent.app.Agent;
import io.podflow.agent.config.AgentConfig;
import io.podflow.cli.logging.LogLines;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.event.Level;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The node agent as the DaemonSet runs it. */
@Command(
    name = "agent",
    description = {
      "Runs the node agent: live capture, flows, Kubernetes enrichment, publishing to Kafka,",
      "metrics and probes on HTTP. Stops gracefully on SIGTERM (flows flushed, spool kept)."
    })
final class AgentCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      required = true,
      description = "The agent's YAML configuration; PODFLOW_* variables override its keys.")
  Path config;

  @Option(
      names = "--check",
      description = "Check the configuration, print what it resolves to, and exit.")
  boolean check;

  @Override
  public Integer call() throws Exception {
    // The agent runs under Kubernetes: its lines go to a log pipeline, as JSON.
    LogLines.configure(LogLines.Format.JSON, "io.podflow", Level.INFO);
    AgentConfig settings;
    try {
      settings = AgentConfig.load(config, System.getenv());
    } catch (AgentConfig.InvalidConfigException e) {
      System.err.println("podflow agent: " + e.getMessage());
      return 2;
    }
    if (check) {
      System.out.println("podflow agent: " + config + " is valid: " + settings);
      return 0;
    }
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
    return 0;
  }
}
