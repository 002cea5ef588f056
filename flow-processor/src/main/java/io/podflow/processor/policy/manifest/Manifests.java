package io.podflow.processor.policy.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.podflow.processor.policy.NetworkPolicy;
import io.podflow.processor.policy.Pod;
import io.podflow.processor.policy.PolicySet;
import io.podflow.schema.net.IpLiteral;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Kubernetes manifests (YAML or JSON; single documents, multi-document files and {@code List}s) of
 * Namespaces, Pods and NetworkPolicies, read into a {@link PolicySet}. An invalid object is
 * rejected alone with a message that names it and says what is wrong; the others load.
 */
public final class Manifests {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Map<String, Map<String, String>> namespaces = new HashMap<>();
  private final List<Pod> pods = new ArrayList<>();
  private final List<NetworkPolicy> policies = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();

  /** Reads every .yaml, .yml and .json file under {@code dir}. */
  public static Manifests load(Path dir) {
    Manifests m = new Manifests();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json")) {
          m.read(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read manifests in " + dir, e);
    }
    return m;
  }

  /** Reads the documents of one YAML or JSON text (file name for messages). */
  public Manifests read(String source, String text) {
    try (JsonParser parser = YAML.getFactory().createParser(text)) {
      for (JsonNode doc : YAML.readValues(parser, JsonNode.class).readAll()) {
        object(source, doc);
      }
    } catch (IOException e) {
      errors.add(source + ": not YAML or JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    return this;
  }

  private void read(Path file) {
    try {
      read(file.toString(), Files.readString(file));
    } catch (IOException e) {
      errors.add(file + ": " + e.getMessage());
    }
  }

  private void object(String source, JsonNode doc) {
    if (doc == null || doc.isNull() || doc.isMissingNode()) {
      return;
    }
    String kind = doc.path("kind").asText("");
    if (kind.equals("List") || kind.endsWith("List")) {
      doc.path("items").forEach(item -> object(source, item));
      return;
    }
    String name = doc.at("/metadata/name").asText("");
    String where = source + ": " + kind + " " + (name.isEmpty() ? "(no name)" : name);
    try {
      switch (kind) {
        case "Namespace" ->
            namespaces.put(required(doc, "/metadata/name"), labels(doc.at("/metadata/labels")));
        case "Pod" -> pods.add(pod(doc));
        case "NetworkPolicy" -> policies.add(PolicyReader.read(doc));
        default -> {
          // other kinds (Services, Deployments, ...) are not what verdicts depend on
        }
      }
    } catch (IllegalArgumentException e) {
      errors.add(where + ": " + e.getMessage());
    }
  }

  private static Pod pod(JsonNode doc) {
    String namespace = doc.at("/metadata/namespace").asText("default");
    String name = required(doc, "/metadata/name");
    String ip = doc.at("/status/podIP").asText("");
    List<Pod.ContainerPort> ports = new ArrayList<>();
    for (JsonNode container : doc.at("/spec/containers")) {
      for (JsonNode port : container.path("ports")) {
        if (port.hasNonNull("name")) {
          io.podflow.processor.policy.Protocol protocol =
              io.podflow.processor.policy.Protocol.parse(port.path("protocol").asText("TCP"));
          if (protocol == null) {
            throw new IllegalArgumentException(
                "container port protocol "
                    + port.path("protocol").asText()
                    + " is not TCP, UDP or SCTP");
          }
          ports.add(
              new Pod.ContainerPort(
                  port.get("name").asText(), port.path("containerPort").asInt(), protocol));
        }
      }
    }
    return new Pod(
        namespace,
        name,
        labels(doc.at("/metadata/labels")),
        ip.isEmpty() ? null : address(ip),
        doc.at("/spec/hostNetwork").asBoolean(false),
        ports);
  }

  static Map<String, String> labels(JsonNode node) {
    Map<String, String> labels = new HashMap<>();
    if (node != null && node.isObject()) {
      node.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    }
    return labels;
  }

  static String required(JsonNode doc, String pointer) {
    JsonNode n = doc.at(pointer);
    if (n.isMissingNode() || n.isNull() || n.asText().isEmpty()) {
      throw new IllegalArgumentException(pointer.substring(1).replace('/', '.') + " is missing");
    }
    return n.asText();
  }

  /** A literal IPv4 or IPv6 address, read by hand: never a host name, never a DNS lookup. */
  public static byte[] address(String text) {
    return IpLiteral.require(text);
  }

  /** The same namespaces and pods with other policies (a staged set for what-if verdicts). */
  public Manifests withPolicies(List<NetworkPolicy> proposed) {
    Manifests m = new Manifests();
    m.namespaces.putAll(namespaces);
    m.pods.addAll(pods);
    m.policies.addAll(proposed);
    return m;
  }

  public PolicySet toPolicySet(String revision) {
    // A namespace that only pods or policies mention exists, with no labels.
    Map<String, Map<String, String>> all = new HashMap<>(namespaces);
    pods.forEach(p -> all.putIfAbsent(p.namespace(), Map.of()));
    return new PolicySet(revision, all, pods, policies);
  }

  /** Objects that were rejected, each with its reason. */
  public List<String> errors() {
    return List.copyOf(errors);
  }

  public List<NetworkPolicy> policies() {
    return List.copyOf(policies);
  }
}
