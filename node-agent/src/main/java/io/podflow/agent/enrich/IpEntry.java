package io.podflow.agent.enrich;

import io.podflow.schema.flow.v1.KubernetesIdentity;
import java.util.Arrays;

/**
 * Everything known of one address, so that naming a flow's end takes one hash lookup: the pods that
 * held it (creation order, tombstones included), the node it belongs to, the Services reached at it
 * and the Services it is a backend of, by port. Immutable but for one flag: a change builds a new
 * entry, and the index marks the one it replaces {@link #superseded()}, so that names cached from
 * it (per flow, {@link NamedFlows}) are known to be out of date without a second lookup.
 *
 * <p>The pod holding the address now (the newest, while alive) is copied into the entry itself,
 * with the time from which it holds it: naming a current pod reads no pod array and no {@link
 * PodInfo}, two cache misses fewer per end.
 */
final class IpEntry {
  static final IpEntry EMPTY = empty(0, 0);

  private final long hi;
  private final long lo;
  private final PodInfo[] pods;
  private final String node;
  private final Port[] services;
  private final Port[] backends;

  /**
   * The newest pod while it is alive, else null; it holds the address from {@link #currentFrom}.
   */
  private final PodInfo current;

  private final long currentFrom;
  private final KubernetesIdentity currentIdentity;
  private final NamedPorts currentPorts;
  private volatile boolean superseded;

  IpEntry(long hi, long lo, PodInfo[] pods, String node, Port[] services, Port[] backends) {
    this.hi = hi;
    this.lo = lo;
    this.pods = pods;
    this.node = node;
    this.services = services;
    this.backends = backends;
    int last = pods.length - 1;
    if (last >= 0 && pods[last].alive()) {
      current = pods[last];
      currentFrom = startOf(last);
      currentIdentity = current.identity();
      currentPorts = current.namedPorts();
    } else {
      current = null;
      currentFrom = Long.MAX_VALUE;
      currentIdentity = null;
      currentPorts = null;
    }
  }

  /** Nothing known yet of the address {@code hi:lo} (as {@link IpKey} holds it). */
  static IpEntry empty(long hi, long lo) {
    return new IpEntry(hi, lo, new PodInfo[0], null, new Port[0], new Port[0]);
  }

  long hi() {
    return hi;
  }

  long lo() {
    return lo;
  }

  PodInfo[] pods() {
    return pods;
  }

  String node() {
    return node;
  }

  Port[] services() {
    return services;
  }

  Port[] backends() {
    return backends;
  }

  /** The pod holding the address now, or null (none, or the last one was deleted). */
  PodInfo current() {
    return current;
  }

  /** From when {@link #current()} holds the address; {@link Long#MAX_VALUE} without one. */
  long currentFrom() {
    return currentFrom;
  }

  /** {@link #current()}'s identity, read from the entry itself. */
  KubernetesIdentity currentIdentity() {
    return currentIdentity;
  }

  /** {@link #current()}'s named ports, read from the entry itself. */
  NamedPorts currentPorts() {
    return currentPorts;
  }

  /** Whether the index has replaced or removed this entry: what was read from it may be stale. */
  boolean superseded() {
    return superseded;
  }

  /** Called by the index once the entry that replaces this one (or its removal) is published. */
  void supersede() {
    superseded = true;
  }

  /**
   * A Service's port at this address: {@code port}/{@code protocol} to {@code service}. For a
   * backend, it keeps the identity last built for it (the pod's, with the Service's name), since
   * building it for every record cost more than the rest of the enrichment.
   */
  static final class Port {
    final int port;
    final int protocol;
    final ServicePort service;

    /** For a Service's own address: the identity records carry for it, built once. */
    final KubernetesIdentity serviceIdentity;

    private volatile Served served;

    private Port(int port, int protocol, ServicePort service, KubernetesIdentity serviceIdentity) {
      this.port = port;
      this.protocol = protocol;
      this.service = service;
      this.serviceIdentity = serviceIdentity;
    }

    /** A Service reached at this address (cluster, external or load-balancer IP). */
    static Port frontend(int port, int protocol, ServicePort service) {
      return new Port(port, protocol, service, service.identity());
    }

