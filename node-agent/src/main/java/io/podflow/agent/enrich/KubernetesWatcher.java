package io.podflow.agent.enrich;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.podflow.agent.k8s.Informers;
import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Keeps {@link ClusterMetadata} up to date from the API server with fabric8 informers: Pods, Nodes,
 * Services, EndpointSlices, and the ReplicaSets and Jobs that lead from a pod to its Deployment or
 * CronJob. Pods are held by their informer in a reduced form (uid and version only): the agent
 * keeps what records need in {@link PodInfo}, not 100,000 full Pod objects.
 */
public final class KubernetesWatcher implements AutoCloseable {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(KubernetesWatcher.class);
  private final KubernetesClient client;
  private final ClusterMetadata metadata;
  private final LongSupplier clockNanos;
  private final Interner interner = new Interner();
  private final Map<String, String> deploymentOfReplicaSet = new ConcurrentHashMap<>();
  private final Map<String, String> cronJobOfJob = new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final java.util.concurrent.atomic.AtomicLong rejected =
      new java.util.concurrent.atomic.AtomicLong();

  public KubernetesWatcher(KubernetesClient client, ClusterMetadata metadata, LongSupplier clock) {
    this.client = client;
    this.metadata = metadata;
    this.clockNanos = clock;
  }

  /**
   * Starts the informers (owners first, so pods resolve to their workloads) and waits until each
   * has listed what exists.
   */
  public KubernetesWatcher start(Duration timeout) throws InterruptedException {
    start(
        client.apps().replicaSets().inAnyNamespace().runnableInformer(0),
        rs -> owner(rs).ifPresent(o -> deploymentOfReplicaSet.put(key(rs), o)),
        rs -> deploymentOfReplicaSet.remove(key(rs)),
        timeout);
    start(
        client.batch().v1().jobs().inAnyNamespace().runnableInformer(0),
        job -> owner(job).ifPresent(o -> cronJobOfJob.put(key(job), o)),
        job -> cronJobOfJob.remove(key(job)),
        timeout);
    start(
        client.nodes().runnableInformer(0),
        this::putNode,
        n -> metadata.removeNode(name(n)),
        timeout);
    start(
        client.services().inAnyNamespace().runnableInformer(0),
        this::putService,
        s -> metadata.removeService(key(s)),
        timeout);
    start(
        client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0),
        this::putSlice,
        s -> metadata.removeEndpointSlice(key(s)),
        timeout);
    SharedIndexInformer<Pod> pods =
        client
            .pods()
            .inAnyNamespace()
            .runnableInformer(0)
            .itemStore(
                new ReducedStateItemStore<>(
                    ReducedStateItemStore.UID_KEY_STATE,
                    Pod.class,
                    client.getKubernetesSerialization()));
    start(
        pods,
        this::putPod,
        p -> metadata.deletePod(p.getMetadata().getUid(), clockNanos.getAsLong()),
        timeout);
    return this;
  }

  /** Whether every informer is watching; tells the metadata, which ages while one is not. */
  public boolean checkWatching() {
    boolean watching = informers.stream().allMatch(SharedIndexInformer::isWatching);
    metadata.watching(watching, clockNanos.getAsLong());
    return watching;
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
  }

  private <T extends HasMetadata> void start(
      SharedIndexInformer<T> informer, Consumer<T> upsert, Consumer<T> delete, Duration timeout)
      throws InterruptedException {
    informers.add(informer);
    Informers.startAndSync(
        informer,
        new ResourceEventHandler<T>() {
          @Override
          public void onAdd(T obj) {
            apply(upsert, obj);
          }

          @Override
          public void onUpdate(T oldObj, T newObj) {
            apply(upsert, newObj);
          }

          @Override
          public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            apply(delete, obj);
          }
        },
        timeout);
  }

  /** Objects the watcher could not take in (malformed, unexpected): counted and logged. */
  public long rejected() {
    return rejected.get();
  }

  private <T extends HasMetadata> void apply(Consumer<T> change, T object) {
    try {
      change.accept(object);
    } catch (RuntimeException e) {
      rejected.incrementAndGet();
      LOG.atWarn()
          .addKeyValue("kind", object.getKind())
          .addKeyValue("object", key(object))
          .setCause(e)
          .log("cannot take in a Kubernetes object: {}", e.toString());
    }
  }

  /** Takes in a pod as the informer reports it (public for benchmarks and tests). */
  public void putPod(Pod pod) {
    var meta = pod.getMetadata();
    var spec = pod.getSpec();
    boolean hostNetwork = Boolean.TRUE.equals(spec.getHostNetwork());
    String namespace = interner.get(meta.getNamespace());
    String[] workload = workload(pod);
    Map<String, String> labels =
        interner.labels(meta.getLabels() == null ? Map.of() : meta.getLabels());
    KubernetesIdentity identity =
        KubernetesIdentity.newBuilder()
            .setKind(
                hostNetwork
                    ? EndpointKind.ENDPOINT_KIND_HOST_NETWORK_POD
                    : EndpointKind.ENDPOINT_KIND_POD)
            .setPodName(meta.getName())
            .setNamespace(namespace)
            .putAllLabels(labels)
            .setWorkloadKind(interner.get(workload[0]))
            .setWorkloadName(interner.get(workload[1]))
            .setServiceAccount(interner.get(nullToEmpty(spec.getServiceAccountName())))
            .setNode(interner.get(nullToEmpty(spec.getNodeName())))
            .build();
    List<byte[]> ips = new ArrayList<>();
    // hostNetwork pods have their node's IP: that IP names the node, not one of its pods.
    if (!hostNetwork && pod.getStatus() != null) {
      List<PodIP> podIps = pod.getStatus().getPodIPs();
      if (podIps != null && !podIps.isEmpty()) {
        podIps.forEach(ip -> addLiteral(ips, ip.getIp()));
      } else {
        addLiteral(ips, pod.getStatus().getPodIP());
      }
    }
    metadata.putPod(
        new PodInfo(
            meta.getUid(),
            identity,
            namedPorts(spec),
            created(meta.getCreationTimestamp()),
            Long.MAX_VALUE),
        ips);
    // A pod that has finished (a Job's) keeps its IP in its status, but no longer holds it: the
    // address may be given to a new pod at once.
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      metadata.deletePod(meta.getUid(), clockNanos.getAsLong());
    }
  }

  /** The ports the pod's containers (init containers too: sidecars serve) give a name. */
  private NamedPorts namedPorts(io.fabric8.kubernetes.api.model.PodSpec spec) {
    List<io.fabric8.kubernetes.api.model.ContainerPort> named = new ArrayList<>();
    for (var containers : List.of(spec.getContainers(), spec.getInitContainers())) {
      for (var container : containers) {
        for (var port : container.getPorts()) {
          if (port.getName() != null
              && !port.getName().isEmpty()
              && port.getContainerPort() != null) {
            named.add(port);
          }
        }
      }
    }
    if (named.isEmpty()) {
      return NamedPorts.NONE;
    }
    int[] numbers = new int[named.size()];
    int[] protocols = new int[named.size()];
    String[] names = new String[named.size()];
    for (int i = 0; i < names.length; i++) {
      numbers[i] = named.get(i).getContainerPort();
      protocols[i] = protocol(named.get(i).getProtocol());
      names[i] = interner.get(named.get(i).getName());
    }
    return interner.ports(NamedPorts.of(numbers, protocols, names));
  }

  /** The pod's workload: Deployment through its ReplicaSet, CronJob through its Job, ... */
  private String[] workload(Pod pod) {
    String namespace = pod.getMetadata().getNamespace();
    for (OwnerReference ref : pod.getMetadata().getOwnerReferences()) {
      if (!Boolean.TRUE.equals(ref.getController())) {
        continue;
      }
      String kind = ref.getKind();
      String name = ref.getName();
      if ("ReplicaSet".equals(kind)) {
        String deployment = deploymentOfReplicaSet.get(namespace + "/" + name);
        if (deployment == null) {
          deployment = deploymentByHash(pod, name);
        }
        return deployment != null
            ? new String[] {"Deployment", deployment}
            : new String[] {kind, name};
      }
      if ("Job".equals(kind)) {
        String cronJob = cronJobOfJob.get(namespace + "/" + name);
        return cronJob != null ? new String[] {"CronJob", cronJob} : new String[] {kind, name};
      }
      return new String[] {kind, name};
    }
    return new String[] {"Pod", pod.getMetadata().getName()};
  }

  /**
   * A Deployment's ReplicaSet is named after it and the pod template's hash, which its pods carry
   * as a label: the Deployment is known even before the ReplicaSet's informer has it.
   */
  private static String deploymentByHash(Pod pod, String replicaSet) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    String hash = labels == null ? null : labels.get("pod-template-hash");
    if (hash == null || !replicaSet.endsWith("-" + hash)) {
      return null;
    }
    return replicaSet.substring(0, replicaSet.length() - hash.length() - 1);
  }

  public void putNode(Node node) {
    List<byte[]> ips = new ArrayList<>();
    if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
      for (NodeAddress address : node.getStatus().getAddresses()) {
        if ("InternalIP".equals(address.getType()) || "ExternalIP".equals(address.getType())) {
          addLiteral(ips, address.getAddress());
        }
      }
    }
    metadata.putNode(name(node), ips);
  }

  public void putService(Service service) {
    var spec = service.getSpec();
    String namespace = interner.get(service.getMetadata().getNamespace());
    String name = service.getMetadata().getName();
    Map<AddressPort, io.podflow.agent.enrich.ServicePort> addresses = new HashMap<>();
    Map<Integer, io.podflow.agent.enrich.ServicePort> nodePorts = new HashMap<>();
    if (spec == null || "ExternalName".equals(spec.getType())) {
      metadata.putService(key(service), addresses, nodePorts); // no address of its own
      return;
    }
    List<String> ips = new ArrayList<>();
    if (spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty()) {
      ips.addAll(spec.getClusterIPs());
    } else if (spec.getClusterIP() != null) {
      ips.add(spec.getClusterIP());
    }
    if (spec.getExternalIPs() != null) {
      ips.addAll(spec.getExternalIPs());
    }
    if (service.getStatus() != null
        && service.getStatus().getLoadBalancer() != null
        && service.getStatus().getLoadBalancer().getIngress() != null) {
      service.getStatus().getLoadBalancer().getIngress().forEach(i -> ips.add(i.getIp()));
    }
    List<byte[]> literal = new ArrayList<>();
    ips.forEach(ip -> addLiteral(literal, ip)); // "None" (headless) is not an address
    for (ServicePort port : spec.getPorts()) {
      var target =
          new io.podflow.agent.enrich.ServicePort(
              namespace, name, interner.get(nullToEmpty(port.getName())));
      int protocol = protocol(port.getProtocol());
      for (byte[] ip : literal) {
        addresses.put(AddressPort.of(ip, port.getPort(), protocol), target);
      }
      if (port.getNodePort() != null) {
        nodePorts.put(AddressPort.nodePortKey(port.getNodePort(), protocol), target);
      }
    }
    metadata.putService(key(service), addresses, nodePorts);
  }

  public void putSlice(EndpointSlice slice) {
    Map<String, String> labels = slice.getMetadata().getLabels();
    String service = labels == null ? null : labels.get("kubernetes.io/service-name");
    Map<AddressPort, io.podflow.agent.enrich.ServicePort> backends = new HashMap<>();
    if (service != null && slice.getPorts() != null) {
      String namespace = interner.get(slice.getMetadata().getNamespace());
      for (EndpointPort port : slice.getPorts()) {
        if (port.getPort() == null) {
          continue;
        }
        var target =
            new io.podflow.agent.enrich.ServicePort(
                namespace, service, interner.get(nullToEmpty(port.getName())));
        int protocol = protocol(port.getProtocol());
        for (Endpoint endpoint : slice.getEndpoints()) {
          List<byte[]> ips = new ArrayList<>();
          endpoint.getAddresses().forEach(a -> addLiteral(ips, a));
          for (byte[] ip : ips) {
            backends.put(AddressPort.of(ip, port.getPort(), protocol), target);
          }
        }
      }
    }
    metadata.putEndpointSlice(key(slice), backends);
  }

  private static java.util.Optional<String> owner(HasMetadata object) {
    return object.getMetadata().getOwnerReferences().stream()
        .filter(r -> Boolean.TRUE.equals(r.getController()))
        .filter(r -> "Deployment".equals(r.getKind()) || "CronJob".equals(r.getKind()))
        .map(OwnerReference::getName)
        .findFirst();
  }

  static int protocol(String name) {
    if (name == null) {
      return 6;
    }
    return switch (name) {
      case "UDP" -> 17;
      case "SCTP" -> 132;
      default -> 6;
    };
  }

  private static void addLiteral(List<byte[]> into, String ip) {
    byte[] bytes = IpLiterals.parse(ip);
    if (bytes != null) {
      into.add(bytes);
    }
  }

  private static long created(String timestamp) {
    if (timestamp == null) {
      return 0;
    }
    Instant at = Instant.parse(timestamp);
    return at.getEpochSecond() * 1_000_000_000L + at.getNano();
  }

  private static String key(HasMetadata object) {
    return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
  }

  private static String name(HasMetadata object) {
    return object.getMetadata().getName();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
