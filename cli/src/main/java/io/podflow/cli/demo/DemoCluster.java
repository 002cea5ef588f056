package io.podflow.cli.demo;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The demo's cluster as the API server holds it: namespaces, the Deployments' pods (at the
 * addresses their network namespaces got), Service {@code my-service} (the Kubernetes guides'
 * example: selector app=MyApp, port 80 to targetPort 8080) with its EndpointSlice, and the
 * NetworkPolicies from {@code demo/*.yaml}: {@code allow-nginx} (ingress to app=nginx only from
 * app=frontend) from the start, {@code ledger-from-billing-only} applied midway.
 */
final class DemoCluster {
  static final String CLUSTER = "demo";
  static final String SERVICE_IP = "10.96.0.10";
  static final String SERVICE_CIDR = "10.96.0.0/16";
  static final int SERVICE_PORT = 80;
  static final int TARGET_PORT = 8080;
  static final String NODE = "demo-node";

  private static final String HASH = "7d9f8b6c5";

  /** A Deployment's pod: its namespace, Deployment, app label, the port it serves (0: none). */
  record DemoPod(
      String namespace, String deployment, String app, String suffix, String protocol, int port) {
    String name() {
      return deployment + "-" + HASH + "-" + suffix;
    }

    String label() {
      return namespace.equals("kube-system") ? "k8s-app" : "app";
    }
  }

  static final DemoPod FRONTEND = new DemoPod("shop", "frontend", "frontend", "x7k2p", null, 0);
  static final DemoPod SHOPPER = new DemoPod("shop", "shopper", "shopper", "m4q9z", null, 0);
  static final DemoPod NGINX = new DemoPod("shop", "nginx", "nginx", "b2w8d", "TCP", 80);
  static final DemoPod MYAPP_1 = new DemoPod("default", "myapp", "MyApp", "r5t1c", "TCP", 8080);
  static final DemoPod MYAPP_2 = new DemoPod("default", "myapp", "MyApp", "h8n3v", "TCP", 8080);
  static final DemoPod LEDGER = new DemoPod("billing", "ledger", "ledger", "q1z6s", "TCP", 5432);
  static final DemoPod COREDNS =
      new DemoPod("kube-system", "coredns", "kube-dns", "j3d7f", "UDP", 53);

  static final List<DemoPod> PODS =
      List.of(FRONTEND, SHOPPER, NGINX, MYAPP_1, MYAPP_2, LEDGER, COREDNS);

  private DemoCluster() {}

  /** Namespaces, pods at {@code ips}, the Service and its slice, and the first policy. */
  static void create(KubernetesClient api, Map<DemoPod, String> ips) {
    for (String ns : List.of("shop", "default", "billing", "kube-system")) {
      api.resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName(ns)
                  .addToLabels("kubernetes.io/metadata.name", ns)
                  .endMetadata()
                  .build())
          .create();
    }
    for (DemoPod pod : PODS) {
      api.resource(pod(pod, ips.get(pod))).create();
    }
    api.resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withNamespace("default")
                .withName("my-service")
                .endMetadata()
                .withNewSpec()
                .withType("ClusterIP")
                .withClusterIP(SERVICE_IP)
                .addToSelector("app", "MyApp")
                .addNewPort()
                .withProtocol("TCP")
                .withPort(SERVICE_PORT)
                .withNewTargetPort(TARGET_PORT)
                .endPort()
                .endSpec()
                .build())
        .create();
    api.resource(
            new EndpointSliceBuilder()
                .withNewMetadata()
                .withNamespace("default")
                .withName("my-service-abc12")
                .addToLabels("kubernetes.io/service-name", "my-service")
                .endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint()
                .withAddresses(ips.get(MYAPP_1))
                .endEndpoint()
                .addNewEndpoint()
                .withAddresses(ips.get(MYAPP_2))
                .endEndpoint()
                .addNewPort()
                .withProtocol("TCP")
                .withPort(TARGET_PORT)
                .endPort()
                .build())
        .create();
    apply(api, "demo/allow-nginx.yaml");
  }

  /** The policy the demo applies midway: the ledger then takes ingress from billing only. */
  static void applyMidwayPolicy(KubernetesClient api) {
    apply(api, "demo/ledger-from-billing-only.yaml");
  }

  private static void apply(KubernetesClient api, String resource) {
    try (InputStream in = DemoCluster.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      for (HasMetadata object : api.load(in).items()) {
        api.resource(object).create();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static io.fabric8.kubernetes.api.model.Pod pod(DemoPod pod, String ip) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(pod.namespace())
            .withName(pod.name())
            .addToLabels(pod.label(), pod.app())
            .addToLabels("pod-template-hash", HASH)
            .addNewOwnerReference()
            .withApiVersion("apps/v1")
            .withKind("ReplicaSet")
            .withName(pod.deployment() + "-" + HASH)
            .withUid("rs-" + pod.deployment())
            .withController(true)
            .endOwnerReference()
            .endMetadata();
    var container =
        b.withNewSpec()
            .withNodeName(NODE)
            .withServiceAccountName(pod.deployment())
            .addNewContainer()
            .withName(pod.deployment())
            .withImage("registry.example/" + pod.deployment() + ":1.0");
    if (pod.port() > 0) {
      container
          .addNewPort()
          .withName(pod.protocol().equals("UDP") ? "dns" : "http")
          .withProtocol(pod.protocol())
          .withContainerPort(pod.port())
          .endPort();
    }
    return container
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP(ip)
        .endStatus()
        .build();
  }
}
