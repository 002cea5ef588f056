package io.podflow.e2e.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Derives {@code podman run} flags from a rendered DaemonSet, so that the node smoke test runs the
 * agent image as the manifest says and the two cannot drift: host network, user, capabilities
 * (exactly those dropped and added), read-only root filesystem, no_new_privs, seccomp, mounts,
 * environment, memory limit, arguments. A field it does not understand is an error naming the
 * field; fields that mean nothing on one node (scheduling, identity) are listed with why.
 */
final class DaemonSetTranslator {
  private static final String POD = "spec.template.spec";
  private static final String CONTAINER = POD + ".containers.0";

  /** Fields with no meaning for one container on one node, and why. */
  private static final Map<Pattern, String> NOT_APPLICABLE =
      Map.of(
          Pattern.compile("(apiVersion|kind|metadata\\..*)"),
          "the DaemonSet's own identity",
          Pattern.compile(
              "spec\\.(selector|updateStrategy|revisionHistoryLimit|minReadySeconds)(\\..*)?"),
          "how the controller rolls pods out",
          Pattern.compile("spec\\.template\\.metadata\\..*"),
          "the pod's labels and annotations (selection, scraping)",
          Pattern.compile(
              POD.replace(".", "\\.")
                  + "\\.(priorityClassName|tolerations|nodeSelector|affinity)(\\..*)?"),
          "scheduling",
          Pattern.compile(
              CONTAINER.replace(".", "\\.")
                  + "\\.(name|resources\\.requests\\..*|imagePullPolicy)"),
          "the container's name, scheduling and pulling");

