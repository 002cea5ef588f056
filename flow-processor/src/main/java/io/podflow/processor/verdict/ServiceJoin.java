package io.podflow.processor.verdict;

import io.podflow.schema.ConnectionKey;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.flow.v1.Reporter;

/**
 * A connection to a Service, seen twice: at the client, addressed to the Service (its cluster IP
 * and port, a SOURCE record), and at the backend pod the cluster translated it to (a DESTINATION
 * record whose pod the Service's EndpointSlice lists). The two have different addresses, so they do
 * not meet as one connection; they meet by client (cluster, client address and port, protocol).
 * Joined, the record names the backend pod, keeps the Service address it was sent to and carries
 * the backend's address as {@code destination.nat}: egress is then judged against the pod the
 * traffic reached, as NetworkPolicy is enforced after the translation.
 */
public final class ServiceJoin {
  private ServiceJoin() {}

  /** The client of a record: cluster, protocol, source address and port, as a 64-bit hash. */
  public static long clientKey(FlowRecord r) {
    long h = ConnectionKey.mix(0x9E3779B97F4A7C15L, r.getCluster().hashCode());
    h = ConnectionKey.mix(h, r.getProtocol());
    var ip = r.getSource().getIp();
    for (int i = 0; i < ip.size(); i++) {
      h = ConnectionKey.mix(h, ip.byteAt(i));
    }
    return ConnectionKey.mix(h, r.getSource().getPort());
  }

  /** A client's record of a connection to a Service address. */
  public static boolean toService(FlowRecord r) {
    return r.getObserver().getReporter() == Reporter.REPORTER_SOURCE
        && r.getDestination().getKubernetes().getKind() == EndpointKind.ENDPOINT_KIND_SERVICE;
  }

  /** A backend pod's record of a connection to it on a port a Service sends to. */
  public static boolean atBackend(FlowRecord r) {
    KubernetesIdentity k = r.getDestination().getKubernetes();
    return r.getObserver().getReporter() == Reporter.REPORTER_DESTINATION
        && k.getKind() == EndpointKind.ENDPOINT_KIND_POD
        && !k.getServiceName().isEmpty();
  }

  /**
   * Whether the two are the client's and the backend's view of one connection: of the same Service,
   * intervals starting within {@code windowNanos}. (The caller has checked the client address, port
   * and protocol are the same.)
   */
  public static boolean pairs(FlowRecord a, FlowRecord b, long windowNanos) {
    FlowRecord client = toService(a) ? a : toService(b) ? b : null;
    FlowRecord backend = atBackend(a) ? a : atBackend(b) ? b : null;
    if (client == null || backend == null) {
      return false;
    }
    KubernetesIdentity service = client.getDestination().getKubernetes();
    KubernetesIdentity pod = backend.getDestination().getKubernetes();
    return service.getServiceName().equals(pod.getServiceName())
        && service.getNamespace().equals(pod.getNamespace())
        && Math.abs(a.getTimeStartNs() - b.getTimeStartNs()) <= windowNanos;
  }

  /** The joined record (see the class comment); either argument order. */
  public static FlowRecord join(FlowRecord a, FlowRecord b) {
    FlowRecord client = toService(a) ? a : b;
    FlowRecord backend = client == a ? b : a;
    FlowRecord merged = ReporterMerge.merge(client, backend);
    Endpoint reached = backend.getDestination();
    Endpoint.Builder destination = merged.getDestination().toBuilder().setNatIp(reached.getIp());
    if (reached.hasPort()) {
      destination.setNatPort(reached.getPort());
    }
    return merged.toBuilder().setDestination(destination).build();
  }
}
