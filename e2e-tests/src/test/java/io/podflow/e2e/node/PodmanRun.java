package io.podflow.e2e.node;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A DaemonSet's container as {@code podman run} runs it on one node.
 *
 * @param image the container's image
 * @param flags podman run's flags, in the order they were derived
 * @param args the container's arguments (after the image)
 * @param env the container's environment as resolved (also in {@code flags})
 * @param readiness the readiness probe's HTTP check
 * @param liveness the liveness probe's HTTP check
 * @param hostPaths each hostPath volume's path on the node and the directory standing for it
 */
record PodmanRun(
    String image,
    List<String> flags,
    List<String> args,
    Map<String, String> env,
    HttpProbe readiness,
    HttpProbe liveness,
    Map<String, Path> hostPaths) {

  /** An httpGet probe: path and (resolved) port. */
  record HttpProbe(String path, int port) {}
}