  private static final Pattern QUANTITY = Pattern.compile("(\\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  /**
   * The downward API's fields a host-network pod gets from the node: its IP is the node's, and the
   * node here is this machine seen through loopback (the only address the test's servers use).
   */
  private static final Map<String, String> HOST_NETWORK_FIELDS =
      Map.of("status.podIP", "127.0.0.1", "status.hostIP", "127.0.0.1");

  /**
   * What the node gives a pod that the manifest only names.
   *
   * @param fieldRefs values of the downward API's fields ({@code spec.nodeName}, ...); a
   *     host-network pod's {@code status.podIP} and {@code status.hostIP} need none
   * @param apiServer the Kubernetes API's URL (a service account's way to the API server)
   * @param workDir where ConfigMap volumes are written and hostPath volumes stand
   * @param secrets each Secret's data as the kubelet would project it: a directory holding one file
   *     per key, by Secret name (a Secret the manifest mounts and this lacks is an error)
   */
  record Node(
      Map<String, String> fieldRefs, String apiServer, Path workDir, Map<String, Path> secrets) {
    Node {
      fieldRefs = Map.copyOf(fieldRefs);
      secrets = Map.copyOf(secrets);
    }

    /** A node whose pods mount no Secret. */
    Node(Map<String, String> fieldRefs, String apiServer, Path workDir) {
      this(fieldRefs, apiServer, workDir, Map.of());
    }
  }

  /** A manifest the translator cannot run as it says. */
  static final class UntranslatableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UntranslatableException(String message) {
      super(message);
    }
  }

  private final ManifestFields ds;
  private final List<JsonNode> objects;
  private final Node node;
  private final List<String> flags = new ArrayList<>();
  private final Map<String, String> env = new LinkedHashMap<>();
  private final Map<String, Path> hostPaths = new LinkedHashMap<>();
  private boolean hostNetwork;

  private DaemonSetTranslator(JsonNode daemonSet, List<JsonNode> objects, Node node) {
    this.ds = new ManifestFields(daemonSet);
    this.objects = objects;
    this.node = node;
  }

  /** The DaemonSet's only container as podman runs it; ConfigMaps come from {@code objects}. */
  static PodmanRun translate(JsonNode daemonSet, List<JsonNode> objects, Node node) {
    return new DaemonSetTranslator(daemonSet, objects, node).translate();
  }

  private PodmanRun translate() {
    if (ds.peek(POD + ".containers").size() != 1) {
      throw new UntranslatableException(
          "one container expected, not " + ds.peek(POD + ".containers").size());
    }
    network();
    serviceAccount();
    security();
    resources();
    environment();
    mounts();
    stopTimeout();
    String image = required(CONTAINER + ".image").asText();
    List<String> args = new ArrayList<>();
    ds.take(CONTAINER + ".args").forEach(a -> args.add(expand(a.asText())));
    PodmanRun.HttpProbe readiness = probe("readinessProbe");
    PodmanRun.HttpProbe liveness = probe("livenessProbe");
    ds.take(CONTAINER + ".ports");

    List<String> unknown = new ArrayList<>();
    for (String field : ds.untaken()) {
      if (NOT_APPLICABLE.keySet().stream().noneMatch(p -> p.matcher(field).matches())) {
        unknown.add(field);
      }
    }
    if (!unknown.isEmpty()) {
      throw new UntranslatableException(
          "fields the node smoke test does not translate: " + unknown);
    }
    return new PodmanRun(
        image,
        List.copyOf(flags),
        List.copyOf(args),
        Map.copyOf(env),
        readiness,
        liveness,
        Map.copyOf(hostPaths));
  }

  private void network() {
    if (!ds.take(POD + ".hostNetwork").asBoolean(false)) {
      throw new UntranslatableException(
          "hostNetwork: true expected (the agent captures the node's interfaces)");
    }
    hostNetwork = true;
    flags.addAll(List.of("--network", "host"));
    // Service links are variables naming the namespace's Services: the test creates none, and
    // podman adds none, whichever the manifest asks.
    ds.take(POD + ".enableServiceLinks");
    // With the host's network the host's resolver is the pod's too, as ClusterFirstWithHostNet
    // gives a host-network pod the cluster's DNS; the agent resolves nothing but its servers.
    String dns = ds.take(POD + ".dnsPolicy").asText("ClusterFirst");
    if (!Set.of("ClusterFirstWithHostNet", "Default", "ClusterFirst").contains(dns)) {
      throw new UntranslatableException("dnsPolicy " + dns);
    }
  }

  private void serviceAccount() {
    // A service account is the pod's way to the API server: here, the mock API's URL.
    if (!ds.take(POD + ".serviceAccountName").isMissingNode()) {
      if (!ds.take(POD + ".automountServiceAccountToken").asBoolean(true)) {
        throw new UntranslatableException("automountServiceAccountToken: false");
      }
      env.put("KUBERNETES_MASTER", node.apiServer());
      env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    }
  }

  private void security() {
    JsonNode pod = ds.take(POD + ".securityContext");
    JsonNode c = ds.take(CONTAINER + ".securityContext");
    if (c.path("privileged").asBoolean(false)) {
      throw new UntranslatableException("privileged: true");
    }
    JsonNode user = either(c, pod, "runAsUser");
    JsonNode group = either(c, pod, "runAsGroup");
    boolean nonRoot = either(c, pod, "runAsNonRoot").asBoolean(false);
    if (nonRoot && (user.isMissingNode() || user.asLong() == 0)) {
      throw new UntranslatableException("runAsNonRoot: true needs a non-zero runAsUser here");
    }
    if (!user.isMissingNode()) {
      flags.addAll(
          List.of("--user", user.asText() + (group.isMissingNode() ? "" : ":" + group.asText())));
    }
    for (JsonNode cap : c.path("capabilities").path("drop")) {
      flags.addAll(List.of("--cap-drop", cap.asText().equals("ALL") ? "all" : cap.asText()));
    }
    for (JsonNode cap : c.path("capabilities").path("add")) {
      flags.addAll(List.of("--cap-add", cap.asText()));
    }
    if (c.path("readOnlyRootFilesystem").asBoolean(false)) {
      // Only the manifest's volumes are writable: no tmpfs of podman's own on /tmp, /run.
      flags.addAll(List.of("--read-only", "--read-only-tmpfs=false"));
    }
    // Kubernetes sets no_new_privs unless privilege escalation is allowed (its default is true).
    if (!c.path("allowPrivilegeEscalation").asBoolean(true)) {
      flags.addAll(List.of("--security-opt", "no-new-privileges"));
    }
    JsonNode seccomp = either(c, pod, "seccompProfile");
    switch (seccomp.path("type").asText("Unconfined")) {
      // podman's default profile is the container runtime's default, as RuntimeDefault asks.
      case "RuntimeDefault" -> {}
      case "Unconfined" -> flags.addAll(List.of("--security-opt", "seccomp=unconfined"));
      default -> throw new UntranslatableException("seccompProfile " + seccomp);
    }
    Set<String> known =
        Set.of(
            "privileged",
            "runAsUser",
            "runAsGroup",
            "runAsNonRoot",
            "capabilities",
            "readOnlyRootFilesystem",
            "allowPrivilegeEscalation",
            "seccompProfile");
    for (JsonNode context : List.of(pod, c)) {
      context
          .fieldNames()
          .forEachRemaining(
              f -> {
                if (!known.contains(f)) {
                  throw new UntranslatableException("securityContext." + f);
                }
              });
    }
    c.path("capabilities")
        .fieldNames()
        .forEachRemaining(
            f -> {
              if (!Set.of("add", "drop").contains(f)) {
                throw new UntranslatableException("capabilities." + f);
              }
            });
  }

  private void resources() {
    JsonNode limits = ds.take(CONTAINER + ".resources.limits");
    Iterator<String> names = limits.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      String value = limits.get(name).asText();
      switch (name) {
        case "memory" -> flags.addAll(List.of("--memory", String.valueOf(bytes(value))));
        case "cpu" -> flags.addAll(List.of("--cpus", cpus(value)));
        default -> throw new UntranslatableException("resources.limits." + name);
      }
    }
  }

