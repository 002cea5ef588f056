package io.podflow.agent.enrich;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * What the agent knows of the cluster, indexed by address for naming a flow's two ends: per IP
 * ({@link IpEntry}) the pods that held it (with the ones before, for a while), its node, the
 * Services reached at it (cluster IP, external and load-balancer IPs) and the Services it is a
 * backend of (EndpointSlices); and node ports, reached at any node's IP. Written by the Kubernetes
 * watcher (one writer at a time), read by enrichers on other threads.
 *
 * <p>Time-aware: a pod IP taken over by a new pod gives the new pod's identity only to traffic
 * after the old one was deleted, and a deleted pod keeps its identity for traffic up to a little
 * after its deletion, so that a flow that ended just before its pod was deleted, but is exported
 * later, still names the pod.
 */
public final class ClusterMetadata {
  /** Traffic this long after a pod's deletion is still its own (packets in flight, clock skew). */
  static final long DELETION_GRACE_NANOS = Duration.ofSeconds(5).toNanos();

  /** Creation times have whole seconds, and node and API server clocks differ a little. */
  static final long CREATION_SKEW_NANOS = Duration.ofSeconds(2).toNanos();

  private final long tombstoneNanos;
  private final AddressIndex byIp = new AddressIndex();
  private final Map<String, List<IpKey>> ipsByPodUid = new HashMap<>();
  private final Map<String, List<IpKey>> ipsByNode = new HashMap<>();
  private final Map<String, Map<AddressPort, ServicePort>> frontendsByService = new HashMap<>();
  private final Map<String, Map<AddressPort, ServicePort>> backendsBySlice = new HashMap<>();
  private final Map<String, Map<Integer, ServicePort>> nodePortsByService = new HashMap<>();
  private final Map<Integer, ServicePort> nodePorts = new ConcurrentHashMap<>();

  /** Changes after every change of {@link #nodePorts}: names read through them are stale. */
  private volatile long nodePortsVersion;

  private volatile long unwatchedSinceNanos;

  /**
   * @param tombstone how long a deleted pod is kept for lookups of traffic from before its
   *     deletion; longer than the flow table's timeouts, so every record of its flows is named
   */
  public ClusterMetadata(Duration tombstone) {
    this.tombstoneNanos = tombstone.toNanos();
  }

  // ---- writes (the watcher) ----

  /** A pod was added or changed; {@code ips} are its status.podIPs. */
  public synchronized void putPod(PodInfo pod, List<byte[]> ips) {
    List<IpKey> keys = new ArrayList<>(ips.size());
    for (byte[] ip : ips) {
      keys.add(IpKey.of(ip));
    }
    List<IpKey> before = ipsByPodUid.put(pod.uid(), List.copyOf(keys));
    if (before != null) {
      for (IpKey gone : before) {
        if (!keys.contains(gone)) {
          update(gone, e -> e.withPods(without(e.pods(), pod.uid())));
        }
      }
    }
    for (IpKey key : keys) {
      update(key, e -> e.withPods(with(e.pods(), pod)));
    }
  }

  /** A pod was deleted at {@code nowNanos}: it becomes a tombstone for its IPs. */
  public synchronized void deletePod(String uid, long nowNanos) {
    List<IpKey> keys = ipsByPodUid.remove(uid);
    if (keys == null) {
      return;
    }
    for (IpKey key : keys) {
      update(
          key,
          e -> {
            PodInfo[] next = e.pods().clone();
            for (int i = 0; i < next.length; i++) {
              if (next[i].uid().equals(uid) && next[i].alive()) {
                next[i] = next[i].deletedAt(nowNanos);
              }
            }
            return e.withPods(next);
          });
    }
  }

  /** Forgets tombstones older than the tombstone time. */
  public synchronized void purge(long nowNanos) {
    List<IpKey> keys = new ArrayList<>();
    byIp.forEach(e -> keys.add(new IpKey(e.hi(), e.lo())));
    for (IpKey key : keys) {
      update(
          key,
          e -> {
            PodInfo[] kept =
                Arrays.stream(e.pods())
                    .filter(p -> p.alive() || p.deletedNanos() + tombstoneNanos >= nowNanos)
                    .toArray(PodInfo[]::new);
            return kept.length == e.pods().length ? e : e.withPods(kept);
          });
    }
  }

  public synchronized void putNode(String name, List<byte[]> ips) {
    removeNode(name);
    List<IpKey> keys = new ArrayList<>();
    for (byte[] ip : ips) {
      IpKey key = IpKey.of(ip);
      keys.add(key);
      update(key, e -> e.withNode(name));
    }
    ipsByNode.put(name, keys);
  }

  public synchronized void removeNode(String name) {
    List<IpKey> keys = ipsByNode.remove(name);
    if (keys != null) {
      keys.forEach(k -> update(k, e -> name.equals(e.node()) ? e.withNode(null) : e));
    }
  }

  /**
   * The addresses a Service is reached at, replacing what was known of it: cluster, external and
   * load-balancer IPs with their ports, and node ports (on every node's IPs, keyed by {@link
   * AddressPort#nodePortKey}).
   *
   * @param service namespace/name
   */
  public synchronized void putService(
      String service, Map<AddressPort, ServicePort> addresses, Map<Integer, ServicePort> ports) {
    replace(frontendsByService, service, addresses, false);
    Map<Integer, ServicePort> before = nodePortsByService.put(service, Map.copyOf(ports));
    if (before != null) {
      before.forEach((k, v) -> nodePorts.remove(k, v));
    }
    nodePorts.putAll(ports);
    nodePortsVersion++; // one writer (synchronized)
  }

