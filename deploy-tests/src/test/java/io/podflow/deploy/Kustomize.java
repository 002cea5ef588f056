package io.podflow.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Renders deploy/'s kustomizations with {@code kubectl kustomize}, as a user would, and reads what
 * it prints as JSON trees.
 */
final class Kustomize {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Kustomize() {}

  /** The repository's root (the build runs tests in the module's directory). */
  static Path repositoryRoot() {
    return Path.of(System.getProperty("podflow.root", "..")).toAbsolutePath().normalize();
  }

  static Path deploy() {
    return repositoryRoot().resolve("deploy");
  }

  /**
   * Every directory under deploy/ that a user can render: each kustomization but the components,
   * which only render inside one.
   */
  static List<Path> renderable() throws IOException {
    try (Stream<Path> files = Files.walk(deploy())) {
      return files
          .filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
          .filter(p -> !isComponent(p))
          .map(Path::getParent)
          .sorted()
          .toList();
    }
  }

  static boolean isComponent(Path kustomization) {
    try {
      return YAML.readTree(kustomization.toFile()).path("kind").asText().equals("Component");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + kustomization, e);
    }
  }

  /** What {@code kubectl kustomize DIR} prints, one tree per object. */
  static List<ObjectNode> render(Path dir) {
    String yaml = run(dir);
    List<ObjectNode> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && doc.isObject()) {
          objects.add((ObjectNode) doc);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("kubectl kustomize " + dir + " printed no YAML", e);
    }
    return objects;
  }

  private static String run(Path dir) {
    Process process;
    try {
      process =
          new ProcessBuilder("kubectl", "kustomize", dir.toString())
              .redirectErrorStream(false)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "kubectl is needed to render deploy/ (kubectl kustomize; 1.21 or later for kustomize"
              + " components, tested with 1.32) and was"
              + " not found on the PATH: "
              + e.getMessage(),
          e);
    }
    try {
      byte[] out = process.getInputStream().readAllBytes();
      byte[] err = process.getErrorStream().readAllBytes();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("kubectl kustomize " + dir + " did not finish");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "kubectl kustomize "
                + dir
                + " failed: "
                + new String(err, StandardCharsets.UTF_8).strip());
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("kubectl kustomize " + dir + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted rendering " + dir, e);
    }
  }

  /** An object's identity for messages: Kind namespace/name. */
  static String id(JsonNode object) {
    JsonNode meta = object.path("metadata");
    String ns = meta.path("namespace").asText("");
    return object.path("kind").asText()
        + " "
        + (ns.isEmpty() ? "" : ns + "/")
        + meta.path("name").asText();
  }
}
