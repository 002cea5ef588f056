package io.podflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The agent needs the privileged level and has it, alone in its namespace; every other pod that
 * deploy/ makes meets the restricted level, and its namespace enforces restricted.
 */
class PodSecurityTest {
  private static final List<String> MODES = List.of("enforce", "audit", "warn");

  @Test
  void onlyTheAgentNeedsPrivilegedAndEveryOtherPodMeetsRestricted() {
    List<ObjectNode> all = Kustomize.render(Kustomize.deploy().resolve("overlays/complete"));
    Map<String, String> levels = namespaceLevels(all);
    List<String> problems = new ArrayList<>();
    int pods = 0;
    for (ObjectNode object : all) {
      JsonNode pod = PodSecurity.podSpec(object);
      if (pod == null) {
        continue;
      }
      pods++;
      String id = Kustomize.id(object);
      String namespace = object.path("metadata").path("namespace").asText();
      if (object.path("metadata").path("name").asText().equals("podflow-agent")) {
        // Host network, a hostPath spool and NET_RAW: privileged, and nothing below admits it.
        assertThat(PodSecurity.baseline(pod)).as(id).isNotEmpty();
        assertThat(levels.get(namespace)).as(id + "'s namespace").isEqualTo("privileged");
        assertThat(
                all.stream()
                    .filter(o -> namespace.equals(o.path("metadata").path("namespace").asText()))
                    .filter(o -> PodSecurity.podSpec(o) != null)
                    .count())
            .as("workloads in " + namespace)
            .isEqualTo(1);
      } else {
        PodSecurity.restricted(pod).forEach(p -> problems.add(id + ": " + p));
        assertThat(levels.get(namespace)).as(id + "'s namespace").isEqualTo("restricted");
      }
    }
    assertThat(pods).isEqualTo(3); // agent, processor, OpenSearch
    assertThat(problems).isEmpty();
  }

  @Test
  void theRestrictedCheckRefusesWhatRestrictedRefuses() throws Exception {
    JsonNode pod =
        new ObjectMapper()
            .readTree(
                "{\"hostNetwork\":true,\"volumes\":[{\"name\":\"h\",\"hostPath\":{\"path\":\"/\"}}],"
                    + "\"containers\":[{\"name\":\"c\",\"securityContext\":{\"capabilities\":"
                    + "{\"add\":[\"NET_RAW\"]}}}]}");
    assertThat(String.join("\n", PodSecurity.restricted(pod)))
        .contains("hostNetwork")
        .contains("hostPath")
        .contains("allowPrivilegeEscalation")
        .contains("runAsNonRoot")
        .contains("drop ALL")
        .contains("adds NET_RAW")
        .contains("seccompProfile");
  }

  /** Namespace to its enforced level; every namespace sets all three modes alike. */
  private static Map<String, String> namespaceLevels(List<ObjectNode> objects) {
    Map<String, String> levels = new HashMap<>();
    for (ObjectNode o : objects) {
      if (o.path("kind").asText().equals("Namespace")) {
        JsonNode labels = o.path("metadata").path("labels");
        String enforce = labels.path("pod-security.kubernetes.io/enforce").asText();
        for (String mode : MODES) {
          assertThat(labels.path("pod-security.kubernetes.io/" + mode).asText())
              .as(Kustomize.id(o) + " " + mode)
              .isEqualTo(enforce);
        }
        levels.put(o.path("metadata").path("name").asText(), enforce);
      }
    }
    return levels;
  }
}
