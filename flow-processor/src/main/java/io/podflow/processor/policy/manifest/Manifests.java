package io.podflow.processor.policy.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.podflow.processor.policy.NetworkPolicy;
import io.podflow.processor.policy.Pod;
import io.podflow.processor.policy.PolicySet;
import io.podflow.processor.policy.Protocol;
import io.podflow.schema.net.IpLiteral;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Kubernetes manifests (YAML or JSON; single documents, multi-document files and {@code List}s) of
 * Namespaces, Pods and NetworkPolicies, read into a {@link PolicySet}, each checked as the API
 * server checks it (names, labels, addresses, ports, selectors, field types). An invalid object is
 * rejected alone with a message that names it, its field and what is wrong; the others load, and
 * {@link #errors()} lists what was rejected so that a caller never judges against a partly read set
 * without saying so.
 *
 * <p>Input is bounded before it is parsed: a file past {@value #MAX_FILE_BYTES} bytes is refused
 * unread, and so is a YAML line past {@value #MAX_YAML_LINE} characters (SnakeYAML's scan of a
 * plain scalar grows with the square of its line: 2 s for 1 MiB, 11 s for 4 MiB, 158 s for 30 MiB);
 * JSON files go through Jackson's JSON parser, which is linear. A scalar past {@value
 * #MAX_SCALAR_CHARS} characters and nesting past {@value #MAX_DEPTH} levels are errors. Aliases are
 * not expanded into trees (Jackson reads YAML as events), so an alias bomb costs its text.
 */
public final class Manifests {
  /**
   * A file's limit: far above a cluster's policies (the API server takes requests up to 3 MiB, an
   * object up to 1.5 MiB in etcd), with room for a large cluster's Pods in one dump; and low enough
   * that {@link #MAX_YAML_LINE} bounds the parse to seconds.
   */
  public static final long MAX_FILE_BYTES = 16L << 20;

  /** A YAML line's limit: 128 KiB scan in about 30 ms; longer ones belong in JSON. */
  public static final int MAX_YAML_LINE = 128 << 10;

  /** No field of these kinds comes near it; an object in etcd is at most 1.5 MiB. */
  public static final int MAX_SCALAR_CHARS = 1 << 20;

  /** Manifests have no use for aliases beyond a few shared blocks. */
  public static final int MAX_ALIASES = 100;

  /** A NetworkPolicy nests 8 levels deep; Lists and Pods a few more. */
  public static final int MAX_DEPTH = 64;

  private static final ObjectMapper YAML = new ObjectMapper(yamlFactory());
  private static final ObjectMapper JSON =
      new ObjectMapper(
          com.fasterxml.jackson.core.JsonFactory.builder()
              .streamReadConstraints(constraints())
              .build());

  private final Map<String, Map<String, String>> namespaces = new HashMap<>();
  private final List<Pod> pods = new ArrayList<>();
  private final List<NetworkPolicy> policies = new ArrayList<>();
  private final Map<String, String> seen = new HashMap<>();
  private final List<String> errors = new ArrayList<>();

  private static YAMLFactory yamlFactory() {
    LoaderOptions loader = new LoaderOptions();
    loader.setCodePointLimit((int) MAX_FILE_BYTES);
    loader.setMaxAliasesForCollections(MAX_ALIASES);
    loader.setNestingDepthLimit(MAX_DEPTH);
    loader.setAllowDuplicateKeys(false);
    return YAMLFactory.builder().loaderOptions(loader).streamReadConstraints(constraints()).build();
  }

  private static StreamReadConstraints constraints() {
    return StreamReadConstraints.builder()
        .maxStringLength(MAX_SCALAR_CHARS)
        .maxNestingDepth(MAX_DEPTH)
        .maxDocumentLength(MAX_FILE_BYTES)
        .build();
  }

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

  /**
   * Reads the documents of one YAML or JSON text ({@code source}: the file name for messages; one
   * ending in .json is read as JSON).
   */
  public Manifests read(String source, String text) {
    if (text.length() > MAX_FILE_BYTES) {
      errors.add(
          source
              + ": "
              + text.length()
              + " characters, more than the "
              + MAX_FILE_BYTES
              + " a file may have");
      return this;
    }
    boolean json = source.endsWith(".json");
    if (!json) {
      int line = longestLine(text);
      if (line > MAX_YAML_LINE) {
        errors.add(
            source
                + ": a line of "
                + line
                + " characters, more than the "
                + MAX_YAML_LINE
                + " a YAML line may have (write long values in JSON)");
        return this;
      }
    }
    ObjectMapper mapper = json ? JSON : YAML;
    List<JsonNode> documents;
    try (JsonParser parser = mapper.getFactory().createParser(text)) {
      documents = mapper.readValues(parser, JsonNode.class).readAll();
    } catch (IOException | RuntimeException e) {
      // SnakeYAML's limits surface as its own runtime exceptions, Jackson's as IOExceptions. A file
      // that does not parse to its end is rejected whole: its first documents alone are not what
      // its author wrote.
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      errors.add(source + ": not YAML or JSON: " + why.lines().findFirst().orElse(""));
      return this;
    }
    for (JsonNode doc : documents) {
      object(source, doc);
    }
    return this;
  }

  private static int longestLine(String text) {
    int longest = 0;
    int start = 0;
    while (start <= text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      longest = Math.max(longest, end - start);
      start = end + 1;
    }
    return longest;
  }

  private void read(Path file) {
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        errors.add(
            file + ": " + size + " bytes, more than the " + MAX_FILE_BYTES + " a file may have");
        return;
      }
      read(file.toString(), Files.readString(file));
    } catch (IOException e) {
      errors.add(file + ": " + e.getMessage());
    }
  }

  private void object(String source, JsonNode doc) {
    if (doc == null || doc.isNull() || doc.isMissingNode()) {
      return;
    }
    if (!doc.isObject()) {
      errors.add(source + ": a document must be an object, not " + doc.getNodeType());
      return;
    }
    String kind = doc.path("kind").isTextual() ? doc.get("kind").textValue() : "";
    if (kind.equals("List") || kind.endsWith("List")) {
      JsonNode items = doc.get("items");
      if (items != null && !items.isArray()) {
        errors.add(source + ": " + kind + ": items must be a list");
        return;
      }
      if (items != null) {
        items.forEach(item -> object(source, item));
      }
      return;
    }
    JsonNode nameNode = doc.at("/metadata/name");
    String name = nameNode.isTextual() ? nameNode.textValue() : "";
    String where = source + ": " + kind + " " + (name.isEmpty() ? "(no name)" : name);
    try {
      switch (kind) {
        case "Namespace" -> {
          String namespace = name(doc, ApiSyntax::dnsLabel);
          Map<String, String> labels = metadataLabels(doc);
          once(kind + " " + namespace, source);
          namespaces.put(namespace, labels);
        }
        case "Pod" -> {
          Pod pod = pod(doc);
          once(kind + " " + pod.namespace() + "/" + pod.name(), source);
          pods.add(pod);
        }
        case "NetworkPolicy" -> {
          NetworkPolicy policy = PolicyReader.read(doc);
          once(kind + " " + policy.namespace() + "/" + policy.name(), source);
          policies.add(policy);
        }
        default -> {
          // other kinds (Services, Deployments, ...) are not what verdicts depend on
        }
      }
    } catch (IllegalArgumentException e) {
      errors.add(where + ": " + e.getMessage());
    }
  }

  /** One object per name, as in a cluster: a second one would silently replace or add to it. */
  private void once(String identity, String source) {
    String first = seen.putIfAbsent(identity, source);
    if (first != null) {
      throw new IllegalArgumentException(
          "a second " + identity + " (the first is in " + first + ")");
    }
  }

  private static Pod pod(JsonNode doc) {
    String namespace = namespace(doc);
    String name = name(doc, ApiSyntax::dnsSubdomain);
    Map<String, String> labels = metadataLabels(doc);
    JsonNode spec = Fields.object(doc.get("spec"), "spec");
    JsonNode status = Fields.object(doc.get("status"), "status");
    String ip = status == null ? null : Fields.text(status.get("podIP"), "status.podIP");
    List<Pod.ContainerPort> ports = new ArrayList<>();
    boolean hostNetwork = false;
    if (spec != null) {
      hostNetwork = Fields.bool(spec.get("hostNetwork"), "spec.hostNetwork");
      int c = 0;
      for (JsonNode item : Fields.array(spec.get("containers"), "spec.containers")) {
        String at = "spec.containers[" + c++ + "]";
        JsonNode container = Fields.object(item, at);
        if (container == null) {
          continue;
        }
        int p = 0;
        for (JsonNode portItem : Fields.array(container.get("ports"), at + ".ports")) {
          String portAt = at + ".ports[" + p++ + "]";
          JsonNode port = Fields.object(portItem, portAt);
          if (port == null) {
            continue;
          }
          JsonNode number = port.get("containerPort");
          if (number == null || number.isNull()) {
            throw new IllegalArgumentException(portAt + ".containerPort is missing");
          }
          int containerPort = Fields.integer(number, portAt + ".containerPort", 1, 65535);
          String protocolText = Fields.text(port.get("protocol"), portAt + ".protocol");
          Protocol protocol =
              protocolText == null ? Protocol.TCP : PolicyReader.exactProtocol(protocolText);
          if (protocol == null) {
            throw new IllegalArgumentException(
                portAt + ".protocol: '" + protocolText + "' is not TCP, UDP or SCTP");
          }
          String portName = Fields.text(port.get("name"), portAt + ".name");
          if (portName != null) {
            Fields.check(portName, ApiSyntax::serviceName, portAt + ".name: '" + portName + "'");
            ports.add(new Pod.ContainerPort(portName, containerPort, protocol));
          }
        }
      }
    }
    byte[] address = null;
    if (ip != null && !ip.isEmpty()) {
      try {
        address = address(ip);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("status.podIP: " + e.getMessage());
      }
    }
    return new Pod(namespace, name, labels, address, hostNetwork, ports);
  }

  /** metadata.name, checked by {@code rule} (a DNS label or subdomain, by kind). */
  static String name(JsonNode doc, Function<String, String> rule) {
    JsonNode metadata = Fields.object(doc.get("metadata"), "metadata");
    String name = metadata == null ? null : Fields.text(metadata.get("name"), "metadata.name");
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("metadata.name is missing");
    }
    Fields.check(name, rule, "metadata.name '" + name + "'");
    return name;
  }

  /** metadata.namespace (a DNS label), "default" when absent as kubectl would take it. */
  static String namespace(JsonNode doc) {
    JsonNode metadata = Fields.object(doc.get("metadata"), "metadata");
    String namespace =
        metadata == null ? null : Fields.text(metadata.get("namespace"), "metadata.namespace");
    if (namespace == null || namespace.isEmpty()) {
      return "default";
    }
    Fields.check(namespace, ApiSyntax::dnsLabel, "metadata.namespace '" + namespace + "'");
    return namespace;
  }

  /** metadata.labels, each key and value checked. */
  static Map<String, String> metadataLabels(JsonNode doc) {
    JsonNode metadata = Fields.object(doc.get("metadata"), "metadata");
    return metadata == null ? Map.of() : Fields.labels(metadata.get("labels"), "metadata.labels");
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
