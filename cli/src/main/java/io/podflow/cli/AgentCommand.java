package io.podflow.cli;

import io.podflow.agent.AgentMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The node agent as the DaemonSet runs it: a thin wrapper over the agent's own program ({@link
 * AgentMain}, the agent image's entry point), so that both behave alike.
 */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    versionProvider = Podflow.Version.class,
    // The first element is the summary line of the top-level help: one whole sentence.
    description = {
      "Run the node agent: live capture, flows, Kubernetes enrichment, publishing to Kafka,"
          + " metrics and probes on HTTP.",
      "Stops gracefully on SIGTERM (flows flushed, spool kept).",
      "The same program as the agent image's (" + AgentMain.NAME + ")."
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
    List<String> args = new ArrayList<>(List.of("--config", config.toString()));
    if (check) {
      args.add("--check");
    }
    return AgentMain.run(args, System.out, System.err, System.getenv());
  }
}
