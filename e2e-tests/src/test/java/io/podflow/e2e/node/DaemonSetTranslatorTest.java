package io.podflow.e2e.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonSetTranslatorTest {
  /** A DaemonSet as CONTRACTS.md describes the agent's, rendered (ConfigMap names hashed). */
  private static final String RENDERED =
      """
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: podflow-agent-5f7h9, namespace: podflow-agent}
      data:
        agent.yaml: "cluster: c\\n"
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: podflow-kafka-2b4c6, namespace: podflow-agent}
      data: {bootstrapServers: "kafka:9092"}
      ---
      apiVersion: apps/v1
      kind: DaemonSet
      metadata:
        name: podflow-agent
        namespace: podflow-agent
        labels: {app.kubernetes.io/name: podflow-agent}
      spec:
        selector:
          matchLabels: {app.kubernetes.io/name: podflow-agent}
        updateStrategy: {type: RollingUpdate}
        template:
          metadata:
            labels: {app.kubernetes.io/name: podflow-agent}
            annotations: {prometheus.io/scrape: "true"}
          spec:
            serviceAccountName: podflow-agent
            hostNetwork: true
            dnsPolicy: ClusterFirstWithHostNet
            priorityClassName: system-node-critical
            tolerations: [{operator: Exists}]
            terminationGracePeriodSeconds: 30
            containers:
              - name: agent
                image: podflow/agent:0.1.0
                args: [--config, /etc/podflow/agent.yaml]
                env:
                  - name: NODE_NAME
                    valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
                  - name: PODFLOW_KAFKA_BOOTSTRAPSERVERS
                    valueFrom: {configMapKeyRef: {name: podflow-kafka-2b4c6, key: bootstrapServers}}
                  - name: JAVA_TOOL_OPTIONS
                    value: "-XX:+UseSerialGC -XX:MaxRAMPercentage=60"
                securityContext:
                  runAsUser: 0
                  runAsNonRoot: false
                  capabilities: {drop: [ALL], add: [NET_RAW]}
                  allowPrivilegeEscalation: false
                  readOnlyRootFilesystem: true
                  seccompProfile: {type: RuntimeDefault}
                ports: [{name: http, containerPort: 9090}]
                readinessProbe:
                  httpGet: {path: /readyz, port: http}
                  periodSeconds: 5
                livenessProbe:
                  httpGet: {path: /healthz, port: 9091}
                resources:
                  requests: {cpu: 100m, memory: 256Mi}
                  limits: {memory: 512Mi}
                volumeMounts:
                  - {name: config, mountPath: /etc/podflow}
                  - {name: spool, mountPath: /var/lib/podflow}
                  - {name: tmp, mountPath: /tmp}
            volumes:
              - name: config
                configMap: {name: podflow-agent-5f7h9}
              - name: spool
                hostPath: {path: /var/lib/podflow, type: DirectoryOrCreate}
              - name: tmp
                emptyDir: {}
      """;

  @TempDir Path dir;

  private PodmanRun translate(String yaml, Map<String, String> fieldRefs) throws Exception {
    List<JsonNode> objects = RenderedManifests.parse(yaml);
    return DaemonSetTranslator.translate(
        RenderedManifests.find(objects, "DaemonSet", "podflow-agent"),
        objects,
        new DaemonSetTranslator.Node(fieldRefs, "http://127.0.0.1:6443", dir));
  }

  private PodmanRun translate(String yaml, Map<String, String> fieldRefs, Map<String, Path> secrets)
      throws Exception {
    List<JsonNode> objects = RenderedManifests.parse(yaml);
    return DaemonSetTranslator.translate(
        RenderedManifests.find(objects, "DaemonSet", "podflow-agent"),
        objects,
        new DaemonSetTranslator.Node(fieldRefs, "http://127.0.0.1:6443", dir, secrets));
  }

  /** RENDERED with the agent's two Secret volumes, the CA's projected through items. */
  private static String withSecrets() {
    return RENDERED
        .replace(
            "            - {name: tmp, mountPath: /tmp}\n",
            "            - {name: tmp, mountPath: /tmp}\n"
                + "            - {name: kafka-user, mountPath: /etc/podflow-secrets/kafka-user,"
                + " readOnly: true}\n"
                + "            - {name: kafka-ca, mountPath: /etc/podflow-secrets/kafka-ca}\n")
        .replace(
            "          emptyDir: {}\n",
            "          emptyDir: {}\n"
                + "        - name: kafka-user\n"
                + "          secret: {secretName: podflow-agent-kafka-user}\n"
                + "        - name: kafka-ca\n"
                + "          secret:\n"
                + "            secretName: podflow-kafka-ca\n"
                + "            items: [{key: ca.crt, path: ca.pem}]\n");
  }

  private PodmanRun translate(String yaml) throws Exception {
    return translate(yaml, Map.of("spec.nodeName", "node-1"));
  }

  @Test
  void theAgentsDaemonSetBecomesExactlyTheseFlags() throws Exception {
    PodmanRun run = translate(RENDERED);
    assertThat(run.image()).isEqualTo("podflow/agent:0.1.0");
    assertThat(run.args()).containsExactly("--config", "/etc/podflow/agent.yaml");
    assertThat(run.flags())
        .containsExactly(
            "--network", "host",
            "--user", "0",
            "--cap-drop", "all",
            "--cap-add", "NET_RAW",
            "--read-only", "--read-only-tmpfs=false",
            "--security-opt", "no-new-privileges",
            "--memory", "536870912",
            "--env", "KUBERNETES_MASTER=http://127.0.0.1:6443",
            "--env", "KUBERNETES_AUTH_TRYKUBECONFIG=false",
            "--env", "NODE_NAME=node-1",
            "--env", "PODFLOW_KAFKA_BOOTSTRAPSERVERS=kafka:9092",
            "--env", "JAVA_TOOL_OPTIONS=-XX:+UseSerialGC -XX:MaxRAMPercentage=60",
            "--volume", dir.resolve("configmap-config") + ":/etc/podflow:ro",
            "--volume", dir.resolve("host_var_lib_podflow") + ":/var/lib/podflow:rw",
            "--tmpfs", "/tmp:rw,exec,nosuid,nodev,mode=1777",
            "--stop-timeout", "30");
    assertThat(run.readiness()).isEqualTo(new PodmanRun.HttpProbe("/readyz", 9090));
    assertThat(run.liveness()).isEqualTo(new PodmanRun.HttpProbe("/healthz", 9091));
    assertThat(run.hostPaths())
        .containsEntry("/var/lib/podflow", dir.resolve("host_var_lib_podflow"));
  }

  @Test
  void aConfigMapVolumeIsItsDataAsFilesMountedReadOnly() throws Exception {
    translate(RENDERED);
    assertThat(Files.readString(dir.resolve("configmap-config/agent.yaml")))
        .isEqualTo("cluster: c\n");
  }

  @Test
  void aFieldTheTranslatorDoesNotKnowIsAnErrorNamingIt() {
    String withHostPid =
        RENDERED.replace("hostNetwork: true", "hostNetwork: true\n      hostPID: true");
    assertThatThrownBy(() -> translate(withHostPid))
        .isInstanceOf(DaemonSetTranslator.UntranslatableException.class)
        .hasMessageContaining("spec.template.spec.hostPID");
    String withStdin =
        RENDERED.replace(
            "image: podflow/agent:0.1.0", "image: podflow/agent:0.1.0\n          stdin: true");
    assertThatThrownBy(() -> translate(withStdin))
        .hasMessageContaining("spec.template.spec.containers.0.stdin");
  }

  @Test
  void securitySettingsItCannotReproduceAreErrors() {
    assertThatThrownBy(
            () ->
                translate(
                    RENDERED.replace(
                        "runAsUser: 0", "runAsUser: 0\n            procMount: Unmasked")))
        .hasMessageContaining("securityContext.procMount");
    assertThatThrownBy(
            () -> translate(RENDERED.replace("runAsNonRoot: false", "runAsNonRoot: true")))
        .hasMessageContaining("runAsNonRoot");
    assertThatThrownBy(() -> translate(RENDERED.replace("hostNetwork: true", "hostNetwork: false")))
        .hasMessageContaining("hostNetwork");
    assertThatThrownBy(() -> translate(RENDERED.replace("type: RuntimeDefault", "type: Localhost")))
        .hasMessageContaining("seccompProfile");
  }

  @Test
  void aFieldRefWithoutATestValueOrAMissingConfigMapIsAnError() {
    assertThatThrownBy(() -> translate(RENDERED, Map.of()))
        .hasMessageContaining("no test value for fieldRef spec.nodeName");
    assertThatThrownBy(
            () ->
                translate(
                    RENDERED.replace(
                        "{configMapKeyRef: {name: podflow-kafka-2b4c6",
                        "{configMapKeyRef: {name: other")))
        .hasMessageContaining("no ConfigMap other");
  }

  @Test
  void aSecretVolumeIsTheTestsDirectoryForThatSecretMountedReadOnly() throws Exception {
    Path user = Files.createDirectories(dir.resolve("given/user"));
    Files.writeString(user.resolve("password"), "s3cret");
    Path ca = Files.createDirectories(dir.resolve("given/ca"));
    Files.writeString(ca.resolve("ca.crt"), "PEM");
    Files.writeString(ca.resolve("ca.p12"), "not projected");
    PodmanRun run =
        translate(
            withSecrets(),
            Map.of("spec.nodeName", "node-1"),
            Map.of("podflow-agent-kafka-user", user, "podflow-kafka-ca", ca));
    Path projected = dir.resolve("secret-kafka-ca");
    assertThat(String.join(" ", run.flags()))
        .contains("--volume " + user + ":/etc/podflow-secrets/kafka-user:ro")
        // Read-only although the mount does not say so: the kubelet mounts Secrets read-only.
        .contains("--volume " + projected + ":/etc/podflow-secrets/kafka-ca:ro");
    // items: only the keys named, under their paths.
    assertThat(Files.readString(projected.resolve("ca.pem"))).isEqualTo("PEM");
    assertThat(projected.resolve("ca.p12")).doesNotExist();
  }

  @Test
  void aSecretTheTestDoesNotProvideIsAnErrorNamingIt() throws Exception {
    Path user = Files.createDirectories(dir.resolve("given/user"));
    assertThatThrownBy(
            () ->
                translate(
                    withSecrets(),
                    Map.of("spec.nodeName", "node-1"),
                    Map.of("podflow-agent-kafka-user", user)))
        .isInstanceOf(DaemonSetTranslator.UntranslatableException.class)
        .hasMessageContaining("Secret podflow-kafka-ca");
    Path ca = Files.createDirectories(dir.resolve("given/ca"));
    assertThatThrownBy(
            () ->
                translate(
                    withSecrets(),
                    Map.of("spec.nodeName", "node-1"),
                    Map.of("podflow-agent-kafka-user", user, "podflow-kafka-ca", ca)))
        .hasMessageContaining("the Secret podflow-kafka-ca has no key ca.crt");
  }

  @Test
  void aHostNetworkPodsOwnAndNodesIpAreLoopbackWithoutATestValue() throws Exception {
    String withIps =
        RENDERED.replace(
            "            - name: JAVA_TOOL_OPTIONS\n",
            "            - name: POD_IP\n"
                + "              valueFrom: {fieldRef: {fieldPath: status.podIP}}\n"
                + "            - name: HOST_IP\n"
                + "              valueFrom: {fieldRef: {fieldPath: status.hostIP}}\n"
                + "            - name: JAVA_TOOL_OPTIONS\n");
    PodmanRun run = translate(withIps);
    assertThat(run.env())
        .containsEntry("POD_IP", "127.0.0.1")
        .containsEntry("HOST_IP", "127.0.0.1");
    // Without the host's network the pod would have an address of its own, which podman does not
    // give as Kubernetes would: the translator refuses such a manifest anyway.
    assertThatThrownBy(() -> translate(withIps.replace("hostNetwork: true", "hostNetwork: false")))
        .hasMessageContaining("hostNetwork");
  }

  @Test
  void argumentsAndValuesExpandEarlierVariablesAsKubernetesDoes() throws Exception {
    PodmanRun run =
        translate(
            RENDERED.replace(
                "args: [--config, /etc/podflow/agent.yaml]",
                "args: [--config, /etc/$(NODE_NAME).yaml]"));
    assertThat(run.args()).containsExactly("--config", "/etc/node-1.yaml");
  }

  @Test
  void quantitiesAreKubernetesUnits() {
    assertThat(DaemonSetTranslator.bytes("512Mi")).isEqualTo(512L << 20);
    assertThat(DaemonSetTranslator.bytes("1G")).isEqualTo(1_000_000_000L);
    assertThat(DaemonSetTranslator.bytes("4096")).isEqualTo(4096L);
    assertThat(DaemonSetTranslator.cpus("500m")).isEqualTo("0.500");
    assertThatThrownBy(() -> DaemonSetTranslator.bytes("1.5Gi")).hasMessageContaining("1.5Gi");
  }
}
