package io.podflow.processor.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.schema.net.Cidr;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Laws of NetworkPolicy semantics, over random small clusters (namespaces, labelled pods, policies
 * with random selectors, peers and ports) and every connection between their pods.
 */
class PolicyPropertiesTest {
  private static final String[] KEYS = {"app", "tier", "team"};
  private static final String[] VALUES = {"a", "b", "c"};
  private static final int[] PORTS = {53, 80, 443, 5432};

  @Property(tries = 300)
  void addingARuleNeverDeniesAnAllowedConnection(@ForAll long seed) {
    Random random = new Random(seed);
    World world = World.random(random);
    NetworkPolicy chosen = world.policies.get(random.nextInt(world.policies.size()));
    boolean toIngress = random.nextBoolean();
    Rule extra = randomRule(random);
    List<Rule> ingress = new ArrayList<>(chosen.ingress());
    List<Rule> egress = new ArrayList<>(chosen.egress());
    (toIngress ? ingress : egress)
        .add(random.nextInt((toIngress ? ingress : egress).size() + 1), extra);
    NetworkPolicy widened =
        new NetworkPolicy(
            chosen.namespace(),
            chosen.name(),
            chosen.podSelector(),
            chosen.isolatesIngress(),
            chosen.isolatesEgress(),
            ingress,
            egress);
    List<NetworkPolicy> after = new ArrayList<>(world.policies);
    after.set(after.indexOf(chosen), widened);

    Map<String, Boolean> before = world.verdicts(world.policies);
    Map<String, Boolean> now = world.verdicts(after);

    before.forEach(
        (connection, allowed) -> {
          if (allowed) {
            assertThat(now.get(connection)).as(connection).isTrue();
          }
        });
  }

  @Property(tries = 300)
  void aPolicyThatSelectsNoPodChangesNothing(@ForAll long seed) {
    Random random = new Random(seed);
    World world = World.random(random);
    List<NetworkPolicy> after = new ArrayList<>(world.policies);
    after.add(
        new NetworkPolicy(
            world.namespaces.get(0),
            "selects-nothing",
            LabelSelector.of(Map.of("app", "no-such-value")),
            true,
            true,
            List.of(),
            List.of()));

    assertThat(world.verdicts(after)).isEqualTo(world.verdicts(world.policies));
  }

  @Property(tries = 300)
  void verdictsDoNotDependOnTheOrderOfPolicies(@ForAll long seed) {
    Random random = new Random(seed);
    World world = World.random(random);
    List<NetworkPolicy> shuffled = new ArrayList<>(world.policies);
    Collections.shuffle(shuffled, random);

    assertThat(world.explained(shuffled)).isEqualTo(world.explained(world.policies));
  }

  /** A random cluster: namespaces, pods, policies. */
  private record World(
      List<String> namespaces,
      Map<String, Map<String, String>> nsLabels,
      List<Pod> pods,
      List<NetworkPolicy> policies) {
    static World random(Random r) {
      List<String> namespaces = List.of("n0", "n1", "n2");
      Map<String, Map<String, String>> nsLabels = new HashMap<>();
      for (String ns : namespaces) {
        nsLabels.put(ns, randomLabels(r));
      }
      List<Pod> pods = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        pods.add(
            new Pod(
                namespaces.get(r.nextInt(3)),
                "p" + i,
                randomLabels(r),
                new byte[] {10, 0, 0, (byte) (i + 1)},
                false,
                List.of(
                    new Pod.ContainerPort("web", PORTS[r.nextInt(PORTS.length)], Protocol.TCP))));
      }
      List<NetworkPolicy> policies = new ArrayList<>();
      int count = 1 + r.nextInt(4);
      for (int i = 0; i < count; i++) {
        List<Rule> ingress = new ArrayList<>();
        List<Rule> egress = new ArrayList<>();
        for (int k = r.nextInt(3); k > 0; k--) {
          ingress.add(randomRule(r));
        }
        for (int k = r.nextInt(3); k > 0; k--) {
          egress.add(randomRule(r));
        }
        policies.add(
            new NetworkPolicy(
                namespaces.get(r.nextInt(3)),
                "np" + i,
                randomSelector(r),
                r.nextBoolean() || ingress.isEmpty(),
                r.nextBoolean(),
                ingress,
                egress));
      }
      return new World(namespaces, nsLabels, pods, policies);
    }

