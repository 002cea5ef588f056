package io.podflow.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Strict schemas by apiVersion and kind, from one source: the CRDs an operator's API artifact
 * carries, or the reduced upstream schemas of ../shared/k8s-schemas (Kubernetes' OpenAPI v3 for
 * built-in kinds, the operators' CRDs), an extra check where that directory is present.
 */
final class SchemaCatalog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final String name;
  private final Map<String, StrictSchema> byKind = new LinkedHashMap<>();

  private SchemaCatalog(String name) {
    this.name = name;
  }

  String name() {
    return name;
  }

  /** The schema for "apiVersion/kind", or null when this source has none. */
  StrictSchema schema(JsonNode object) {
    return byKind.get(object.path("apiVersion").asText() + "/" + object.path("kind").asText());
  }

  java.util.Set<String> kinds() {
    return byKind.keySet();
  }

  /**
   * The FlinkDeployment CRD inside org.apache.flink:flink-kubernetes-operator-api (generated from
   * its model classes by fabric8's CRD generator when the artifact was built).
   */
  static SchemaCatalog flinkOperatorArtifact() throws IOException {
    SchemaCatalog catalog = new SchemaCatalog("flink-kubernetes-operator-api CRD");
    String resource = "META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml";
    try (InputStream in = SchemaCatalog.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not in flink-kubernetes-operator-api");
      }
      catalog.addCrd(YAML.readTree(in).path("spec"), Map.of());
    }
    return catalog;
  }

  /** ../shared/k8s-schemas, or null when it is not there. */
  static SchemaCatalog shared(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    SchemaCatalog catalog = new SchemaCatalog("shared schemas " + dir);
    JsonNode kubernetes = JSON.readTree(dir.resolve("kubernetes.json").toFile());
    Map<String, JsonNode> definitions = new HashMap<>();
    kubernetes
        .path("definitions")
        .fields()
        .forEachRemaining(f -> definitions.put(f.getKey(), f.getValue()));
    kubernetes
        .path("kinds")
        .fields()
        .forEachRemaining(
            kind -> {
              String schemaName = kind.getValue().path("schema").asText();
              catalog.byKind.put(
                  kind.getKey(),
                  new StrictSchema(JSON.createObjectNode().put("$ref", schemaName), definitions));
            });
    try (Stream<Path> files = Files.list(dir.resolve("crds"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        JsonNode doc = JSON.readTree(file.toFile());
        Map<String, JsonNode> defs = new HashMap<>();
        doc.path("defs").fields().forEachRemaining(f -> defs.put(f.getKey(), f.getValue()));
        for (JsonNode crd : doc.path("crds")) {
          for (JsonNode version : crd.path("versions")) {
            if (version.path("served").asBoolean(false)) {
              catalog.byKind.put(
                  crd.path("group").asText()
                      + "/"
                      + version.path("name").asText()
                      + "/"
                      + crd.path("kind").asText(),
                  new StrictSchema(version.path("schema"), defs));
            }
          }
        }
      }
    }
    return catalog;
  }

  private void addCrd(JsonNode spec, Map<String, JsonNode> defs) {
    String group = spec.path("group").asText();
    String kind = spec.path("names").path("kind").asText();
    for (JsonNode version : spec.path("versions")) {
      if (version.path("served").asBoolean(false)) {
        byKind.put(
            group + "/" + version.path("name").asText() + "/" + kind,
            new StrictSchema(version.path("schema").path("openAPIV3Schema"), defs));
      }
    }
  }
}