  private void environment() {
    JsonNode list = ds.take(CONTAINER + ".env");
    for (JsonNode e : list) {
      String name = e.path("name").asText();
      String value;
      if (e.has("value")) {
        value = expand(e.get("value").asText());
      } else if (e.path("valueFrom").has("fieldRef")) {
        String field = e.path("valueFrom").path("fieldRef").path("fieldPath").asText();
        value = node.fieldRefs().get(field);
        if (value == null && hostNetwork) {
          value = HOST_NETWORK_FIELDS.get(field);
        }
        if (value == null) {
          throw new UntranslatableException(
              "env " + name + ": no test value for fieldRef " + field);
        }
      } else if (e.path("valueFrom").has("configMapKeyRef")) {
        JsonNode ref = e.path("valueFrom").path("configMapKeyRef");
        value =
            configMap(ref.path("name").asText())
                .path("data")
                .path(ref.path("key").asText())
                .asText(null);
        if (value == null) {
          throw new UntranslatableException(
              "env "
                  + name
                  + ": no key "
                  + ref.path("key").asText()
                  + " in ConfigMap "
                  + ref.path("name").asText());
        }
      } else {
        throw new UntranslatableException("env " + name + ": " + e.path("valueFrom"));
      }
      env.put(name, value);
    }
    for (JsonNode from : ds.take(CONTAINER + ".envFrom")) {
      if (!from.has("configMapRef") || from.size() != 1) {
        throw new UntranslatableException("envFrom " + from);
      }
      configMap(from.path("configMapRef").path("name").asText())
          .path("data")
          .fields()
          .forEachRemaining(f -> env.putIfAbsent(f.getKey(), f.getValue().asText()));
    }
    env.forEach((k, v) -> flags.addAll(List.of("--env", k + "=" + v)));
  }

  private void mounts() {
    Map<String, JsonNode> volumes = new LinkedHashMap<>();
    for (JsonNode v : ds.take(POD + ".volumes")) {
      volumes.put(v.path("name").asText(), v);
    }
    for (JsonNode m : ds.take(CONTAINER + ".volumeMounts")) {
      JsonNode v = volumes.get(m.path("name").asText());
      if (v == null) {
        throw new UntranslatableException("volumeMount of no volume: " + m);
      }
      for (Iterator<String> f = m.fieldNames(); f.hasNext(); ) {
        String field = f.next();
        if (!Set.of("name", "mountPath", "readOnly").contains(field)) {
          throw new UntranslatableException("volumeMounts." + field);
        }
      }
      String target = m.path("mountPath").asText();
      boolean readOnly = m.path("readOnly").asBoolean(false);
      if (v.has("configMap")) {
        // Kubernetes mounts a ConfigMap read-only, one file per key.
        Path dir = writeConfigMap(v.path("name").asText(), v.path("configMap"));
        flags.addAll(List.of("--volume", dir + ":" + target + ":ro"));
      } else if (v.has("secret")) {
        // Kubernetes mounts a Secret read-only, one file per key, whatever the mount says.
        Path dir = secretDirectory(v.path("name").asText(), v.path("secret"));
        flags.addAll(List.of("--volume", dir + ":" + target + ":ro"));
      } else if (v.has("hostPath")) {
        Path dir = directory("host" + v.path("hostPath").path("path").asText());
        hostPaths.put(v.path("hostPath").path("path").asText(), dir);
        flags.addAll(List.of("--volume", dir + ":" + target + (readOnly ? ":ro" : ":rw")));
      } else if (v.has("emptyDir")) {
        // A fresh directory the pod may write and execute from, as kubelet's emptyDir (JNA and
        // the JNI library are unpacked into /tmp and loaded from there).
        StringBuilder options = new StringBuilder("rw,exec,nosuid,nodev,mode=1777");
        JsonNode size = v.path("emptyDir").path("sizeLimit");
        if (!size.isMissingNode()) {
          options.append(",size=").append(bytes(size.asText()));
        }
        flags.addAll(List.of("--tmpfs", target + ":" + options));
      } else {
        throw new UntranslatableException("volume kind of " + v);
      }
      if (v.size() != 2) {
        throw new UntranslatableException("volume " + v);
      }
    }
  }

  private void stopTimeout() {
    JsonNode grace = ds.take(POD + ".terminationGracePeriodSeconds");
    if (!grace.isMissingNode()) {
      flags.addAll(List.of("--stop-timeout", grace.asText()));
    }
  }

