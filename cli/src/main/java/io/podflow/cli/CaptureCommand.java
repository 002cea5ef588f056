package io.podflow.cli;

import io.podflow.agent.app.LiveFlows;
import io.podflow.agent.capture.CaptureConfig;
import io.podflow.agent.capture.CaptureStats;
import io.podflow.agent.flow.FlowTableConfig;
import io.podflow.agent.flow.MeterCounters;
import io.podflow.schema.json.FlowRecordJson;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code podflow capture}: the agent's live capture (pcap4j, one flow table per interface) with
 * records as JSON lines on stdout and, at the end, drops and CPU on stderr.
 */
@Command(
    name = "capture",
    mixinStandardHelpOptions = true,
    description = {
      "Capture live on interfaces (names or patterns such as 'veth*'; re-scanned as pods come and"
          + " go) and write one JSON object per exported flow record to stdout.",
      "Needs root (or CAP_NET_RAW). Ctrl-C or --duration ends it; held flows are exported then."
    })
final class CaptureCommand implements Callable<Integer> {
  @Option(
      names = {"-i", "--interface"},
      defaultValue = "any",
      split = ",",
      description =
          "Interfaces or patterns, comma-separated or repeated. Default: ${DEFAULT-VALUE}.")
  List<String> interfaces;

  @Option(
      names = {"-f", "--filter"},
      defaultValue = "",
      description = "A libpcap (BPF) filter.")
  String filter;

  @Option(
      names = "--snaplen",
      defaultValue = "128",
      description = "Bytes kept per packet. Default: ${DEFAULT-VALUE}.")
  int snaplen;

  @Option(
      names = "--duration",
      defaultValue = "0",
      description = "Seconds to capture (0: until Ctrl-C).")
  long durationSeconds;

  @Option(
      names = "--active-timeout",
      defaultValue = "10",
      description = "Seconds. Default: ${DEFAULT-VALUE}.")
  long activeSeconds;

  @Option(
      names = "--idle-timeout",
      defaultValue = "15",
      description = "Seconds. Default: ${DEFAULT-VALUE}.")
  long idleSeconds;

  @Option(
      names = "--blocks",
      description =
          "Let the kernel deliver packets in blocks of up to 50 ms instead of as they come:"
              + " the last 50 ms of an interface that vanishes are lost.")
  boolean blocks;

  @Option(
      names = "--batch-delay",
      defaultValue = "5",
      description =
          "Milliseconds the reader waits after a packet wakes it, so that one wake-up reads"
              + " many packets (0 to 50; 0 wakes for nearly every packet). Default:"
              + " ${DEFAULT-VALUE}.")
  long batchDelayMillis;

  @Option(
      names = "--threads",
      defaultValue = "" + CaptureConfig.DEFAULT_THREADS,
      description =
          "Capture threads, each polling its share of the interfaces (1 to 64). Default:"
              + " ${DEFAULT-VALUE}.")
  int threads;

  @Option(
      names = "--buffer-bytes",
      defaultValue = "" + CaptureConfig.DEFAULT_BUFFER_BYTES,
      description = "Kernel capture buffer per interface. Default: ${DEFAULT-VALUE}.")
  int bufferBytes;

  @Option(names = "--quiet", description = "Write no records, only the summary (for benchmarks).")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    CaptureConfig config =
        CaptureConfig.of(interfaces, filter)
            .withSnaplen(snaplen)
            .withImmediateMode(!blocks)
            .withBatchDelay(Duration.ofMillis(batchDelayMillis))
            .withThreads(threads)
            .withBufferBytes(bufferBytes);
    FlowTableConfig table =
        FlowTableConfig.defaults()
            .withTimeouts(Duration.ofSeconds(activeSeconds), Duration.ofSeconds(idleSeconds));
    OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
    FlowRecordJson.LinesWriter lines = new FlowRecordJson().lines(out);
    long cpuBefore = processCpuNanos();
    long started = System.nanoTime();
    CountDownLatch stop = new CountDownLatch(1);
    LiveFlows flows =
        new LiveFlows(
            config,
            table,
            "",
            hostname(),
            "podflow-capture",
            record -> {
              if (quiet) {
                return;
              }
              synchronized (lines) {
                try {
                  lines.write(record);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              }
            });
    CountDownLatch finished = new CountDownLatch(1);
    // On Ctrl-C or SIGTERM the JVM halts once its hooks end: hold it until the flows are
    // exported and the summary is written.
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                finished.await(15, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Runtime.getRuntime().addShutdownHook(hook);
    flows.start();
    if (durationSeconds > 0) {
      stop.await(durationSeconds, TimeUnit.SECONDS);
    } else {
      stop.await();
    }
    flows.close(); // each capture reads its drop counters once more as it ends
    List<CaptureStats> stats = flows.stats();
    synchronized (lines) {
      lines.close();
    }
    out.flush();
    double cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
    double seconds = (System.nanoTime() - started) / 1e9;
    for (CaptureStats s : stats) {
      MeterCounters c = flows.counters(s.interfaceName());
      System.err.printf(
          "podflow capture: %s: %d frames (%d IP, %d not IP, %d malformed), libpcap received %d,"
              + " kernel drops %d, interface drops %d%n",
          s.interfaceName(),
          c == null ? 0 : c.frames(),
          c == null ? 0 : c.ipPackets(),
          c == null ? 0 : c.notIp(),
          c == null ? 0 : c.malformedTotal(),
          s.received(),
          s.kernelDrops(),
          s.interfaceDrops());
    }
    System.err.printf(
        "podflow capture: %.1f s, %.2f CPU seconds (%.3f cores)%n",
        seconds, cpuSeconds, cpuSeconds / seconds);
    finished.countDown();
    return 0;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "";
    }
  }
}
