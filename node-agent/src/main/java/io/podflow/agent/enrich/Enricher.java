package io.podflow.agent.enrich;

import com.google.protobuf.ByteString;
import io.podflow.schema.flow.v1.Endpoint;
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
 *
 * <p>A flow's names are kept ({@link NamedFlows}): its later intervals and its other reporter's
 * record take them with one lookup and no allocation, for as long as what they were read from is
 * unchanged (see {@link NamedFlow}); a pod deleted, an address taken by another pod, a pod's labels
 * changed, a Service or node port changed: the next record is named anew.
 */
public final class Enricher {
  private static final KubernetesIdentity UNKNOWN =
      KubernetesIdentity.newBuilder().setKind(EndpointKind.ENDPOINT_KIND_UNKNOWN).build();
  private static final KubernetesIdentity EXTERNAL =
      KubernetesIdentity.newBuilder().setKind(EndpointKind.ENDPOINT_KIND_EXTERNAL).build();

  /**
   * Flows whose names are kept: 32,768 slots, at most about 4 MiB when all are taken (a slot's
   * names are about 125 bytes; the identities themselves are shared with the index).
   */
  static final int NAMED_FLOWS = 1 << 15;

  private final ClusterMetadata metadata;
  private final ClusterNetwork[] clusterNetworks;
  private final long staleAfterNanos;
  private final NamedFlows named;

  /**
   * @param clusterNetworks the pod and Service CIDRs: addresses in them that the metadata does not
   *     know are "unknown", others "external"
   * @param staleAfter how long the watcher may be cut off from the API server before records say
   *     their enrichment is stale
   */
  public Enricher(ClusterMetadata metadata, List<Cidr> clusterNetworks, Duration staleAfter) {
    this(metadata, clusterNetworks, staleAfter, NAMED_FLOWS);
  }

  /** The same with {@code namedFlows} slots (a power of two) for flows' names. */
  Enricher(
      ClusterMetadata metadata, List<Cidr> clusterNetworks, Duration staleAfter, int namedFlows) {
    this.metadata = metadata;
    this.clusterNetworks =
        clusterNetworks.stream().map(ClusterNetwork::of).toArray(ClusterNetwork[]::new);
    this.staleAfterNanos = staleAfter.toNanos();
    this.named = new NamedFlows(namedFlows);
  }

  /** Sets both endpoints' identities and the enrichment status; returns the status. */
  public EnrichmentStatus enrich(FlowRecord.Builder record, long nowNanos) {
    long t = record.getTimeEndNs();
    int protocol = record.getProtocol();
    Endpoint.Builder sourceEnd = record.getSourceBuilder();
    Endpoint.Builder destinationEnd = record.getDestinationBuilder();
    ByteString sourceIp = sourceEnd.getIp();
    ByteString destinationIp = destinationEnd.getIp();
    long sHi = IpKey.hi(sourceIp);
    long sLo = IpKey.lo(sourceIp);
    long dHi = IpKey.hi(destinationIp);
    long dLo = IpKey.lo(destinationIp);
    int sPort = sourceEnd.hasPort() ? sourceEnd.getPort() : -1;
    int dPort = destinationEnd.hasPort() ? destinationEnd.getPort() : -1;
    int families = (sourceIp.size() == 4 ? 1 : 0) | (destinationIp.size() == 4 ? 2 : 0);
    NamedFlow n = named.get(sHi, sLo, dHi, dLo, sPort, dPort, protocol, families);
    if (n == null || !n.holdsAt(t, metadata)) {
      EndName s = name(sHi, sLo, (families & 1) != 0, sPort, protocol, t);
      EndName d = name(dHi, dLo, (families & 2) != 0, dPort, protocol, t);
      n =
          new NamedFlow(
              sHi,
              sLo,
              dHi,
              dLo,
              sPort,
              dPort,
              protocol,
              families,
              s.entry,
              s.stamp,
              d.entry,
              d.stamp,
              s.nodePortsVersion >= 0 ? s.nodePortsVersion : d.nodePortsVersion,
              Math.max(s.validFrom, d.validFrom),
              s.identity,
              s.portName,
              s.known,
              d.identity,
              d.portName,
              d.known);
      if (s.cacheable && d.cacheable) {
        named.put(n);
      }
    }
    n.applyTo(sourceEnd, destinationEnd);
    EnrichmentStatus status;
    if (metadata.stalenessNanos(nowNanos) > staleAfterNanos) {
      status = EnrichmentStatus.ENRICHMENT_STATUS_STALE;
    } else if (n.sourceKnown() && n.destinationKnown()) {
      status = EnrichmentStatus.ENRICHMENT_STATUS_COMPLETE;
    } else if (n.sourceKnown() || n.destinationKnown()) {
      status = EnrichmentStatus.ENRICHMENT_STATUS_PARTIAL;
    } else {
      status = EnrichmentStatus.ENRICHMENT_STATUS_UNKNOWN;
    }
    record.setEnrichment(status);
    return status;
  }

