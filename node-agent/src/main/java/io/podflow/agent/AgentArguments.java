package io.podflow.agent;

import java.nio.file.Path;
import java.util.List;

/**
 * The agent program's command line: {@code --config FILE [--check]}, or {@code --help}. Parsed by
 * hand: the agent's distribution carries no command-line library for three options.
 *
 * @param config the YAML configuration; null only with {@code help}
 * @param check check the configuration, print what it resolves to, and exit
 * @param help print the usage and exit
 */
public record AgentArguments(Path config, boolean check, boolean help) {
  /** A command line that is not the agent's; the message says what is wrong. */
  public static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /** Reads {@code args}; {@code --config=FILE} and {@code --config FILE} are the same. */
  public static AgentArguments parse(List<String> args) throws UsageException {
    // Help anywhere wins, as people add it to a command line that failed.
    if (args.contains("--help") || args.contains("-h")) {
      return new AgentArguments(null, false, true);
    }
    Path config = null;
    boolean check = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--check")) {
        check = true;
      } else if (arg.equals("--config")) {
        if (i + 1 == args.size()) {
          throw new UsageException("--config needs a file");
        }
        config = Path.of(args.get(++i));
      } else if (arg.startsWith("--config=")) {
        config = Path.of(arg.substring("--config=".length()));
      } else {
        throw new UsageException("unknown argument '" + arg + "'");
      }
    }
    if (config == null) {
      throw new UsageException("--config is required");
    }
    return new AgentArguments(config, check, false);
  }
}
