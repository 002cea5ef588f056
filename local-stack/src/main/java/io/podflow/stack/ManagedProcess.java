package io.podflow.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A server process of the local stack, with its output in a log file, that never outlives the JVM
 * that started it: it is stopped on {@link #close()}, by a shutdown hook (normal exit, Ctrl-C,
 * SIGTERM) and, where util-linux's {@code setpriv} exists, by the kernel when this JVM dies without
 * running its hooks (parent-death signal).
 */
public final class ManagedProcess implements AutoCloseable {
  /**
   * The parent-death signal fires when the thread that forked the child exits, not the process:
   * every child is therefore forked by this one thread, which lives as long as the JVM.
   */
  private static final ExecutorService SPAWNER =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "podflow-process-spawner");
            t.setDaemon(true);
            return t;
          });

  private final String name;
  private final Process process;
  private final Path log;

  private ManagedProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command} in {@code workDir}, output appended to {@code log}.
   *
   * @param runAs the user to run as, or null for the current user
   */
  public static ManagedProcess start(
      String name,
      List<String> command,
      Path workDir,
      Map<String, String> environment,
      Path log,
      String runAs) {
    List<String> full = new ArrayList<>();
    if (HostTools.hasSetpriv()) {
      full.add("setpriv");
      if (runAs != null) {
        full.addAll(List.of("--reuid=" + runAs, "--regid=" + runAs, "--init-groups"));
      }
      full.addAll(List.of("--pdeathsig", "KILL", "--"));
    } else if (runAs != null) {
      full.addAll(List.of("runuser", "-u", runAs, "--"));
    }
    full.addAll(command);
    ProcessBuilder builder =
        new ProcessBuilder(full)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    try {
      Process process = SPAWNER.submit(builder::start).get();
      ManagedProcess managed = new ManagedProcess(name, process, log);
      ProcessReaper.register(managed);
      return managed;
    } catch (ExecutionException e) {
      throw new StackException("could not start " + name + ": " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackException("interrupted while starting " + name, e);
    }
  }

  public String name() {
    return name;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** The last lines of the process's log, for error messages. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log " + log + " unreadable: " + e.getMessage() + ")";
    } catch (UncheckedIOException e) {
      return "(log " + log + " is not text)";
    }
  }

  /**
   * Waits until {@code url} answers 200 (a server's readiness endpoint), failing at once if the
   * process exits and with its log's tail if the time runs out.
   */
  public void awaitHttpOk(java.net.URI url, Duration timeout) {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      if (!isAlive()) {
        throw new StackException(name + " exited: " + logTail(20));
      }
      try {
        if (http.send(
                    // Bounded: a listener that accepts but never answers must not outlast us.
                    java.net.http.HttpRequest.newBuilder(url)
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StackException("interrupted", e);
      }
      HostTools.sleep(Duration.ofMillis(100));
    } while (System.nanoTime() < deadline);
    throw new StackException(name + " not ready in " + timeout + ": " + logTail(20));
  }

  /** Waits for the process to end and returns its exit code; kills it after {@code timeout}. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        stop(Duration.ofSeconds(1));
        throw new StackException(name + " did not finish within " + timeout + ":\n" + logTail(20));
      }
      ProcessReaper.unregister(this);
      return process.exitValue();
    } catch (InterruptedException e) {
      stop(Duration.ofSeconds(1));
      Thread.currentThread().interrupt();
      throw new StackException("interrupted while waiting for " + name, e);
    }
  }

  /**
   * Asks the process and its descendants to stop, and kills whatever is left after {@code grace}.
   */
  public void stop(Duration grace) {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    process.destroy();
    tree.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    ProcessReaper.unregister(this);
  }

  /** Kills the process and its descendants at once (SIGKILL), as a crash would. */
  public void kill() {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ProcessReaper.unregister(this);
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(20));
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ", log " + log + ")";
  }
}