  /**
   * One end's name and what it was read from.
   *
   * @param known false when it is an address of the cluster that nothing is known of
   * @param cacheable false when the name depends on the record's time in a way {@link NamedFlow}
   *     does not keep (an earlier or deleted pod's)
   */
  private record EndName(
      KubernetesIdentity identity,
      String portName,
      boolean known,
      IpEntry entry,
      long stamp,
      long nodePortsVersion,
      long validFrom,
      boolean cacheable) {}

  /** Names one end from the index: the pod at {@code t}, else a Service, a node, or none. */
  private EndName name(long hi, long lo, boolean v4, int port, int protocol, long t) {
    long stamp = metadata.absentStamp(hi, lo); // before the lookup: see AddressIndex
    IpEntry at = metadata.at(hi, lo);
    PodInfo current = at.current();
    if (current != null && t >= at.currentFrom()) {
      // The pod holding the address now, from the entry itself.
      KubernetesIdentity identity =
          port < 0 ? at.currentIdentity() : at.identityOf(current, port, protocol);
      return new EndName(
          identity,
          at.currentPorts().nameOf(port, protocol),
          true,
          at,
          0,
          -1,
          at.currentFrom(),
          true);
    }
    // Time-independent only when the address never had a pod (or its tombstones are purged).
    boolean cacheable = at.pods().length == 0;
    PodInfo pod = at.podAt(t);
    if (pod != null) {
      KubernetesIdentity identity = port < 0 ? pod.identity() : at.identityOf(pod, port, protocol);
      return new EndName(
          identity, pod.namedPorts().nameOf(port, protocol), true, at, 0, -1, 0, false);
    }
    KubernetesIdentity service = port < 0 ? null : at.serviceIdentity(port, protocol);
    if (service != null) {
      return new EndName(service, "", true, at, stamp, -1, Long.MIN_VALUE, cacheable);
    }
    long nodePortsVersion = -1;
    if (port >= 0 && at.node() != null) {
      nodePortsVersion = metadata.nodePortsVersion(); // before the read, as the stamp
      ServicePort nodePort = metadata.nodePort(port, protocol);
      if (nodePort != null) {
        return new EndName(
            nodePort.identity(), "", true, at, stamp, nodePortsVersion, Long.MIN_VALUE, cacheable);
      }
    }
    if (at.node() != null) {
      KubernetesIdentity node =
          KubernetesIdentity.newBuilder()
              .setKind(EndpointKind.ENDPOINT_KIND_NODE)
              .setNode(at.node())
              .build();
      return new EndName(node, "", true, at, stamp, nodePortsVersion, Long.MIN_VALUE, cacheable);
    }
    for (ClusterNetwork network : clusterNetworks) {
      if (network.contains(hi, lo, v4)) {
        return new EndName(UNKNOWN, "", false, at, stamp, -1, Long.MIN_VALUE, cacheable);
      }
    }
    return new EndName(EXTERNAL, "", true, at, stamp, -1, Long.MIN_VALUE, cacheable);
  }

  /**
   * A CIDR block matched on addresses as {@link IpKey} holds them (IPv4 mapped into IPv6), without
   * the address's bytes; an IPv4 block matches only 4-byte addresses, an IPv6 one 16-byte ones, as
   * {@link Cidr#contains} does.
   */
  private record ClusterNetwork(long hi, long lo, long maskHi, long maskLo, boolean v4) {
    static ClusterNetwork of(Cidr cidr) {
      boolean v4 = cidr.network().length == 4;
      int bits = cidr.prefixLength() + (v4 ? 96 : 0);
      long maskHi = bits >= 64 ? -1L : bits == 0 ? 0 : -1L << (64 - bits);
      long maskLo = bits <= 64 ? 0 : -1L << (128 - bits);
      IpKey key = IpKey.of(cidr.network());
      return new ClusterNetwork(key.hi() & maskHi, key.lo() & maskLo, maskHi, maskLo, v4);
    }

    boolean contains(long addressHi, long addressLo, boolean addressV4) {
      return addressV4 == v4 && (addressHi & maskHi) == hi && (addressLo & maskLo) == lo;
    }
  }
}
