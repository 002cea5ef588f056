package io.podflow.agent.enrich;

import io.podflow.schema.flow.v1.KubernetesIdentity;
import java.util.Arrays;

/**
 * Everything known of one address, so that naming a flow's end takes one hash lookup: the pods that
 * held it (creation order, tombstones included), the node it belongs to, the Services reached at it
 * and the Services it is a backend of, by port. Immutable: a change replaces it.
 */
record IpEntry(long hi, long lo, PodInfo[] pods, String node, Port[] services, Port[] backends) {
  static final IpEntry EMPTY = empty(0, 0);

  /** Nothing known yet of the address {@code hi:lo} (as {@link IpKey} holds it). */
  static IpEntry empty(long hi, long lo) {
    return new IpEntry(hi, lo, new PodInfo[0], null, new Port[0], new Port[0]);
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
    private volatile Served served;

    Port(int port, int protocol, ServicePort service) {
      this.port = port;
      this.protocol = protocol;
      this.service = service;
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
    for (int i = pods.length - 1; i >= 0; i--) {
      PodInfo v = pods[i];
      long start = v.createdNanos() - ClusterMetadata.CREATION_SKEW_NANOS;
      if (i > 0 && !pods[i - 1].alive()) {
        start = Math.max(start, pods[i - 1].deletedNanos());
      }
      if (t >= start
          && (v.alive() || t <= v.deletedNanos() + ClusterMetadata.DELETION_GRACE_NANOS)) {
        return v;
      }
    }
    return null;
  }

  /** The Service reached here on this port; the one listed last when several are. */
  ServicePort service(int port, int protocol) {
    return find(services, port, protocol);
  }

  /** The Service this address serves on this port (an EndpointSlice lists it). */
  ServicePort backendOf(int port, int protocol) {
    return find(backends, port, protocol);
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

  private static ServicePort find(Port[] ports, int port, int protocol) {
    for (int i = ports.length - 1; i >= 0; i--) {
      if (ports[i].port == port && ports[i].protocol == protocol) {
        return ports[i].service;
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
