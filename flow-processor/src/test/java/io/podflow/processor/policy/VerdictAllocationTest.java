package io.podflow.processor.policy;

import static io.podflow.processor.policy.Cluster.namespace;
import static io.podflow.processor.policy.Cluster.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.processor.policy.manifest.Manifests;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** Judging into a reused decision allocates nothing, allowed or denied. */
class VerdictAllocationTest {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @Test
  void verdictsIntoAReusedDecisionAllocateNothing() {
    String yaml =
        namespace("shop", "team: shop")
            + pod("shop", "api", "10.1.1.10", "app: api")
            + pod("shop", "db", "10.1.1.11", "app: db")
            + pod("shop", "web", "10.1.1.12", "app: web")
            + PolicyEngineTest.policy(
                "shop",
                "db-allow-api",
                "{matchLabels: {app: db}}",
                "ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: http}]}]");
    PolicyEngine engine = new PolicyEngine(new Manifests().read("t.yaml", yaml).toPolicySet("r"));
    byte[] api = Manifests.address("10.1.1.10");
    byte[] db = Manifests.address("10.1.1.11");
    byte[] web = Manifests.address("10.1.1.12");
    Decision reused = new Decision();
    boolean[] seen = new boolean[2];
    for (int i = 0; i < 200_000; i++) { // warm up: compiled, escape analysis done
      seen[
              engine.decide(i % 2 == 0 ? api : web, db, 8080, Protocol.TCP, reused).allowed()
                  ? 1
                  : 0] =
          true;
    }

    long before = THREADS.getCurrentThreadAllocatedBytes();
    int allowed = 0;
    for (int i = 0; i < 100_000; i++) {
      allowed +=
          engine.decide(i % 2 == 0 ? api : web, db, 8080, Protocol.TCP, reused).allowed() ? 1 : 0;
    }
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

    assertThat(seen).containsExactly(true, true);
    assertThat(allowed).isEqualTo(50_000);
    assertThat(allocated).as("bytes allocated by 100,000 verdicts").isLessThan(1024);
  }
}
