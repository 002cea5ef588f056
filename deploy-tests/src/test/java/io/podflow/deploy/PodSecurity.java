package io.podflow.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The Pod Security Standards' checks (kubernetes/pod-security-admission, policy/check_*.go) that
 * decide podflow's pods, re-stated: what a pod spec breaks at the baseline and the restricted
 * level. Privileged admits everything.
 */
final class PodSecurity {
  private static final Set<String> BASELINE_CAPABILITIES =
      Set.of(
          "AUDIT_WRITE",
          "CHOWN",
          "DAC_OVERRIDE",
          "FOWNER",
          "FSETID",
          "KILL",
          "MKNOD",
          "NET_BIND_SERVICE",
          "SETFCAP",
          "SETGID",
          "SETPCAP",
          "SETUID",
          "SYS_CHROOT");
  private static final Set<String> RESTRICTED_VOLUMES =
      Set.of(
          "configMap",
          "csi",
          "downwardAPI",
          "emptyDir",
          "ephemeral",
          "persistentVolumeClaim",
          "projected",
          "secret");

  private PodSecurity() {}

  /** What the pod breaks at the baseline level. */
  static List<String> baseline(JsonNode pod) {
    List<String> out = new ArrayList<>();
    for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
      if (pod.path(host).asBoolean(false)) {
        out.add(host + ": true");
      }
    }
    for (JsonNode volume : pod.path("volumes")) {
      if (volume.has("hostPath")) {
        out.add("volume " + volume.path("name").asText() + ": hostPath");
      }
    }
    seccomp(pod.path("securityContext"), "pod", out);
    for (JsonNode c : containers(pod)) {
      String name = "container " + c.path("name").asText();
      JsonNode sc = c.path("securityContext");
      if (sc.path("privileged").asBoolean(false)) {
        out.add(name + ": privileged");
      }
      for (JsonNode cap : sc.path("capabilities").path("add")) {
        if (!BASELINE_CAPABILITIES.contains(cap.asText())) {
          out.add(name + ": adds capability " + cap.asText());
        }
      }
      for (JsonNode port : c.path("ports")) {
        if (port.path("hostPort").asInt(0) != 0) {
          out.add(name + ": hostPort " + port.path("hostPort").asInt());
        }
      }
      if (!sc.path("procMount").asText("Default").equals("Default")) {
        out.add(name + ": procMount " + sc.path("procMount").asText());
      }
      seccomp(sc, name, out);
    }
    return out;
  }

  /** What the pod breaks at the restricted level (baseline's checks included). */
  static List<String> restricted(JsonNode pod) {
    List<String> out = baseline(pod);
    for (JsonNode volume : pod.path("volumes")) {
      List<String> types = new ArrayList<>();
      volume.fieldNames().forEachRemaining(types::add);
      types.remove("name");
      if (!RESTRICTED_VOLUMES.containsAll(types)) {
        out.add("volume " + volume.path("name").asText() + ": type " + types);
      }
    }
    JsonNode podContext = pod.path("securityContext");
    if (podContext.path("runAsUser").asLong(-1) == 0) {
      out.add("pod: runAsUser 0");
    }
    for (JsonNode c : containers(pod)) {
      String name = "container " + c.path("name").asText();
      JsonNode sc = c.path("securityContext");
      if (!sc.path("allowPrivilegeEscalation").isBoolean()
          || sc.path("allowPrivilegeEscalation").asBoolean()) {
        out.add(name + ": allowPrivilegeEscalation is not false");
      }
      boolean nonRoot =
          sc.has("runAsNonRoot")
              ? sc.path("runAsNonRoot").asBoolean()
              : podContext.path("runAsNonRoot").asBoolean(false);
      if (!nonRoot) {
        out.add(name + ": runAsNonRoot is not true");
      }
      if (sc.path("runAsUser").asLong(-1) == 0) {
        out.add(name + ": runAsUser 0");
      }
      boolean dropsAll = false;
      for (JsonNode cap : sc.path("capabilities").path("drop")) {
        dropsAll |= cap.asText().equals("ALL");
      }
      if (!dropsAll) {
        out.add(name + ": capabilities do not drop ALL");
      }
      for (JsonNode cap : sc.path("capabilities").path("add")) {
        if (!cap.asText().equals("NET_BIND_SERVICE")) {
          out.add(name + ": adds " + cap.asText() + " (restricted allows NET_BIND_SERVICE only)");
        }
      }
      String type =
          sc.path("seccompProfile").has("type")
              ? sc.path("seccompProfile").path("type").asText()
              : podContext.path("seccompProfile").path("type").asText("");
      if (!type.equals("RuntimeDefault") && !type.equals("Localhost")) {
        out.add(name + ": seccompProfile is not RuntimeDefault or Localhost");
      }
    }
    return out;
  }

  private static void seccomp(JsonNode sc, String where, List<String> out) {
    if (sc.path("seccompProfile").path("type").asText("").equals("Unconfined")) {
      out.add(where + ": seccompProfile Unconfined");
    }
  }

  private static List<JsonNode> containers(JsonNode pod) {
    List<JsonNode> all = new ArrayList<>();
    for (String field : List.of("initContainers", "containers", "ephemeralContainers")) {
      pod.path(field).forEach(all::add);
    }
    return all;
  }

  /**
   * The pod spec an object makes, or null: workloads' templates, a FlinkDeployment's podTemplate.
   */
  static JsonNode podSpec(JsonNode object) {
    return switch (object.path("kind").asText()) {
      case "DaemonSet", "Deployment", "StatefulSet", "ReplicaSet", "Job" ->
          object.path("spec").path("template").path("spec");
      case "CronJob" ->
          object.path("spec").path("jobTemplate").path("spec").path("template").path("spec");
      case "Pod" -> object.path("spec");
      case "FlinkDeployment" -> object.path("spec").path("podTemplate").path("spec");
      default -> null;
    };
  }
}
