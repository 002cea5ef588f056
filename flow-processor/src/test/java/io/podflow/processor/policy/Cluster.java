package io.podflow.processor.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.processor.policy.manifest.Manifests;

/** Manifests written in a test, and verdicts on connections between their pods. */
final class Cluster {
  private final Manifests manifests;
  private final PolicyEngine engine;

  private Cluster(Manifests manifests) {
    this.manifests = manifests;
    this.engine = new PolicyEngine(manifests.toPolicySet("test@1"));
  }

  /** YAML documents; every object must be valid. */
  static Cluster of(String yaml) {
    Manifests m = new Manifests().read("test.yaml", yaml);
    assertThat(m.errors()).isEmpty();
    return new Cluster(m);
  }

  static Cluster withErrors(String yaml) {
    return new Cluster(new Manifests().read("test.yaml", yaml));
  }

  Manifests manifests() {
    return manifests;
  }

  Decision tcp(String from, String to, int port) {
    return engine.decide(Manifests.address(from), Manifests.address(to), port, Protocol.TCP);
  }

  Decision decide(String from, String to, int port, Protocol protocol) {
    return engine.decide(Manifests.address(from), Manifests.address(to), port, protocol);
  }

  static String pod(String namespace, String name, String ip, String labels) {
    return pod(namespace, name, ip, labels, "");
  }

  static String pod(String namespace, String name, String ip, String labels, String extraSpec) {
    return "---\napiVersion: v1\nkind: Pod\nmetadata: {name: "
        + name
        + ", namespace: "
        + namespace
        + ", labels: {"
        + labels
        + "}}\nspec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]}]"
        + extraSpec
        + "}\nstatus: {podIP: "
        + ip
        + "}\n";
  }

  static String namespace(String name, String labels) {
    return "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: "
        + name
        + ", labels: {"
        + labels
        + "}}\n";
  }
}
