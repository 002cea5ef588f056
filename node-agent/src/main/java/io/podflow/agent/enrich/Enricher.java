package io.podflow.agent.enrich;

import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.EnrichmentStatus;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.net.Cidr;
import java.time.Duration;
import java.util.List;

/**
 * Names both ends of a flow record from the cluster metadata, as of the record's last packet:
 *
 * <ul>
 *   <li>a pod's IP: the pod (its workload, labels, node, ...), plus the Service and port name when
 *       an EndpointSlice lists the pod's port as a Service's backend, and the port's name when the
 *       pod's containers name it (NetworkPolicy rules may name ports);
 *   <li>a Service's address and port (cluster IP, load-balancer ingress, a node's IP with a node
 *       port): the Service;
 *   <li>a node's IP: the node (hostNetwork pods share it, so their traffic is the node's);
 *   <li>any other address in the cluster's networks: unknown (a pod or Service the agent has not
 *       heard of); outside them: external (the world).
 * </ul>
 *
 * The record says how complete this is: complete (both ends named, or external), partial (one end
 * unknown), unknown (both), or stale (the API server has not been watched for a while, so the names
 * may be out of date).
 */
public final class Enricher {
  private static final KubernetesIdentity UNKNOWN =
      KubernetesIdentity.newBuilder().setKind(EndpointKind.ENDPOINT_KIND_UNKNOWN).build();
  private static final KubernetesIdentity EXTERNAL =
      KubernetesIdentity.newBuilder().setKind(EndpointKind.ENDPOINT_KIND_EXTERNAL).build();

  private final ClusterMetadata metadata;
  private final List<Cidr> clusterNetworks;
  private final long staleAfterNanos;

  /**
   * @param clusterNetworks the pod and Service CIDRs: addresses in them that the metadata does not
   *     know are "unknown", others "external"
   * @param staleAfter how long the watcher may be cut off from the API server before records say
   *     their enrichment is stale
   */
  public Enricher(ClusterMetadata metadata, List<Cidr> clusterNetworks, Duration staleAfter) {
    this.metadata = metadata;
    this.clusterNetworks = List.copyOf(clusterNetworks);
    this.staleAfterNanos = staleAfter.toNanos();
  }

  /** Sets both endpoints' identities and the enrichment status; returns the status. */
  public EnrichmentStatus enrich(FlowRecord.Builder record, long nowNanos) {
    long t = record.getTimeEndNs();
    int protocol = record.getProtocol();
    boolean source = resolve(record.getSourceBuilder(), protocol, t);
    boolean destination = resolve(record.getDestinationBuilder(), protocol, t);
    EnrichmentStatus status;
    if (metadata.stalenessNanos(nowNanos) > staleAfterNanos) {
      status = EnrichmentStatus.ENRICHMENT_STATUS_STALE;
    } else if (source && destination) {
      status = EnrichmentStatus.ENRICHMENT_STATUS_COMPLETE;
    } else if (source || destination) {
      status = EnrichmentStatus.ENRICHMENT_STATUS_PARTIAL;
    } else {
      status = EnrichmentStatus.ENRICHMENT_STATUS_UNKNOWN;
    }
    record.setEnrichment(status);
    return status;
  }

  /** Names one end; false when it is an address of the cluster that nothing is known of. */
  private boolean resolve(
      io.podflow.schema.flow.v1.Endpoint.Builder endpoint, int protocol, long t) {
    com.google.protobuf.ByteString address = endpoint.getIp();
    IpEntry at = metadata.at(IpKey.hi(address), IpKey.lo(address));
    int port = endpoint.hasPort() ? endpoint.getPort() : -1;
    PodInfo pod = at.podAt(t);
    if (pod != null) {
      endpoint.setKubernetes(port < 0 ? pod.identity() : at.identityOf(pod, port, protocol));
      String portName = pod.namedPorts().nameOf(port, protocol);
      if (!portName.isEmpty()) {
        endpoint.setPortName(portName);
      }
      return true;
    }
    ServicePort service = port < 0 ? null : at.service(port, protocol);
    if (service == null && port >= 0 && at.node() != null) {
      service = metadata.nodePort(port, protocol);
    }
    if (service != null) {
      endpoint.setKubernetes(
          KubernetesIdentity.newBuilder()
              .setKind(EndpointKind.ENDPOINT_KIND_SERVICE)
              .setNamespace(service.namespace())
              .setServiceName(service.name())
              .setServicePortName(service.portName()));
      return true;
    }
    if (at.node() != null) {
      endpoint.setKubernetes(
          KubernetesIdentity.newBuilder()
              .setKind(EndpointKind.ENDPOINT_KIND_NODE)
              .setNode(at.node()));
      return true;
    }
    byte[] ip = endpoint.getIp().toByteArray();
    for (Cidr network : clusterNetworks) {
      if (network.contains(ip)) {
        endpoint.setKubernetes(UNKNOWN);
        return false;
      }
    }
    endpoint.setKubernetes(EXTERNAL);
    return true;
  }
}
