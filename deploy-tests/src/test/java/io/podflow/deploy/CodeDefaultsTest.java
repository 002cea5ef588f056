package io.podflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podflow.agent.config.AgentConfig;
import io.podflow.processor.job.ProcessorConfig;
import io.podflow.schema.kafka.PodflowTopic;
import io.podflow.stack.LoopbackCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What deploy/ sets agrees with what the code reads: the agent's ConfigMap parses as the agent
 * parses it, with the DaemonSet's environment; ports and probes are the agent's HTTP port; the
 * processor's arguments and variables are keys ProcessorConfig knows; images carry the build's
 * version; the topics are the code's.
 */
class CodeDefaultsTest {
  private final List<ObjectNode> agent = Kustomize.render(Kustomize.deploy().resolve("base/agent"));
  private final List<ObjectNode> processor =
      Kustomize.render(Kustomize.deploy().resolve("base/processor"));
  private final List<ObjectNode> kafka = Kustomize.render(Kustomize.deploy().resolve("base/kafka"));

  @Test
  void theAgentConfigMapParsesWithTheDaemonSetsEnvironment() {
    JsonNode container = only(agent, "DaemonSet").at("/spec/template/spec/containers/0");
    String yaml = configMapNamed(agent, "podflow-agent").path("data").path("agent.yaml").asText();
    AgentConfig config =
        AgentConfig.parse(yaml, "ConfigMap podflow-agent", environment(container, agent));

    String servers =
        configMapNamed(agent, "podflow-endpoints").at("/data/KAFKA_BOOTSTRAP_SERVERS").asText();
    assertThat(config.kafka().bootstrapServers()).isEqualTo(servers);
    assertThat(config.kafka().topic()).isEqualTo(PodflowTopic.FLOWS.topic());
    assertThat(config.policies().topic()).isEqualTo(PodflowTopic.POLICIES.topic());
    assertThat(config.policies().leaseNamespace()).isEqualTo("podflow-agent");
    assertThat(config.node()).isEqualTo("node-from-fieldRef");
  }

  @Test
  void theAgentsPortAndProbesAreItsHttpPort() {
    JsonNode container = only(agent, "DaemonSet").at("/spec/template/spec/containers/0");
    String yaml = configMapNamed(agent, "podflow-agent").path("data").path("agent.yaml").asText();
    int port = AgentConfig.parse(yaml, "ConfigMap", environment(container, agent)).httpPort();
    assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(port);
    assertThat(container.at("/readinessProbe/httpGet/port").asInt()).isEqualTo(port);
    assertThat(container.at("/livenessProbe/httpGet/port").asInt()).isEqualTo(port);
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(
            only(agent, "DaemonSet")
                .at("/spec/template/metadata/annotations/prometheus.io~1port")
                .asText())
        .isEqualTo(String.valueOf(port));
  }

  @Test
  void imagesCarryTheBuildsVersionAndTheJobsMainClassExists() throws Exception {
    JsonNode daemonSet = only(agent, "DaemonSet");
    assertThat(daemonSet.at("/spec/template/spec/containers/0/image").asText())
        .isEqualTo("podflow/agent:" + Versions.imageTag());
    assertThat(daemonSet.at("/spec/template/spec/containers/0/args").toString())
        .isEqualTo("[\"--config\",\"/etc/podflow/agent.yaml\"]");
    JsonNode flink = only(processor, "FlinkDeployment");
    assertThat(flink.at("/spec/image").asText())
        .isEqualTo("podflow/flow-processor:" + Versions.imageTag());
    assertThat(flink.at("/spec/job/jarURI").asText())
        .isEqualTo("local:///opt/flink/usrlib/podflow-flow-processor.jar");
    Class<?> main = Class.forName(flink.at("/spec/job/entryClass").asText());
    assertThat(main.getMethod("main", String[].class)).isNotNull();
  }

