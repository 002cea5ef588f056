package io.podflow.agent.publish;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link FlowPublisher} in a JVM of its own, for tests that kill it with SIGKILL: it publishes
 * {@code records} {@link SequencedRecords} as fast as it can, then keeps running (its drainer
 * sending the spool), printing its counters every 20 ms as {@code counters PUBLISHED ACKNOWLEDGED
 * SPOOLED SPOOL_RECORDS}.
 */
final class PublisherChild implements AutoCloseable {
  /** The counters as the child last printed them. */
  record Counters(long published, long acknowledged, long spooled, long spoolRecords) {
    static final Counters NONE = new Counters(0, 0, 0, 0);
  }

  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private volatile Counters last = Counters.NONE;

  /** Arguments: bootstrap servers, topic, spool directory, records to publish. */
  public static void main(String[] args) throws Exception {
    PublisherConfig config =
        PublisherConfig.of(args[0], Path.of(args[2])).withTopic(args[1]).withBufferBytes(1 << 20);
    int records = Integer.parseInt(args[3]);
    FlowPublisher publisher = new FlowPublisher(config, "child");
    AtomicInteger published = new AtomicInteger();
    Thread reporter =
        new Thread(
            () -> {
              while (true) {
                System.out.println(
                    "counters "
                        + published.get()
                        + " "
                        + publisher.acknowledged()
                        + " "
                        + publisher.spooled()
                        + " "
                        + publisher.spoolRecords());
                System.out.flush();
                try {
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    reporter.setDaemon(true);
    reporter.start();
    for (int i = 0; i < records; i++) {
      publisher.publish(SequencedRecords.record(i));
      published.set(i + 1);
    }
    Thread.sleep(Long.MAX_VALUE);
  }

  PublisherChild(String bootstrap, String topic, Path spool, int records) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path")));
    command.add(PublisherChild.class.getName());
    command.addAll(List.of(bootstrap, topic, spool.toString(), Integer.toString(records)));
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  if (line.startsWith("counters ")) {
                    String[] f = line.split(" ");
                    last =
                        new Counters(
                            Long.parseLong(f[1]),
                            Long.parseLong(f[2]),
                            Long.parseLong(f[3]),
                            Long.parseLong(f[4]));
                  } else {
                    lines.add(line);
                  }
                }
              } catch (IOException | RuntimeException e) {
                lines.add("read failed: " + e);
              }
            });
    reader.setDaemon(true);
    reader.start();
  }

  Counters counters() {
    return last;
  }

  /** What the child printed besides its counters (its log), for a failing test's message. */
  String log() {
    return String.join("\n", lines);
  }

  /** SIGKILL, and waits for it to be gone; the counters are then the last it printed. */
  Counters kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
    Thread.sleep(50); // the reader takes the last lines the pipe still held
    return last;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
