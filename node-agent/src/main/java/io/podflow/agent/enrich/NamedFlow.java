package io.podflow.agent.enrich;

import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.KubernetesIdentity;

/**
 * Both ends of one flow as {@link Enricher} named them, with what the names were read from, so that
 * the flow's later records (its next intervals, the record of its other reporter) take them without
 * a lookup for as long as that is unchanged:
 *
 * <ul>
 *   <li>an end read from an index entry: the entry, valid until the index supersedes it (any change
 *       of the address's pods, node, Services or backends builds a new entry);
 *   <li>an end of an address the index does not hold: the count of its stripe's new addresses;
 *   <li>an end named through node ports: their version;
 *   <li>a pod: from when it holds the address ({@code validFrom}), for records of earlier traffic
 *       may name the pod that held it before.
 * </ul>
 *
 * Immutable (final fields): shared between enriching threads without locks. Flat rather than two
 * end objects, for one cache miss fewer per record.
 *
 * @param families bit 0: the source address has 4 bytes; bit 1: the destination's
 * @param nodePortsVersion the node ports' version when they were read, or -1 when they were not
 */
record NamedFlow(
    long sourceHi,
    long sourceLo,
    long destinationHi,
    long destinationLo,
    int sourcePort,
    int destinationPort,
    int protocol,
    int families,
    IpEntry sourceEntry,
    long sourceStamp,
    IpEntry destinationEntry,
    long destinationStamp,
    long nodePortsVersion,
    long validFrom,
    KubernetesIdentity source,
    String sourcePortName,
    boolean sourceKnown,
    KubernetesIdentity destination,
    String destinationPortName,
    boolean destinationKnown) {

  boolean isFor(long sHi, long sLo, long dHi, long dLo, int sPort, int dPort, int proto, int fam) {
    return sourceLo == sLo
        && destinationLo == dLo
        && sourceHi == sHi
        && destinationHi == dHi
        && sourcePort == sPort
        && destinationPort == dPort
        && protocol == proto
        && families == fam;
  }

  /** Whether these names still hold for a record whose last packet was at {@code t}. */
  boolean holdsAt(long t, ClusterMetadata metadata) {
    return t >= validFrom
        && holds(sourceEntry, sourceStamp, sourceHi, sourceLo, metadata)
        && holds(destinationEntry, destinationStamp, destinationHi, destinationLo, metadata)
        && (nodePortsVersion < 0 || nodePortsVersion == metadata.nodePortsVersion());
  }

  void applyTo(Endpoint.Builder sourceEnd, Endpoint.Builder destinationEnd) {
    sourceEnd.setKubernetes(source);
    if (!sourcePortName.isEmpty()) {
      sourceEnd.setPortName(sourcePortName);
    }
    destinationEnd.setKubernetes(destination);
    if (!destinationPortName.isEmpty()) {
      destinationEnd.setPortName(destinationPortName);
    }
  }

  private static boolean holds(
      IpEntry entry, long stamp, long hi, long lo, ClusterMetadata metadata) {
    return entry == IpEntry.EMPTY ? metadata.absentStamp(hi, lo) == stamp : !entry.superseded();
  }
}
