package io.podflow.cli;

import io.podflow.agent.app.OfflineReplay;
import io.podflow.agent.app.OfflineReplay.FrameSourceKind;
import io.podflow.agent.decode.MalformedReason;
import io.podflow.agent.flow.FlowTableConfig;
import io.podflow.agent.flow.MeterCounters;
import io.podflow.schema.json.FlowRecordJson;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code podflow replay FILE}: the agent's packet path over a capture file, one JSON flow record
 * per line on stdout, counters on stderr.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Aggregate a pcap or pcapng file into flows as the agent does, and write one JSON object"
          + " per exported flow record to stdout (the schema's JSON form; source is the"
          + " initiator). A summary of counters goes to stderr.",
      "Time is the packets' own: results do not depend on how fast the file is read."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:the whole file was read",
      "1:nothing or not all was read: a file that is damaged (the error names the byte offset)"
          + " or unreadable, or a bad option",
      "2:a bad command line",
      ReplayCommand.CUT_SHORT
          + ":the file ends inside a record (a capture still being written, or cut): every whole"
          + " record before it was replayed and the summary says where"
    })
final class ReplayCommand implements Callable<Integer> {
  /**
   * The exit code of a file that ends inside a record: its records are all out, but a script must
   * not take the result for the whole capture.
   */
  static final int CUT_SHORT = 3;

  @Parameters(paramLabel = "FILE", description = "pcap or pcapng file (the format is detected).")
  Path file;

  @Option(
      names = "--active-timeout",
      defaultValue = "10",
      paramLabel = "S",
      description =
          "Seconds after which a long flow gives a record per interval. Default: ${DEFAULT-VALUE}.")
  double activeTimeoutSeconds;

  @Option(
      names = "--idle-timeout",
      defaultValue = "15",
      paramLabel = "S",
      description =
          "Seconds without packets after which a flow is exported. Default: ${DEFAULT-VALUE}.")
  double idleTimeoutSeconds;

  @Option(
      names = "--max-flows",
      defaultValue = "262144",
      description =
          "Flows held at once; beyond it the least recently seen is exported early. Default: ${DEFAULT-VALUE}.")
  int maxFlows;

  @Option(
      names = "--reader",
      defaultValue = "java",
      description =
          "java (podflow's parser, any pcapng) or libpcap (through pcap4j). Default: ${DEFAULT-VALUE}.")
  FrameSourceKind reader;

  @Option(
      names = "--pace",
      defaultValue = "full",
      description =
          "full (as fast as it reads) or recorded (at the pace it was captured). Default: ${DEFAULT-VALUE}.")
  String pace;

  @Option(names = "--quiet", description = "Write no records, only the summary (for benchmarks).")
  boolean quiet;

  @Override
  public Integer call() throws IOException {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("cannot read " + file);
    }
    if (maxFlows < 1 || maxFlows > FlowTableConfig.MAX_FLOWS) {
      throw new IllegalArgumentException(
          "--max-flows must be between 1 and " + FlowTableConfig.MAX_FLOWS + ", not " + maxFlows);
    }
    FlowTableConfig config =
        FlowTableConfig.defaults()
            .withTimeouts(
                seconds(activeTimeoutSeconds, "--active-timeout"),
                seconds(idleTimeoutSeconds, "--idle-timeout"))
            .withMaxFlows(maxFlows);
    OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
    OfflineReplay.Summary summary;
    try (FlowRecordJson.LinesWriter lines = new FlowRecordJson().lines(out)) {
      summary =
          OfflineReplay.run(
              file,
              config,
              reader,
              recordedPace(),
              record -> {
                if (quiet) {
                  return;
                }
                try {
                  lines.write(record);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
    out.flush();
    printSummary(summary, System.err);
    return summary.truncated() ? CUT_SHORT : 0;
  }

  private boolean recordedPace() {
    return switch (pace) {
      case "full" -> false;
      case "recorded" -> true;
      default -> throw new IllegalArgumentException("--pace must be full or recorded, not " + pace);
    };
  }

  private static Duration seconds(double value, String option) {
    if (!(value > 0)) {
      throw new IllegalArgumentException(option + " must be a positive number of seconds");
    }
    return Duration.ofNanos((long) (value * 1e9));
  }

  private static String cut(OfflineReplay.Summary s) {
    return s.cutAt() < 0
        ? "the last record is incomplete"
        : "the file ends inside the record at byte " + s.cutAt();
  }

  private void printSummary(OfflineReplay.Summary s, PrintStream err) {
    MeterCounters c = s.counters();
    err.printf(
        "podflow replay: %s (%s%s): %d frames: %d IP, %d not IP, %d malformed; %d flow records%n",
        file,
        s.format(),
        s.truncated() ? ", cut short: " + cut(s) : "",
        s.frames(),
        c.ipPackets(),
        c.notIp(),
        c.malformedTotal(),
        s.records());
    for (MalformedReason reason : MalformedReason.values()) {
      if (c.malformed(reason) > 0) {
        err.printf("  malformed %-24s %d%n", reason.name().toLowerCase(), c.malformed(reason));
      }
    }
    err.printf(
        "  fragments %d (%d without their first fragment), transport headers cut short %d, flows evicted %d%n",
        c.fragments(), c.unattributedFragments(), c.transportTruncated(), s.evicted());
  }
}
