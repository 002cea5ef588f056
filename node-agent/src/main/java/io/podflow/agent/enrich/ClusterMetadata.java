package io.podflow.agent.enrich;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the agent knows of the cluster, indexed for looking up a flow's two ends: pods by IP (with
 * the pods that held the IP before, for a while), nodes by IP, Services by the addresses and ports
 * they are reached at (cluster IP, load-balancer ingress, any node's IP with a node port), and the
 * pod IPs and ports behind each Service (EndpointSlices). Written by the Kubernetes watcher, read
 * by the enricher from other threads.
 *
 * <p>Time-aware: a pod IP taken over by a new pod gives the new pod's identity only to traffic
 * after the new pod was created, and a deleted pod keeps its IP's identity for traffic up to a
 * little after its deletion, so that a flow that ended just before its pod was deleted, but is
 * exported later, still names the pod.
 */
public final class ClusterMetadata {
  /** Traffic this long after a pod's deletion is still its own (packets in flight, clock skew). */
  static final long DELETION_GRACE_NANOS = Duration.ofSeconds(5).toNanos();

  /** Creation times have whole seconds, and node and API server clocks differ a little. */
  static final long CREATION_SKEW_NANOS = Duration.ofSeconds(2).toNanos();

  private final long tombstoneNanos;
  private final Map<IpKey, PodInfo[]> podsByIp = new ConcurrentHashMap<>();
  private final Map<String, List<IpKey>> ipsByPodUid = new ConcurrentHashMap<>();
  private final Map<IpKey, String> nodesByIp = new ConcurrentHashMap<>();
  private final Map<String, List<IpKey>> ipsByNode = new ConcurrentHashMap<>();
  private final Owned<AddressPort> frontends = new Owned<>();
  private final Owned<Integer> nodePorts = new Owned<>();
  private final Owned<AddressPort> backends = new Owned<>();
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
  public void putPod(PodInfo pod, List<byte[]> ips) {
    List<IpKey> keys = new ArrayList<>(ips.size());
    for (byte[] ip : ips) {
      keys.add(IpKey.of(ip));
    }
    List<IpKey> before = ipsByPodUid.put(pod.uid(), List.copyOf(keys));
    if (before != null) {
      for (IpKey gone : before) {
        if (!keys.contains(gone)) {
          podsByIp.computeIfPresent(gone, (k, versions) -> without(versions, pod.uid()));
        }
      }
    }
    for (IpKey key : keys) {
      podsByIp.compute(key, (k, versions) -> with(versions, pod));
    }
  }

  /** A pod was deleted at {@code nowNanos}: it becomes a tombstone for its IPs. */
  public void deletePod(String uid, long nowNanos) {
    List<IpKey> keys = ipsByPodUid.remove(uid);
    if (keys == null) {
      return;
    }
    for (IpKey key : keys) {
      podsByIp.computeIfPresent(
          key,
          (k, versions) -> {
            PodInfo[] next = versions.clone();
            for (int i = 0; i < next.length; i++) {
              if (next[i].uid().equals(uid) && next[i].alive()) {
                next[i] = next[i].deletedAt(nowNanos);
              }
            }
            return next;
          });
    }
  }

  /** Forgets tombstones older than the tombstone time. */
  public void purge(long nowNanos) {
    for (IpKey key : podsByIp.keySet()) {
      podsByIp.computeIfPresent(key, (k, versions) -> expired(versions, nowNanos));
    }
  }

  public void putNode(String name, List<byte[]> ips) {
    removeNode(name);
    List<IpKey> keys = new ArrayList<>();
    for (byte[] ip : ips) {
      IpKey key = IpKey.of(ip);
      keys.add(key);
      nodesByIp.put(key, name);
    }
    ipsByNode.put(name, keys);
  }

  public void removeNode(String name) {
    List<IpKey> keys = ipsByNode.remove(name);
    if (keys != null) {
      keys.forEach(k -> nodesByIp.remove(k, name));
    }
  }

  /**
   * The addresses a Service is reached at, replacing what was known of it: cluster IPs and
   * load-balancer ingress IPs with their ports, and node ports (on every node's IPs).
   *
   * @param service namespace/name
   */
  public void putService(
      String service, Map<AddressPort, ServicePort> addresses, Map<Integer, ServicePort> ports) {
    frontends.put(service, addresses);
    nodePorts.put(service, ports);
  }

  public void removeService(String service) {
    frontends.remove(service);
    nodePorts.remove(service);
  }

  /**
   * The backends one EndpointSlice lists (pod IP and target port to the Service it serves),
   * replacing what the slice listed before.
   *
   * @param slice namespace/name of the EndpointSlice
   */
  public void putEndpointSlice(String slice, Map<AddressPort, ServicePort> backendPorts) {
    backends.put(slice, backendPorts);
  }

  public void removeEndpointSlice(String slice) {
    backends.remove(slice);
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

  /**
   * The pod that held {@code ip} at {@code timeNanos}, or null. An IP's pods are held in the order
   * they were created; each one's time with the address starts at its creation (less the clock
   * skew) but never before the previous holder was deleted, and ends a little after its own
   * deletion. Where two overlap (traffic just after a deletion, when the new pod exists already),
   * the newer pod wins.
   */
  PodInfo podAt(IpKey ip, long timeNanos) {
    PodInfo[] versions = podsByIp.get(ip);
    if (versions == null) {
      return null;
    }
    for (int i = versions.length - 1; i >= 0; i--) {
      PodInfo v = versions[i];
      long start = v.createdNanos() - CREATION_SKEW_NANOS;
      if (i > 0 && !versions[i - 1].alive()) {
        start = Math.max(start, versions[i - 1].deletedNanos());
      }
      if (timeNanos >= start
          && (v.alive() || timeNanos <= v.deletedNanos() + DELETION_GRACE_NANOS)) {
        return v;
      }
    }
    return null;
  }

  String nodeAt(IpKey ip) {
    return nodesByIp.get(ip);
  }

  /** The Service reached at this address and port (cluster IP, load balancer, node port). */
  ServicePort serviceAt(IpKey ip, int port, int protocol) {
    ServicePort direct = frontends.get(new AddressPort(ip, port, protocol));
    if (direct != null || !nodesByIp.containsKey(ip)) {
      return direct;
    }
    return nodePorts.get(AddressPort.nodePortKey(port, protocol));
  }

  /** The Service a pod serves on this port, when an EndpointSlice lists it. */
  ServicePort backendOf(IpKey ip, int port, int protocol) {
    return backends.get(new AddressPort(ip, port, protocol));
  }

  /** Pods indexed by IP, tombstones included (for the memory figures). */
  int podEntries() {
    return podsByIp.values().stream().mapToInt(v -> v.length).sum();
  }

  private static PodInfo[] with(PodInfo[] versions, PodInfo pod) {
    if (versions == null) {
      return new PodInfo[] {pod};
    }
    for (int i = 0; i < versions.length; i++) {
      if (versions[i].uid().equals(pod.uid())) {
        PodInfo[] next = versions.clone();
        next[i] = pod;
        return next;
      }
    }
    PodInfo[] next = java.util.Arrays.copyOf(versions, versions.length + 1);
    int at = versions.length;
    while (at > 0 && next[at - 1].createdNanos() > pod.createdNanos()) {
      next[at] = next[at - 1];
      at--;
    }
    next[at] = pod;
    return next;
  }

  private static PodInfo[] without(PodInfo[] versions, String uid) {
    PodInfo[] next =
        java.util.Arrays.stream(versions).filter(p -> !p.uid().equals(uid)).toArray(PodInfo[]::new);
    return next.length == 0 ? null : next;
  }

  private PodInfo[] expired(PodInfo[] versions, long now) {
    PodInfo[] kept =
        java.util.Arrays.stream(versions)
            .filter(p -> p.alive() || p.deletedNanos() + tombstoneNanos >= now)
            .toArray(PodInfo[]::new);
    return kept.length == versions.length ? versions : kept.length == 0 ? null : kept;
  }

  /**
   * Entries contributed by owners (a Service, an EndpointSlice) and replaced as a whole when the
   * owner changes. Two owners may list the same key (two Services selecting one pod port): the one
   * listed last wins, and removing it brings back the other.
   */
  private static final class Owned<K> {
    private final Map<String, Map<K, ServicePort>> byOwner = new ConcurrentHashMap<>();
    private final Map<K, ServicePort> index = new ConcurrentHashMap<>();

    synchronized void put(String owner, Map<K, ServicePort> entries) {
      Map<K, ServicePort> before = byOwner.put(owner, Map.copyOf(entries));
      if (before != null) {
        before.forEach((k, v) -> index.remove(k, v));
        restore(before.keySet());
      }
      index.putAll(entries);
    }

    synchronized void remove(String owner) {
      Map<K, ServicePort> before = byOwner.remove(owner);
      if (before != null) {
        before.forEach((k, v) -> index.remove(k, v));
        restore(before.keySet());
      }
    }

    ServicePort get(K key) {
      return index.get(key);
    }

    private void restore(java.util.Set<K> keys) {
      for (Map<K, ServicePort> other : byOwner.values()) {
        for (K k : keys) {
          ServicePort v = other.get(k);
          if (v != null) {
            index.putIfAbsent(k, v);
          }
        }
      }
    }
  }
}
