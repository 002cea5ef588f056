package io.podflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every subcommand's help works on its own and is summed up whole in the top-level help. */
class SubcommandHelpTest {

  private static String normalized(String text) {
    return text.replaceAll("\\s+", " ");
  }

  @Test
  void everySubcommandsHelpPrintsItsUsageAndExitsZeroEvenWithRequiredOptionsMissing() {
    Map<String, CommandLine> subcommands = Podflow.commandLine().getSubcommands();
    assertThat(subcommands).containsKeys("demo", "replay", "capture", "agent", "setup", "verdicts");
    for (String name : subcommands.keySet()) {
      if (name.equals("help")) {
        continue; // picocli's own help command has no --help option of its own
      }
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cli =
          Podflow.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));

      int exit = cli.execute(name, "--help");

      assertThat(exit).as("exit of %s --help; stderr: %s", name, err).isZero();
      assertThat(out.toString()).as(name).startsWith("Usage: podflow " + name);
      assertThat(err.toString()).as(name).isEmpty();
    }
  }

  @Test
  void topLevelHelpShowsEverySubcommandsSummaryAsAWholeSentence() {
    CommandLine root = Podflow.commandLine();
    StringWriter out = new StringWriter();
    root.setOut(new PrintWriter(out));
    root.execute("--help");
    String help = normalized(out.toString());

    for (Map.Entry<String, CommandLine> subcommand : root.getSubcommands().entrySet()) {
      // picocli's summary is the header's first line, or else the description's (our commands').
      CommandLine.Model.UsageMessageSpec usage =
          subcommand.getValue().getCommandSpec().usageMessage();
      String[] lines = usage.header().length > 0 ? usage.header() : usage.description();
      assertThat(lines).as(subcommand.getKey()).isNotEmpty();
      String summary = normalized(lines[0]);
      assertThat(summary).as(subcommand.getKey()).endsWith(".");
      assertThat(help).as(subcommand.getKey()).contains(summary);
    }
  }
}
