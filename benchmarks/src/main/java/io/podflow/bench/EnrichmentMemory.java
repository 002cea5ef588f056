package io.podflow.bench;

import io.podflow.agent.enrich.ClusterMetadata;
import io.podflow.agent.enrich.KubernetesWatcher;
import java.time.Duration;

/**
 * Heap the agent's cluster metadata takes per pod (with its Service and EndpointSlice share), for
 * 10,000 and 100,000 pods: {@code java -cp benchmarks.jar io.podflow.bench.EnrichmentMemory}.
 */
public final class EnrichmentMemory {
  private EnrichmentMemory() {}

  public static void main(String[] args) throws Exception {
    for (int pods : new int[] {10_000, 100_000}) {
      long before = used();
      ClusterMetadata metadata = new ClusterMetadata(Duration.ofMinutes(2));
      KubernetesWatcher watcher = new KubernetesWatcher(null, metadata, System::nanoTime);
      SyntheticCluster.load(watcher, pods);
      long after = used();
      System.out.printf(
          "%,d pods: %,d bytes of heap, %,d bytes per pod%n",
          pods, after - before, (after - before) / pods);
      if (watcher.rejected() != 0 || metadata.hashCode() == 0) {
        System.out.println("rejected: " + watcher.rejected());
      }
    }
  }

  private static long used() throws InterruptedException {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
