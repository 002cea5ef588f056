package io.podflow.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./podflow} command: one entry point for every user command of the project. */
@Command(
    name = "podflow",
    mixinStandardHelpOptions = true,
    versionProvider = Podflow.Version.class,
    description = "Flow visibility and NetworkPolicy verification for Kubernetes.",
    subcommands = {
      DemoCommand.class,
      ReplayCommand.class,
      CaptureCommand.class,
      AgentCommand.class,
      SetupCommand.class,
      VerdictsCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Also handled by the launcher itself:",
      "  test      Install what the tests need, then run all tests (unit, integration, e2e).",
    })
public final class Podflow {
  private Podflow() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Podflow())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(Podflow::reportFailure);
  }

  /**
   * A command that fails tells the person why in one line; the stack trace only with
   * PODFLOW_DEBUG=1, since it helps developers, not users.
   */
  private static int reportFailure(
      Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    // Some exceptions say nothing (an interrupt while stopping): their kind is the message then.
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    commandLine.getErr().println("podflow " + commandLine.getCommandName() + ": " + why);
    if ("1".equals(System.getenv("PODFLOW_DEBUG"))) {
      e.printStackTrace(commandLine.getErr());
    }
    return 1;
  }

  /**
   * The version the build stamped into {@code version.properties} (Maven filters it with the
   * project's version), so that the launcher's classes directory and a jar both know it.
   */
  static final class Version implements CommandLine.IVersionProvider {
    static final String RESOURCE = "version.properties";

    @Override
    public String[] getVersion() throws IOException {
      return new String[] {"podflow " + buildVersion()};
    }

    static String buildVersion() throws IOException {
      try (InputStream in = Podflow.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IOException(RESOURCE + " is missing: the classes were not built by Maven");
        }
        Properties properties = new Properties();
        properties.load(in);
        return properties.getProperty("version");
      }
    }
  }
}