  @Test
  void theProcessorsArgumentsAndVariablesAreKeysItKnows() {
    JsonNode flink = only(processor, "FlinkDeployment");
    Map<String, String> env =
        environment(flink.at("/spec/podTemplate/spec/containers/0"), processor);
    List<String> args = new ArrayList<>();
    flink.at("/spec/job/args").forEach(a -> args.add(a.asText()));
    // Every file an argument names must lie in a volume the pod mounts: ConfigMaps' files are
    // written as the kubelet would (so the Kafka client properties are checked by the code's own
    // rules), a Secret's file gets a stand-in value. Paths are moved under a temporary root.
    JsonNode pod = flink.at("/spec/podTemplate/spec");
    List<String> mounted = new ArrayList<>();
    for (String arg : args) {
      String value = arg.substring(arg.indexOf('=') + 1);
      if (value.startsWith("/")) {
        mounted.add(arg.substring(0, arg.indexOf('=') + 1) + mount(pod, value, processor));
      } else {
        mounted.add(arg);
      }
    }
    ProcessorConfig config = ProcessorConfig.parse(mounted.toArray(String[]::new), env);
    assertThat(config.bootstrapServers())
        .isEqualTo(
            configMapNamed(processor, "podflow-endpoints")
                .at("/data/KAFKA_BOOTSTRAP_SERVERS")
                .asText());
    assertThat(config.openSearch().getScheme()).isEqualTo("https");
    assertThat(config.alertmanager()).isNull();
    assertThat(config.groupId()).isEqualTo("podflow-flow-processor");
  }

  @Test
  void kafkaTopicsAreTheCodesTopicsWithThePoliciesCompacted() {
    Map<String, JsonNode> topics = new HashMap<>();
    for (ObjectNode o : kafka) {
      if (o.path("kind").asText().equals("KafkaTopic")) {
        String name = o.at("/spec/topicName").asText(o.at("/metadata/name").asText());
        topics.put(name, o);
      }
    }
    assertThat(topics.keySet())
        .containsExactlyInAnyOrder(
            PodflowTopic.FLOWS.topic(),
            PodflowTopic.POLICIES.topic(),
            PodflowTopic.ALERTS.topic(),
            PodflowTopic.DEAD_LETTERS.topic());
    // The KafkaTopics carry what `podflow setup` would create (PodflowTopic): partitions and every
    // topic-level setting, the policies' compaction among them; they may add settings of their own.
    for (PodflowTopic t : PodflowTopic.values()) {
      JsonNode spec = topics.get(t.topic()).path("spec");
      assertThat(spec.path("partitions").asInt()).as(t.topic()).isEqualTo(t.defaultPartitions());
      t.configs()
          .forEach(
              (key, value) ->
                  assertThat(spec.path("config").path(key).asText())
                      .as(t + " " + key)
                      .isEqualTo(value));
    }
    Set<String> aclTopics = new HashSet<>();
    Set<String> groups = new HashSet<>();
    for (ObjectNode o : kafka) {
      if (o.path("kind").asText().equals("KafkaUser")) {
        for (JsonNode acl : o.at("/spec/authorization/acls")) {
          (acl.at("/resource/type").asText().equals("topic") ? aclTopics : groups)
              .add(acl.at("/resource/name").asText());
        }
      }
    }
    assertThat(topics.keySet()).containsAll(aclTopics);
    // The processor's consumer groups: its group id and the policies source's (group id + suffix).
    String group = ProcessorConfig.of("k:9092", java.net.URI.create("http://o:9200")).groupId();
    assertThat(groups).containsExactly(group);
  }

  @Test
  void onlyTheEndpointsConfigMapsNameKafkaAndOpenSearch() {
    for (String overlay : List.of("overlays/complete", "overlays/external")) {
      List<ObjectNode> rendered = Kustomize.render(Kustomize.deploy().resolve(overlay));
      JsonNode endpoints = configMapNamed(rendered, "podflow-endpoints").path("data");
      for (String key : List.of("KAFKA_BOOTSTRAP_SERVERS", "OPENSEARCH_URI")) {
        String address = endpoints.path(key).asText();
        assertThat(address).as(overlay + " " + key).isNotBlank();
        List<String> naming =
            rendered.stream()
                .filter(o -> o.toString().contains(address))
                .map(Kustomize::id)
                .toList();
        assertThat(naming)
            .as(overlay + ": objects naming " + address)
            .hasSize(2)
            .allMatch(id -> id.startsWith("ConfigMap ") && id.contains("/podflow-endpoints-"));
      }
    }
  }

