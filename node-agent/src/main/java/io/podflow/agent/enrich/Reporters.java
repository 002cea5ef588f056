package io.podflow.agent.enrich;

import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.flow.v1.Reporter;
import java.util.function.Predicate;

/**
 * Which ends a record is reported for, as in Calico's flow logs: SOURCE (the pod that initiated the
 * connection, judged on its egress policy) and DESTINATION (the pod that received it, judged on its
 * ingress policy). A connection between two pods must yield one record of each kind per interval,
 * across the cluster, whatever interfaces the agent captures on:
 *
 * <ul>
 *   <li>captured on a pod's own interface ({@link PodInterfaces}): that pod's record only;
 *   <li>captured elsewhere (a bridge, an uplink): one record for each end that is a pod of this
 *       node whose own interface is not captured (there, it is reported already) — so a bridge that
 *       saw two of its pods talk reports the one observation twice, once for each pod; a record
 *       whose local pods are all reported elsewhere is not reported here; one with no local pod
 *       (the node's own traffic, hostNetwork pods) stays unspecified.
 * </ul>
 */
public final class Reporters {
  private static final Reporter[] NONE = {};
  private static final Reporter[] SOURCE = {Reporter.REPORTER_SOURCE};
  private static final Reporter[] DESTINATION = {Reporter.REPORTER_DESTINATION};
  private static final Reporter[] BOTH = {Reporter.REPORTER_SOURCE, Reporter.REPORTER_DESTINATION};
  private static final Reporter[] UNSPECIFIED = {Reporter.REPORTER_UNSPECIFIED};

  private final PodInterfaces interfaces;
  private final String node;
  private final Predicate<String> captured;

  /**
   * @param captured whether the agent captures an interface now
   */
  public Reporters(PodInterfaces interfaces, String node, Predicate<String> captured) {
    this.interfaces = interfaces;
    this.node = node;
    this.captured = captured;
  }

  /**
   * The reporters to publish the (enriched) record as: none, one, or both ends (shared arrays: not
   * to be modified).
   */
  public Reporter[] of(FlowRecord.Builder record) {
    String iface = record.getObserver().getInterface();
    IpKey source = IpKey.of(record.getSource().getIp());
    IpKey destination = IpKey.of(record.getDestination().getIp());
    if (interfaces.knows(iface)) {
      if (interfaces.leadsTo(iface, source)) {
        return SOURCE;
      }
      return interfaces.leadsTo(iface, destination) ? DESTINATION : UNSPECIFIED;
    }
    boolean sourceLocal = local(record.getSource().getKubernetes());
    boolean destinationLocal = local(record.getDestination().getKubernetes());
    if (!sourceLocal && !destinationLocal) {
      return UNSPECIFIED;
    }
    boolean reportSource = sourceLocal && !reportedElsewhere(source);
    boolean reportDestination = destinationLocal && !reportedElsewhere(destination);
    if (reportSource) {
      return reportDestination ? BOTH : SOURCE;
    }
    return reportDestination ? DESTINATION : NONE;
  }

  private boolean reportedElsewhere(IpKey pod) {
    String own = interfaces.interfaceOf(pod);
    return own != null && captured.test(own);
  }

  private boolean local(KubernetesIdentity identity) {
    return identity.getKind() == EndpointKind.ENDPOINT_KIND_POD && node.equals(identity.getNode());
  }
}
