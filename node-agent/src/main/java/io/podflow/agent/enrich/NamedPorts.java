package io.podflow.agent.enrich;

import java.util.Arrays;

/**
 * The ports a pod's containers name ({@code name: http, containerPort: 8080}): NetworkPolicy rules
 * may name a port, and only the pod says which number the name stands for. Pods of one workload
 * share one instance (interned).
 */
final class NamedPorts {
  static final NamedPorts NONE = new NamedPorts(new int[0], new String[0]);

  /** port << 8 | IANA protocol number, ascending. */
  private final int[] keys;

  private final String[] names;

  private NamedPorts(int[] keys, String[] names) {
    this.keys = keys;
    this.names = names;
  }

  /** From parallel lists of ports, protocols and names (unnamed ports left out by the caller). */
  static NamedPorts of(int[] ports, int[] protocols, String[] names) {
    if (ports.length == 0) {
      return NONE;
    }
    Integer[] order = new Integer[ports.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order, (a, b) -> Integer.compare(key(ports[a], protocols[a]), key(ports[b], protocols[b])));
    int[] k = new int[ports.length];
    String[] n = new String[ports.length];
    for (int i = 0; i < order.length; i++) {
      k[i] = key(ports[order[i]], protocols[order[i]]);
      n[i] = names[order[i]];
    }
    return new NamedPorts(k, n);
  }

  /** The name of {@code port}/{@code protocol}, or "" when the pod does not name it. */
  String nameOf(int port, int protocol) {
    if (keys.length == 0 || port < 0) {
      return "";
    }
    int i = Arrays.binarySearch(keys, key(port, protocol));
    return i >= 0 ? names[i] : "";
  }

  private static int key(int port, int protocol) {
    return port << 8 | (protocol & 0xff);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NamedPorts p
        && Arrays.equals(keys, p.keys)
        && Arrays.equals(names, p.names);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(keys) + Arrays.hashCode(names);
  }
}