  @TempDir Path root;

  /**
   * Where {@code path} is in a pod whose volumes are laid out under {@link #root}: the volume
   * mounted over it (a ConfigMap's keys as files, a Secret's key as a stand-in), or a failure when
   * no volume of the pod holds it.
   */
  private String mount(JsonNode pod, String path, List<ObjectNode> rendered) {
    for (JsonNode m : pod.at("/containers/0/volumeMounts")) {
      String at = m.path("mountPath").asText() + "/";
      if (!path.startsWith(at)) {
        continue;
      }
      String key = path.substring(at.length());
      JsonNode volume = null;
      for (JsonNode v : pod.path("volumes")) {
        if (v.path("name").asText().equals(m.path("name").asText())) {
          volume = v;
        }
      }
      assertThat(volume).as("volume of mount " + m).isNotNull();
      String content;
      try {
        if (volume.has("configMap")) {
          JsonNode data =
              configMapNamed(rendered, volume.at("/configMap/name").asText()).path("data");
          assertThat(data.has(key)).as(path + " in its ConfigMap").isTrue();
          content = data.path(key).asText();
        } else {
          assertThat(volume.has("secret")).as(path + ": a ConfigMap or a Secret").isTrue();
          // A certificate where one is expected (parsed at start), a word for a password.
          content =
              key.endsWith(".crt")
                  ? Files.readString(LoopbackCertificates.issue(root.resolve("pki")).caPem())
                  : "stand-in";
        }
        Path file = root.resolve(path.substring(1));
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file.toString();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    throw new AssertionError(path + " lies in no volume the pod mounts");
  }

  /** A container's environment as the kubelet would give it (fieldRefs with stand-in values). */
  private static Map<String, String> environment(JsonNode container, List<ObjectNode> rendered) {
    Map<String, String> env = new HashMap<>();
    for (JsonNode var : container.path("env")) {
      String name = var.path("name").asText();
      if (var.has("value")) {
        env.put(name, var.path("value").asText());
      } else if (var.at("/valueFrom/fieldRef").isObject()) {
        String field = var.at("/valueFrom/fieldRef/fieldPath").asText();
        env.put(
            name,
            switch (field) {
              case "spec.nodeName" -> "node-from-fieldRef";
              case "metadata.namespace" -> "podflow-agent";
              default -> field + "-from-fieldRef";
            });
      } else if (var.at("/valueFrom/configMapKeyRef").isObject()) {
        JsonNode ref = var.at("/valueFrom/configMapKeyRef");
        JsonNode map =
            rendered.stream()
                .filter(o -> o.path("kind").asText().equals("ConfigMap"))
                .filter(o -> o.at("/metadata/name").asText().equals(ref.path("name").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no ConfigMap " + ref.path("name").asText()));
        JsonNode value = map.path("data").path(ref.path("key").asText());
        assertThat(value.isMissingNode()).as(name + " from " + ref).isFalse();
        env.put(name, value.asText());
      } else {
        throw new AssertionError("unexpected variable source: " + var);
      }
    }
    return env;
  }

  private static JsonNode only(List<ObjectNode> objects, String kind) {
    List<ObjectNode> found =
        objects.stream()
            .filter(o -> o.path("kind").asText().equals(kind))
            .collect(Collectors.toList());
    assertThat(found).as(kind).hasSize(1);
    return found.get(0);
  }

  /** A generated ConfigMap by the name it was given (before kustomize's hash suffix). */
  private static JsonNode configMapNamed(List<ObjectNode> objects, String name) {
    return objects.stream()
        .filter(o -> o.path("kind").asText().equals("ConfigMap"))
        .filter(
            o -> o.at("/metadata/name").asText().matches(Pattern.quote(name) + "(-[a-z0-9]{10})?"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ConfigMap " + name));
  }
}
