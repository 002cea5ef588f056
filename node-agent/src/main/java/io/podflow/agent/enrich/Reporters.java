package io.podflow.agent.enrich;

import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.flow.v1.Reporter;

/**
 * Which end a record is reported for, as in Calico's flow logs: a record captured on a pod's own
 * interface is that pod's (SOURCE when the pod initiated the connection, judged on its egress
 * policy; DESTINATION when it received it, judged on its ingress policy). So a connection between
 * two pods yields one record of each kind per interval, whether or not they share a node. Where the
 * interface's pod is not known (a bridge CNI, a capture on a bridge or on {@code any}), the record
 * is reported for its one end that is a pod of this node; when both ends are (the same connection
 * seen twice on a bridge), it stays unspecified.
 */
public final class Reporters {
  private final PodRoutes routes;
  private final String node;

  public Reporters(PodRoutes routes, String node) {
    this.routes = routes;
    this.node = node;
  }

  /** Sets the record's reporter from its interface and its (enriched) ends. */
  public Reporter assign(FlowRecord.Builder record) {
    Reporter reporter = decide(record);
    record.getObserverBuilder().setReporter(reporter);
    return reporter;
  }

  private Reporter decide(FlowRecord.Builder record) {
    String iface = record.getObserver().getInterface();
    if (routes.knows(iface)) {
      if (routes.leadsTo(iface, IpKey.of(record.getSource().getIp()))) {
        return Reporter.REPORTER_SOURCE;
      }
      if (routes.leadsTo(iface, IpKey.of(record.getDestination().getIp()))) {
        return Reporter.REPORTER_DESTINATION;
      }
    }
    boolean source = local(record.getSource().getKubernetes());
    boolean destination = local(record.getDestination().getKubernetes());
    if (source != destination) {
      return source ? Reporter.REPORTER_SOURCE : Reporter.REPORTER_DESTINATION;
    }
    return Reporter.REPORTER_UNSPECIFIED;
  }

  private boolean local(KubernetesIdentity identity) {
    return identity.getKind() == EndpointKind.ENDPOINT_KIND_POD && node.equals(identity.getNode());
  }
}
