package io.podflow.e2e.images;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * podman as image tests run it here: runc (crun refuses this machine's cgroups), lowered rlimits
 * (raising them in a container is refused), never a pull (no registry is reachable), and images
 * built by scripts/build-images on the local bases (kept in podman's store between runs).
 */
public final class Images {
  /** The repository, from the module's directory (failsafe runs there). */
  public static final Path ROOT =
      Path.of(System.getProperty("podflow.root", "..")).toAbsolutePath().normalize();

  /** podman and its global options. */
  public static final List<String> PODMAN = List.of("podman", "--runtime", "runc");

  /** Flags every container of the tests needs here, whatever its manifest says. */
  public static final List<String> RUN_FLAGS =
      List.of("--pull=never", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024");

  private Images() {}

  /**
   * Builds {@code image} (agent, flow-processor) from what the build packaged, on the local bases
   * (each made once); seconds when nothing changed.
   */
  public static void build(String image) {
    run(
        List.of(
            ROOT.resolve("scripts/build-images").toString(),
            "--local-base",
            "--no-package",
            image));
  }

  /** {@code podman run} with the tests' flags, then {@code flags}, the image and its args. */
  public static List<String> runCommand(List<String> flags, String image, List<String> args) {
    List<String> c = new ArrayList<>(PODMAN);
    c.add("run");
    c.addAll(RUN_FLAGS);
    c.addAll(flags);
    c.add(image);
    c.addAll(args);
    return c;
  }

  /**
   * Stops a container as the kubelet does (SIGTERM, then KILL after the grace period), removes it.
   */
  public static void stop(String name, int graceSeconds) {
    List<String> stop = new ArrayList<>(PODMAN);
    stop.addAll(List.of("stop", "--ignore", "-t", String.valueOf(graceSeconds), name));
    run(stop);
    List<String> rm = new ArrayList<>(PODMAN);
    rm.addAll(List.of("rm", "--ignore", "-f", name));
    run(rm);
  }

  /** Runs podman (with its global options) with {@code args}; its output. */
  public static String podman(String... args) {
    List<String> c = new ArrayList<>(PODMAN);
    c.addAll(List.of(args));
    return run(c);
  }

  /** Runs a command to its end; its output if it succeeded, an error with the output if not. */
  public static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + command);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(command + " exited " + p.exitValue() + ": " + out);
      }
      return out;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(command.toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + command, e);
    }
  }
}
