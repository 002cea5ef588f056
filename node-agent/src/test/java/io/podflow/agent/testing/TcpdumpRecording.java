package io.podflow.agent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * tcpdump recording one interface to a pcap file, as an independent count of what the agent
 * captured there: started and known to be capturing before the traffic (its "listening on"), ended
 * with SIGINT after it, its own kernel drops read from what it says on ending, and the file counted
 * by tcpdump itself ({@code -r -v}: packets, and IPv4 bytes as the IP header's total length, which
 * is what a flow record's bytes count).
 */
public final class TcpdumpRecording {
  /** A packet's first line under {@code -nn -v}: "TIME IP (tos ..., proto ICMP (1), length 84)". */
  private static final Pattern IP_LINE = Pattern.compile("^\\S+ IP \\(tos .*\\), length (\\d+)\\)");

  /**
   * The same under {@code -e} from a recording of every interface (LINUX_SLL2, which keeps each
   * packet's interface): "TIME NAME In ifindex N ... ethertype IPv4 (0x0800), length L: (tos ...,
   * length 84)".
   */
  private static final Pattern ANY_LINE =
      Pattern.compile(
          "^\\S+ (\\S+)\\s+\\S+\\s+ifindex \\d+ .*ethertype IPv4 \\(0x0800\\), length \\d+:"
              + " \\(tos .*\\), length (\\d+)\\)");

  private static final Pattern DROPS = Pattern.compile("(\\d+) packets? dropped by kernel");

  /** What tcpdump read from a file: packets and their IPv4 total lengths summed. */
  public record Count(long packets, long ipBytes) {}

  private final Process process;
  private final Path file;
  private final StringBuilder said = new StringBuilder();
  private final Thread reader;

  private TcpdumpRecording(Process process, Path file) {
    this.process = process;
    this.file = file;
    this.reader =
        new Thread(
            () -> {
              try (InputStream in = process.getInputStream()) {
                byte[] b = new byte[4096];
                for (int n; (n = in.read(b)) > 0; ) {
                  synchronized (said) {
                    said.append(new String(b, 0, n, StandardCharsets.UTF_8));
                  }
                }
              } catch (IOException e) {
                synchronized (said) {
                  said.append("read failed: ").append(e);
                }
              }
            });
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts tcpdump on {@code iface} with the capture filter {@code filter}, writing every packet to
   * {@code file} as it comes ({@code --immediate-mode -U}), and returns once it says it listens.
   */
  public static TcpdumpRecording start(String iface, String filter, Path file)
      throws IOException, InterruptedException {
    return start(
        List.of(
            "tcpdump", "--immediate-mode", "-U", "-nn", "-i", iface, "-w", file.toString(), filter),
        iface,
        file);
  }

  /**
   * Starts one tcpdump on every interface of the host's namespace ({@code -i any}, kept apart by
   * the LINUX_SLL2 link type, which records each packet's interface): one process and one ring for
   * a whole node's veths, counted apart by {@link #countByInterface}.
   */
  public static TcpdumpRecording startOnEveryInterface(String filter, Path file)
      throws IOException, InterruptedException {
    return start(
        List.of(
            "tcpdump",
            "--immediate-mode",
            "-U",
            "-nn",
            "-i",
            "any",
            "-y",
            "LINUX_SLL2",
            // Headers only: with the default 256 KiB snapshot an immediate-mode ring of 16 MiB
            // holds only 64 frames, and a node's pings at once overflowed it.
            "-s",
            "256",
            "-B",
            "16384", // KiB: a node's traffic in one ring
            "-w",
            file.toString(),
            filter),
        "any",
        file);
  }

  private static TcpdumpRecording start(List<String> command, String iface, Path file)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    TcpdumpRecording recording = new TcpdumpRecording(p, file);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!recording.said().contains("listening on")) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "tcpdump on " + iface + " not listening: " + recording.said());
      }
      Thread.sleep(20);
    }
    return recording;
  }

  /** Ends the recording with SIGINT (as ^C) and returns the packets tcpdump's kernel dropped. */
  public long stop() throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
    kill.waitFor(10, TimeUnit.SECONDS);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("tcpdump did not end on SIGINT: " + said());
    }
    reader.join(10_000);
    Matcher m = DROPS.matcher(said());
    if (!m.find()) {
      throw new IllegalStateException("tcpdump said no drop count: " + said());
    }
    return Long.parseLong(m.group(1));
  }

  /** Counts the recorded file with tcpdump itself. */
  public Count count() throws IOException, InterruptedException {
    Process read =
        new ProcessBuilder("tcpdump", "-r", file.toString(), "-nn", "-v")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    long packets = 0;
    long bytes = 0;
    for (String line :
        new String(read.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
      if (line.isEmpty() || Character.isWhitespace(line.charAt(0))) {
        continue; // a packet's further lines under -v are indented
      }
      Matcher m = IP_LINE.matcher(line);
      if (!m.find()) {
        throw new IllegalStateException("not an IPv4 packet's line in " + file + ": " + line);
      }
      packets++;
      bytes += Long.parseLong(m.group(1));
    }
    if (!read.waitFor(30, TimeUnit.SECONDS) || read.exitValue() != 0) {
      throw new IllegalStateException("tcpdump -r " + file + " failed");
    }
    return new Count(packets, bytes);
  }

  /**
   * Counts a recording of {@link #startOnEveryInterface} by interface, with tcpdump itself (which
   * names each packet's interface from its index: read it while the interfaces exist).
   */
  public Map<String, Count> countByInterface() throws IOException, InterruptedException {
    Process read =
        new ProcessBuilder("tcpdump", "-r", file.toString(), "-nn", "-v", "-e")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    Map<String, long[]> counts = new HashMap<>();
    for (String line :
        new String(read.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
      if (line.isEmpty() || Character.isWhitespace(line.charAt(0))) {
        continue; // a packet's further lines under -v are indented
      }
      Matcher m = ANY_LINE.matcher(line);
      if (!m.find()) {
        throw new IllegalStateException("not an IPv4 packet's line in " + file + ": " + line);
      }
      long[] c = counts.computeIfAbsent(m.group(1), k -> new long[2]);
      c[0]++;
      c[1] += Long.parseLong(m.group(2));
    }
    if (!read.waitFor(30, TimeUnit.SECONDS) || read.exitValue() != 0) {
      throw new IllegalStateException("tcpdump -r " + file + " failed");
    }
    Map<String, Count> result = new HashMap<>();
    counts.forEach((name, c) -> result.put(name, new Count(c[0], c[1])));
    return result;
  }

  /** Ends tcpdump if a test failed before {@link #stop()}. */
  public void kill() {
    process.destroyForcibly();
  }

  private String said() {
    synchronized (said) {
      return said.toString();
    }
  }
}