  public synchronized void removeService(String service) {
    replace(frontendsByService, service, Map.of(), false);
    frontendsByService.remove(service);
    Map<Integer, ServicePort> before = nodePortsByService.remove(service);
    if (before != null) {
      before.forEach((k, v) -> nodePorts.remove(k, v));
    }
    nodePortsVersion++;
  }

  /**
   * The backends one EndpointSlice lists (pod IP and target port to the Service it serves),
   * replacing what the slice listed before.
   *
   * @param slice namespace/name of the EndpointSlice
   */
  public synchronized void putEndpointSlice(String slice, Map<AddressPort, ServicePort> ports) {
    replace(backendsBySlice, slice, ports, true);
  }

  public synchronized void removeEndpointSlice(String slice) {
    replace(backendsBySlice, slice, Map.of(), true);
    backendsBySlice.remove(slice);
  }

  /** Whether the watcher is watching the API server; metadata ages while it is not. */
  public void watching(boolean watching, long nowNanos) {
    if (watching) {
      unwatchedSinceNanos = 0;
    } else if (unwatchedSinceNanos == 0) {
      unwatchedSinceNanos = nowNanos;
    }
  }

  // ---- reads (the enricher) ----

  /** How long the metadata has not been updated from the API server (0 while watching). */
  public long stalenessNanos(long nowNanos) {
    long since = unwatchedSinceNanos;
    return since == 0 ? 0 : Math.max(0, nowNanos - since);
  }

  /** What is known of an address, or {@link IpEntry#EMPTY}. */
  IpEntry at(IpKey ip) {
    return at(ip.hi(), ip.lo());
  }

  /** The same for an address held as {@link IpKey} does, without the key object. */
  IpEntry at(long hi, long lo) {
    IpEntry e = byIp.get(hi, lo);
    return e == null ? IpEntry.EMPTY : e;
  }

  /** See {@link AddressIndex#absentStamp}. */
  long absentStamp(long hi, long lo) {
    return byIp.absentStamp(hi, lo);
  }

  /** Read before {@link #nodePort}: while it is unchanged, so is what that returned. */
  long nodePortsVersion() {
    return nodePortsVersion;
  }

  /** The Service a node port leads to (on any node's IP). */
  ServicePort nodePort(int port, int protocol) {
    return nodePorts.get(AddressPort.nodePortKey(port, protocol));
  }

  /** The pod that held {@code ip} at {@code timeNanos}, or null. */
  PodInfo podAt(IpKey ip, long timeNanos) {
    return at(ip).podAt(timeNanos);
  }

  /** The Service a pod serves on this port, when an EndpointSlice lists it. */
  ServicePort backendOf(IpKey ip, int port, int protocol) {
    return at(ip).backendOf(port, protocol);
  }

  /** Pods indexed by IP, tombstones included (for the memory figures). */
  int podEntries() {
    int[] n = {0};
    byIp.forEach(e -> n[0] += e.pods().length);
    return n[0];
  }

  private void replace(
      Map<String, Map<AddressPort, ServicePort>> byOwner,
      String owner,
      Map<AddressPort, ServicePort> entries,
      boolean backends) {
    Map<AddressPort, ServicePort> before = byOwner.put(owner, Map.copyOf(entries));
    if (before != null) {
      before.forEach(
          (k, v) -> {
            IpEntry.Port p = port(k, v, backends);
            update(k.ip(), e -> backends ? e.withBackend(p, false) : e.withService(p, false));
          });
    }
    entries.forEach(
        (k, v) -> {
          IpEntry.Port p = port(k, v, backends);
          update(k.ip(), e -> backends ? e.withBackend(p, true) : e.withService(p, true));
        });
  }

  private static IpEntry.Port port(AddressPort at, ServicePort service, boolean backend) {
    return backend
        ? IpEntry.Port.backend(at.port(), at.protocol(), service)
        : IpEntry.Port.frontend(at.port(), at.protocol(), service);
  }

  private void update(IpKey key, UnaryOperator<IpEntry> change) {
    IpEntry e = byIp.get(key.hi(), key.lo());
    IpEntry next = change.apply(e == null ? IpEntry.empty(key.hi(), key.lo()) : e);
    if (next.isEmpty()) {
      byIp.remove(key.hi(), key.lo());
    } else if (next != e) {
      byIp.put(next);
    }
  }

  private static PodInfo[] with(PodInfo[] versions, PodInfo pod) {
    for (int i = 0; i < versions.length; i++) {
      if (versions[i].uid().equals(pod.uid())) {
        PodInfo[] next = versions.clone();
        next[i] = pod;
        return next;
      }
    }
    PodInfo[] next = Arrays.copyOf(versions, versions.length + 1);
    int at = versions.length;
    while (at > 0 && next[at - 1].createdNanos() > pod.createdNanos()) {
      next[at] = next[at - 1];
      at--;
    }
    next[at] = pod;
    return next;
  }

  private static PodInfo[] without(PodInfo[] versions, String uid) {
    return Arrays.stream(versions).filter(p -> !p.uid().equals(uid)).toArray(PodInfo[]::new);
  }
}