    Map<String, Boolean> verdicts(List<NetworkPolicy> with) {
      Map<String, Boolean> out = new HashMap<>();
      decide(with, (key, d) -> out.put(key, d.allowed()));
      return out;
    }

    Map<String, String> explained(List<NetworkPolicy> with) {
      Map<String, String> out = new HashMap<>();
      decide(
          with,
          (key, d) ->
              out.put(
                  key,
                  d.allowed()
                      + " "
                      + d.egress().allowedBy()
                      + " "
                      + d.ingress().allowedBy()
                      + " "
                      + d.explanation()));
      return out;
    }

    private void decide(
        List<NetworkPolicy> with, java.util.function.BiConsumer<String, Decision> sink) {
      PolicyEngine engine = new PolicyEngine(new PolicySet("r", nsLabels, pods, with));
      for (Pod from : pods) {
        for (Pod to : pods) {
          for (int port : PORTS) {
            sink.accept(
                from.name() + ">" + to.name() + ":" + port,
                engine.decide(from.ip(), to.ip(), port, Protocol.TCP));
          }
        }
        sink.accept(
            from.name() + ">outside",
            engine.decide(from.ip(), new byte[] {8, 8, 8, 8}, 443, Protocol.TCP));
      }
    }
  }

  static Rule randomRule(Random r) {
    List<Peer> peers = new ArrayList<>();
    for (int k = r.nextInt(3); k > 0; k--) {
      peers.add(
          switch (r.nextInt(4)) {
            case 0 -> new Peer.Pods(randomSelector(r), null);
            case 1 -> new Peer.Pods(null, randomSelector(r));
            case 2 -> new Peer.Pods(randomSelector(r), randomSelector(r));
            default ->
                new Peer.IpBlock(
                    Cidr.parse(r.nextBoolean() ? "10.0.0.0/29" : "8.8.0.0/16"), List.of());
          });
    }
    List<PortSpec> ports = new ArrayList<>();
    for (int k = r.nextInt(3); k > 0; k--) {
      ports.add(
          r.nextInt(4) == 0
              ? new PortSpec(Protocol.TCP, null, "web", null)
              : new PortSpec(Protocol.TCP, PORTS[r.nextInt(PORTS.length)], null, null));
    }
    return new Rule(peers, ports);
  }

  static LabelSelector randomSelector(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> LabelSelector.ALL;
      case 1 -> LabelSelector.of(Map.of(KEYS[r.nextInt(3)], VALUES[r.nextInt(3)]));
      case 2 ->
          new LabelSelector(
              Map.of(),
              List.of(
                  new LabelSelector.Requirement(
                      KEYS[r.nextInt(3)],
                      LabelSelector.Operator.IN,
                      new java.util.HashSet<>(
                          List.of(VALUES[r.nextInt(3)], VALUES[r.nextInt(3)])))));
      default ->
          new LabelSelector(
              Map.of(),
              List.of(
                  new LabelSelector.Requirement(
                      KEYS[r.nextInt(3)],
                      r.nextBoolean()
                          ? LabelSelector.Operator.EXISTS
                          : LabelSelector.Operator.DOES_NOT_EXIST,
                      java.util.Set.of())));
    };
  }

  static Map<String, String> randomLabels(Random r) {
    Map<String, String> labels = new HashMap<>();
    for (String key : KEYS) {
      if (r.nextInt(3) > 0) {
        labels.put(key, VALUES[r.nextInt(3)]);
      }
    }
    return labels;
  }
}
