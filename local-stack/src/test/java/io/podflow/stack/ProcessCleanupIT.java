package io.podflow.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The stack's servers never outlive the JVM that started them, however it ends. */
class ProcessCleanupIT {

  @Test
  void ctrlCStopsEveryServerAndRemovesTheData() throws Exception {
    Holder holder = Holder.start();
    try {
      signal(holder.process.pid(), "INT");

      assertThat(holder.process.waitFor(90, TimeUnit.SECONDS)).as("holder exits").isTrue();
      assertThat(awaitGone(holder.servers, 30)).as("servers still running").isEmpty();
      assertThat(Files.exists(holder.dir)).as("data directory removed").isFalse();
    } finally {
      holder.kill();
    }
  }

  @Test
  void serversDieWithAJvmThatIsKilledWithoutRunningItsHooks() throws Exception {
    Holder holder = Holder.start();
    try {
      signal(holder.process.pid(), "KILL");

      assertThat(holder.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(awaitGone(holder.servers, 30)).as("servers still running").isEmpty();
    } finally {
      holder.kill();
      LocalStack.deleteTree(holder.dir);
    }
  }

  private record Holder(Process process, Path dir, List<ProcessHandle> servers) {
    static Holder start() throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process process =
          new ProcessBuilder(
                  java, "-cp", System.getProperty("java.class.path"), StackHolder.class.getName())
              .redirectErrorStream(true)
              .start();
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      List<String> seen = new ArrayList<>();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith("READY ")) {
          String[] parts = line.split(" ");
          List<ProcessHandle> servers =
              Arrays.stream(parts, 2, parts.length)
                  .map(pid -> ProcessHandle.of(Long.parseLong(pid)).orElseThrow())
                  .toList();
          Thread drain = new Thread(() -> out.lines().forEach(l -> {}));
          drain.setDaemon(true);
          drain.start();
          return new Holder(process, Path.of(parts[1]), servers);
        }
        seen.add(line);
      }
      throw new AssertionError(
          "the stack holder ended before it was ready:\n" + String.join("\n", seen));
    }

    void kill() {
      process.destroyForcibly();
      servers.forEach(ProcessHandle::destroyForcibly);
    }
  }

  private static void signal(long pid, String signal) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor())
        .isZero();
  }

  private static List<ProcessHandle> awaitGone(List<ProcessHandle> servers, int seconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline && servers.stream().anyMatch(ProcessHandle::isAlive)) {
      Thread.sleep(200);
    }
    return servers.stream().filter(ProcessHandle::isAlive).toList();
  }
}