  private PodmanRun.HttpProbe probe(String name) {
    JsonNode probe = ds.take(CONTAINER + "." + name);
    if (probe.isMissingNode()) {
      return null;
    }
    JsonNode get = probe.path("httpGet");
    if (get.isMissingNode()) {
      throw new UntranslatableException(name + ": only httpGet probes are translated");
    }
    JsonNode port = get.path("port");
    int number = port.isInt() ? port.asInt() : containerPort(port.asText());
    return new PodmanRun.HttpProbe(get.path("path").asText("/"), number);
  }

  private int containerPort(String name) {
    for (JsonNode p : ds.peek(CONTAINER + ".ports")) {
      if (p.path("name").asText().equals(name)) {
        return p.path("containerPort").asInt();
      }
    }
    throw new UntranslatableException("no container port named " + name);
  }

  private Path writeConfigMap(String volume, JsonNode source) {
    JsonNode data = configMap(source.path("name").asText()).path("data");
    Path dir = directory("configmap-" + volume);
    try {
      if (source.has("items")) {
        for (JsonNode item : source.path("items")) {
          Files.writeString(
              dir.resolve(item.path("path").asText()),
              data.path(item.path("key").asText()).asText());
        }
      } else {
        for (Iterator<Map.Entry<String, JsonNode>> f = data.fields(); f.hasNext(); ) {
          Map.Entry<String, JsonNode> e = f.next();
          Files.writeString(dir.resolve(e.getKey()), e.getValue().asText());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /**
   * The directory standing for a Secret volume: the test's directory for that Secret as it is, or
   * with {@code items} only the keys they name, under their paths (as the kubelet projects them).
   */
  private Path secretDirectory(String volume, JsonNode source) {
    String name = source.path("secretName").asText();
    for (Iterator<String> f = source.fieldNames(); f.hasNext(); ) {
      String field = f.next();
      if (!Set.of("secretName", "items", "optional", "defaultMode").contains(field)) {
        throw new UntranslatableException("secret volume " + volume + ": " + field);
      }
    }
    Path data = node.secrets().get(name);
    if (data == null) {
      if (source.path("optional").asBoolean(false)) {
        return directory("secret-" + volume);
      }
      throw new UntranslatableException(
          "volume " + volume + " mounts the Secret " + name + ", which the test does not provide");
    }
    if (!source.has("items")) {
      return data;
    }
    Path dir = directory("secret-" + volume);
    try {
      for (JsonNode item : source.path("items")) {
        Path key = data.resolve(item.path("key").asText());
        if (!Files.isRegularFile(key)) {
          throw new UntranslatableException(
              "the Secret " + name + " has no key " + item.path("key").asText());
        }
        Files.copy(key, dir.resolve(item.path("path").asText()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  private JsonNode configMap(String name) {
    return objects.stream()
        .filter(o -> o.path("kind").asText().equals("ConfigMap"))
        .filter(o -> o.path("metadata").path("name").asText().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new UntranslatableException(
                    "no ConfigMap " + name + " among the rendered objects"));
  }

  private Path directory(String name) {
    try {
      return Files.createDirectories(
          node.workDir().resolve(name.replaceAll("[^A-Za-z0-9._-]", "_")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonNode required(String path) {
    JsonNode n = ds.take(path);
    if (n.isMissingNode() || n.asText().isEmpty()) {
      throw new UntranslatableException(path + " is required");
    }
    return n;
  }

  /** Kubernetes expands {@code $(VAR)} in env values and args from the variables before it. */
  private String expand(String text) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
    }
    return m.appendTail(out).toString();
  }

  private static JsonNode either(JsonNode container, JsonNode pod, String field) {
    return container.has(field) ? container.get(field) : pod.path(field);
  }

  /** A Kubernetes quantity of bytes (512Mi, 1G, 1048576). */
  static long bytes(String quantity) {
    Matcher m = QUANTITY.matcher(quantity);
    if (!m.matches()) {
      throw new UntranslatableException("quantity " + quantity);
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2);
    return switch (unit) {
      case "" -> n;
      case "Ki" -> n << 10;
      case "Mi" -> n << 20;
      case "Gi" -> n << 30;
      case "Ti" -> n << 40;
      case "k" -> n * 1_000L;
      case "M" -> n * 1_000_000L;
      case "G" -> n * 1_000_000_000L;
      default -> n * 1_000_000_000_000L;
    };
  }

  /** A Kubernetes CPU quantity (500m, 2) as podman's --cpus. */
  static String cpus(String quantity) {
    if (quantity.endsWith("m")) {
      return String.format(
          Locale.ROOT,
          "%.3f",
          Integer.parseInt(quantity.substring(0, quantity.length() - 1)) / 1000.0);
    }
    return String.valueOf(Double.parseDouble(quantity));
  }
}
