package io.podflow.processor.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What the engine needs of a pod: where it is, its labels, address and named ports. */
public record Pod(
    String namespace,
    String name,
    Map<String, String> labels,
    byte[] ip,
    boolean hostNetwork,
    List<ContainerPort> ports) {

  public Pod {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    labels = Map.copyOf(labels);
    ports = List.copyOf(ports);
  }

  /** A named container port. */
  public record ContainerPort(String name, int port, Protocol protocol) {}

  /** The number of the named container port, or -1. */
  int containerPort(String portName, Protocol protocol) {
    for (int i = 0; i < ports.size(); i++) {
      ContainerPort p = ports.get(i);
      if (portName.equals(p.name()) && p.protocol() == protocol) {
        return p.port();
      }
    }
    return -1;
  }

  /** Whether two pods are one (by namespace and name: a record's ends are separate objects). */
  static boolean same(Pod a, Pod b) {
    return a != null
        && b != null
        && (a == b || (a.name.equals(b.name) && a.namespace.equals(b.namespace)));
  }

  public String ref() {
    return namespace + "/" + name;
  }
}
