package io.podflow.bench;

import io.podflow.processor.policy.Decision;
import io.podflow.processor.policy.LabelSelector;
import io.podflow.processor.policy.NetworkPolicy;
import io.podflow.processor.policy.Peer;
import io.podflow.processor.policy.Pod;
import io.podflow.processor.policy.PolicyEngine;
import io.podflow.processor.policy.PolicySet;
import io.podflow.processor.policy.PortSpec;
import io.podflow.processor.policy.Protocol;
import io.podflow.processor.policy.Rule;
import io.podflow.schema.net.Cidr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Verdicts per second on one core with 1,000 policies over 100 namespaces and 10,000 pods: every
 * namespace has 10 apps of 10 pods; each app is isolated by a policy that admits the previous app
 * of its namespace on its port and the same app of the team's other namespace, plus an ipBlock;
 * connections are drawn at random (about a third allowed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class PolicyVerdictsBenchmark {
  private static final int NAMESPACES = 100;
  private static final int APPS = 10;
  private static final int PODS_PER_APP = 10;
  private static final int CONNECTIONS = 1 << 16;

  private PolicyEngine engine;
  private byte[][] sources;
  private byte[][] destinations;
  private int[] ports;
  private int next;

  @Setup
  public void build() {
    Map<String, Map<String, String>> namespaces = new HashMap<>();
    List<Pod> pods = new ArrayList<>();
    List<NetworkPolicy> policies = new ArrayList<>();
    for (int n = 0; n < NAMESPACES; n++) {
      String ns = "ns" + n;
      namespaces.put(ns, Map.of("team", "t" + (n / 2), "env", n % 2 == 0 ? "prod" : "dev"));
      for (int a = 0; a < APPS; a++) {
        for (int i = 0; i < PODS_PER_APP; i++) {
          int id = (n * APPS + a) * PODS_PER_APP + i;
          pods.add(
              new Pod(
                  ns,
                  "app" + a + "-" + i,
                  Map.of("app", "app" + a, "tier", a < 5 ? "front" : "back"),
                  new byte[] {10, (byte) (id >> 16), (byte) (id >> 8), (byte) id},
                  false,
                  List.of(new Pod.ContainerPort("http", 8000 + a, Protocol.TCP))));
        }
        Rule sameNamespace =
            new Rule(
                List.of(
                    new Peer.Pods(
                        LabelSelector.of(Map.of("app", "app" + ((a + APPS - 1) % APPS))), null)),
                List.of(new PortSpec(Protocol.TCP, 8000 + a, null, null)));
        Rule team =
            new Rule(
                List.of(
                    new Peer.Pods(
                        LabelSelector.of(Map.of("app", "app" + a)),
                        LabelSelector.of(Map.of("team", "t" + (n / 2))))),
                List.of(new PortSpec(Protocol.TCP, null, "http", null)));
        Rule monitoring =
            new Rule(List.of(new Peer.IpBlock(Cidr.parse("192.168.0.0/16"), List.of())), List.of());
        policies.add(
            new NetworkPolicy(
                ns,
                "app" + a + "-ingress",
                LabelSelector.of(Map.of("app", "app" + a)),
                true,
                false,
                List.of(sameNamespace, team, monitoring),
                List.of()));
      }
    }
    engine = new PolicyEngine(new PolicySet("bench", namespaces, pods, policies));
    SplittableRandom random = new SplittableRandom(1);
    sources = new byte[CONNECTIONS][];
    destinations = new byte[CONNECTIONS][];
    ports = new int[CONNECTIONS];
    for (int i = 0; i < CONNECTIONS; i++) {
      Pod from = pods.get(random.nextInt(pods.size()));
      // mostly within the namespace, as real traffic is
      int base =
          random.nextInt(4) == 0
              ? random.nextInt(pods.size())
              : (pods.indexOf(from) / (APPS * PODS_PER_APP)) * APPS * PODS_PER_APP
                  + random.nextInt(APPS * PODS_PER_APP);
      Pod to = pods.get(base);
      sources[i] = from.ip();
      destinations[i] = to.ip();
      ports[i] = 8000 + random.nextInt(APPS);
    }
  }

  private final Decision reused = new Decision();

  /** Judged into one reused decision, as the job does: no allocation. */
  @Benchmark
  public boolean verdict() {
    int i = next++ & (CONNECTIONS - 1);
    return engine.decide(sources[i], destinations[i], ports[i], Protocol.TCP, reused).allowed();
  }

  @Benchmark
  public String verdictWithExplanation() {
    int i = next++ & (CONNECTIONS - 1);
    return engine.decide(sources[i], destinations[i], ports[i], Protocol.TCP, reused).explanation();
  }
}