    /**
     * A Service this address is a backend of (its identity is the pod's, built when first used).
     */
    static Port backend(int port, int protocol, ServicePort service) {
      return new Port(port, protocol, service, null);
    }

    KubernetesIdentity identityOf(PodInfo pod) {
      Served s = served;
      if (s != null && s.pod == pod) {
        return s.identity;
      }
      KubernetesIdentity built =
          pod.identity().toBuilder()
              .setServiceName(service.name())
              .setServicePortName(service.portName())
              .build();
      served = new Served(pod, built);
      return built;
    }

    boolean same(Port o) {
      return port == o.port && protocol == o.protocol && service.equals(o.service);
    }

    private record Served(PodInfo pod, KubernetesIdentity identity) {}
  }

  /**
   * The pod that held the address at {@code t}: each holds it from its creation (less the clock
   * skew) but never before the previous holder was deleted, until a little after its own deletion;
   * where two overlap the newer wins.
   */
  PodInfo podAt(long t) {
    if (t >= currentFrom) {
      return current;
    }
    for (int i = pods.length - 1; i >= 0; i--) {
      PodInfo v = pods[i];
      if (t >= startOf(i)
          && (v.alive() || t <= v.deletedNanos() + ClusterMetadata.DELETION_GRACE_NANOS)) {
        return v;
      }
    }
    return null;
  }

  /**
   * When {@code pods[i]} starts holding the address: creation, but not before its predecessor left.
   */
  private long startOf(int i) {
    long start = pods[i].createdNanos() - ClusterMetadata.CREATION_SKEW_NANOS;
    if (i > 0 && !pods[i - 1].alive()) {
      start = Math.max(start, pods[i - 1].deletedNanos());
    }
    return start;
  }

  /** The Service reached here on this port; the one listed last when several are. */
  ServicePort service(int port, int protocol) {
    Port p = find(services, port, protocol);
    return p == null ? null : p.service;
  }

  /** The identity of the Service reached here on this port, or null. */
  KubernetesIdentity serviceIdentity(int port, int protocol) {
    Port p = find(services, port, protocol);
    return p == null ? null : p.serviceIdentity;
  }

  /** The Service this address serves on this port (an EndpointSlice lists it). */
  ServicePort backendOf(int port, int protocol) {
    Port p = find(backends, port, protocol);
    return p == null ? null : p.service;
  }

  /** The pod's identity as reached on this port: with the Service's name when it is a backend. */
  KubernetesIdentity identityOf(PodInfo pod, int port, int protocol) {
    for (int i = backends.length - 1; i >= 0; i--) {
      Port p = backends[i];
      if (p.port == port && p.protocol == protocol) {
        return p.identityOf(pod);
      }
    }
    return pod.identity();
  }

  boolean isEmpty() {
    return pods.length == 0 && node == null && services.length == 0 && backends.length == 0;
  }

  IpEntry withPods(PodInfo[] next) {
    return new IpEntry(hi, lo, next, node, services, backends);
  }

  IpEntry withNode(String name) {
    return new IpEntry(hi, lo, pods, name, services, backends);
  }

  IpEntry withService(Port p, boolean add) {
    return new IpEntry(hi, lo, pods, node, change(services, p, add), backends);
  }

  IpEntry withBackend(Port p, boolean add) {
    return new IpEntry(hi, lo, pods, node, services, change(backends, p, add));
  }

  private static Port find(Port[] ports, int port, int protocol) {
    for (int i = ports.length - 1; i >= 0; i--) {
      if (ports[i].port == port && ports[i].protocol == protocol) {
        return ports[i];
      }
    }
    return null;
  }

  private static Port[] change(Port[] ports, Port p, boolean add) {
    if (add) {
      Port[] next = Arrays.copyOf(ports, ports.length + 1);
      next[ports.length] = p;
      return next;
    }
    for (int i = ports.length - 1; i >= 0; i--) {
      if (ports[i].same(p)) {
        Port[] next = new Port[ports.length - 1];
        System.arraycopy(ports, 0, next, 0, i);
        System.arraycopy(ports, i + 1, next, i, ports.length - i - 1);
        return next;
      }
    }
    return ports;
  }
}
