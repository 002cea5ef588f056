package io.podflow.bench;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.podflow.agent.enrich.KubernetesWatcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A cluster of {@code pods} pods as the informers would report it: 100 namespaces, Deployments of
 * 10 pods (labels app, version, team, pod-template-hash; a named port), each with a ClusterIP
 * Service and an EndpointSlice, on 100 nodes. Pod IPs are 10.(1 + i / 65536).(i / 256).(i % 256);
 * Service IPs 10.96.(d / 256).(d % 256).
 */
final class SyntheticCluster {
  static final int PODS_PER_DEPLOYMENT = 10;

  private SyntheticCluster() {}

  static void load(KubernetesWatcher watcher, int pods) {
    String created = Instant.parse("2026-01-01T00:00:00Z").toString();
    int deployments = pods / PODS_PER_DEPLOYMENT;
    for (int d = 0; d < deployments; d++) {
      String namespace = "ns-" + (d % 100);
      String app = "app-" + d;
      String hash = Integer.toHexString(0x5f00000 + d);
      List<String> ips = new ArrayList<>();
      for (int k = 0; k < PODS_PER_DEPLOYMENT; k++) {
        int i = d * PODS_PER_DEPLOYMENT + k;
        String ip = podIp(i);
        ips.add(ip);
        Pod pod =
            new PodBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(app + "-" + hash + "-" + Integer.toString(i, 36))
                .withUid("00000000-0000-0000-0000-" + String.format("%012d", i))
                .withCreationTimestamp(created)
                .withLabels(
                    Map.of(
                        "app",
                        app,
                        "version",
                        "v" + (d % 3),
                        "team",
                        "team-" + (d % 20),
                        "pod-template-hash",
                        hash))
                .withOwnerReferences(
                    new OwnerReferenceBuilder()
                        .withKind("ReplicaSet")
                        .withName(app + "-" + hash)
                        .withController(true)
                        .build())
                .endMetadata()
                .withNewSpec()
                .withNodeName("node-" + (i % 100))
                .withServiceAccountName(app)
                .addNewContainer()
                .withName("main")
                .withPorts(
                    new ContainerPortBuilder().withName("http").withContainerPort(8080).build())
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPodIP(ip)
                .endStatus()
                .build();
        watcher.putPod(pod);
      }
      watcher.putService(
          new ServiceBuilder()
              .withNewMetadata()
              .withNamespace(namespace)
              .withName(app)
              .endMetadata()
              .withNewSpec()
              .withType("ClusterIP")
              .withClusterIP(serviceIp(d))
              .addNewPort()
              .withName("http")
              .withPort(80)
              .withProtocol("TCP")
              .endPort()
              .endSpec()
              .build());
      watcher.putSlice(
          new EndpointSliceBuilder()
              .withNewMetadata()
              .withNamespace(namespace)
              .withName(app + "-x")
              .addToLabels("kubernetes.io/service-name", app)
              .endMetadata()
              .withAddressType("IPv4")
              .addNewEndpoint()
              .withAddresses(ips)
              .endEndpoint()
              .addNewPort()
              .withName("http")
              .withPort(8080)
              .withProtocol("TCP")
              .endPort()
              .build());
    }
  }

  static String podIp(int i) {
    return "10." + (1 + i / 65536) + "." + (i / 256 % 256) + "." + (i % 256);
  }

  static String serviceIp(int d) {
    return "10.96." + (d / 256) + "." + (d % 256);
  }
}
