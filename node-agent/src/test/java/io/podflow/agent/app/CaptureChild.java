package io.podflow.agent.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@link CaptureProcess} started by a test as the DaemonSet starts the agent's JVM (60% of a 512
 * MiB limit for the heap, and death on running out), with its output collected line by line.
 */
final class CaptureChild implements AutoCloseable {
  /** What the DaemonSet gives the JVM: its heap from a 512 MiB limit, and death on running out. */
  static final List<String> DAEMONSET_JVM =
      List.of(
          "-XX:+UseSerialGC",
          "-XX:MaxRAM=512m",
          "-XX:MaxRAMPercentage=60",
          "-XX:+ExitOnOutOfMemoryError");

  final List<String> lines = new CopyOnWriteArrayList<>();
  private final Process process;
  private final OutputStream input;
  private final Thread reader;

  CaptureChild(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(java());
    command.addAll(DAEMONSET_JVM);
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(CaptureProcess.class.getName());
    command.addAll(List.of(args));
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    input = process.getOutputStream();
    reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("read failed: " + e);
              }
            });
    reader.start();
  }

  /** The java command of this JVM, for children that run the test's classes. */
  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  void send(String line) throws IOException {
    input.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    input.flush();
  }

  /** Waits (at most 90 s) for a line that matches, and returns the last such line. */
  String await(Predicate<String> seen, String what) throws InterruptedException {
    return awaitFrom(0, seen, what);
  }

  /** The same, among the lines from the {@code from}th on (those printed after a point). */
  String awaitFrom(int from, Predicate<String> seen, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (true) {
      // A copy: a view of the list the reader thread appends to is invalidated by its next line.
      List<String> now = List.copyOf(lines);
      List<String> matching =
          now.subList(Math.min(from, now.size()), now.size()).stream().filter(seen).toList();
      if (!matching.isEmpty()) {
        return matching.get(matching.size() - 1);
      }
      assertThat(System.nanoTime()).as(what + "\n" + String.join("\n", lines)).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /** Says stop and waits for the child to flush and end. */
  void stop() throws Exception {
    send("stop");
    input.close();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("capture stopped").isTrue();
    reader.join(10_000);
  }

  /** What follows {@code prefix} on the one line that starts with it (empty if nothing). */
  String value(String prefix) {
    String line =
        lines.stream()
            .filter(l -> l.equals(prefix) || l.startsWith(prefix + " "))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("no " + prefix + " in\n" + String.join("\n", lines)));
    return line.substring(Math.min(line.length(), prefix.length() + 1));
  }

  /** Frames read so far, from a {@code captured N frames F} line. */
  static long frames(String capturedLine) {
    return Long.parseLong(capturedLine.substring(capturedLine.lastIndexOf(' ') + 1));
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
