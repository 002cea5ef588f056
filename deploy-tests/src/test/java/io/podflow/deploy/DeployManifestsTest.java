package io.podflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kustomization of deploy/ renders, and every object it renders is valid, unknown fields
 * being errors: in the Java model of its kind (fabric8 kubernetes-model for built-in kinds,
 * io.strimzi:api for Strimzi's, flink-kubernetes-operator-api for FlinkDeployment, versions in
 * deploy-tests/pom.xml), against the CRD the Flink operator's API artifact carries, and, where
 * ../shared/k8s-schemas is present, against Kubernetes 1.35's OpenAPI schemas and the operators'
 * current CRDs.
 */
class DeployManifestsTest {
  /** What deploy/ must offer; more is checked too. */
  private static final List<String> EXPECTED =
      List.of(
          "base/agent",
          "base/processor",
          "base/kafka",
          "base/opensearch",
          "base/grafana",
          "overlays/complete",
          "overlays/external");

  private static final Map<Path, List<ObjectNode>> RENDERED = new LinkedHashMap<>();

  @BeforeAll
  static void render() throws Exception {
    for (Path dir : Kustomize.renderable()) {
      RENDERED.put(dir, Kustomize.render(dir));
    }
    System.out.println(
        "deploy/ rendered with kubectl kustomize: "
            + RENDERED.entrySet().stream()
                .map(
                    e ->
                        Kustomize.deploy().relativize(e.getKey())
                            + " ("
                            + e.getValue().size()
                            + ")")
                .toList());
  }

  @Test
  void everyBaseAndOverlayRenders() {
    List<String> rendered =
        RENDERED.keySet().stream().map(d -> Kustomize.deploy().relativize(d).toString()).toList();
    assertThat(rendered).containsAll(EXPECTED);
    RENDERED.forEach((dir, objects) -> assertThat(objects).as(dir.toString()).isNotEmpty());
  }

  @Test
  void everyObjectReadsIntoItsJavaModelWithoutAnUnknownField() {
    StrictModel model = new StrictModel();
    List<String> problems = new ArrayList<>();
    forEachObject(
        (where, object) -> {
          JsonNode checked = object;
          if (object.path("kind").asText().equals("FlinkDeployment")) {
            checked = withoutFlink2Version(object);
          }
          model.check(checked).forEach(p -> problems.add(where + ": " + p));
        });
    System.out.println(
        "Java models: fabric8 kubernetes-model "
            + Versions.get("fabric8.version")
            + ", io.strimzi:api "
            + Versions.get("strimzi-api.version")
            + ", flink-kubernetes-operator-api "
            + Versions.get("flink-operator-api.version"));
    assertThat(problems).isEmpty();
  }

  /**
   * flink-kubernetes-operator-api 1.10.0 is the newest on Maven Central and predates Flink 2: its
   * FlinkVersion stops at v1_20. The model checks everything else; spec.flinkVersion must be the
   * build's own Flink version (and the 1.15 CRD of the shared schemas checks it where present).
   */
  @Test
  void theFlinkDeploymentNamesTheBuildsFlinkVersion() {
    forEachObject(
        (where, object) -> {
          if (object.path("kind").asText().equals("FlinkDeployment")) {
            assertThat(object.path("spec").path("flinkVersion").asText())
                .as(where + " spec.flinkVersion")
                .isEqualTo(Versions.flinkVersionEnum());
          }
        });
  }

  @Test
  void strimziObjectsUseAnApiVersionTheStrimziApiArtifactServes() {
    Map<String, List<String>> served =
        Map.of(
            "Kafka", Kafka.VERSIONS,
            "KafkaNodePool", KafkaNodePool.VERSIONS,
            "KafkaTopic", KafkaTopic.VERSIONS,
            "KafkaUser", KafkaUser.VERSIONS);
    List<String> seen = new ArrayList<>();
    forEachObject(
        (where, object) -> {
          String apiVersion = object.path("apiVersion").asText();
          if (apiVersion.startsWith("kafka.strimzi.io/")) {
            String kind = object.path("kind").asText();
            assertThat(served).as(where).containsKey(kind);
            assertThat(apiVersion).as(where).isEqualTo("kafka.strimzi.io/v1");
            assertThat(served.get(kind)).as(where + " versions of io.strimzi:api").contains("v1");
            seen.add(kind);
          }
        });
    assertThat(seen).contains("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser");
  }

  @Test
  void theFlinkDeploymentMeetsTheCrdOfTheOperatorsApiArtifact() throws Exception {
    SchemaCatalog crds = SchemaCatalog.flinkOperatorArtifact();
    List<String> problems = new ArrayList<>();
    int checked = checkAgainst(crds, problems, true);
    System.out.println(
        crds.name()
            + " "
            + Versions.get("flink-operator-api.version")
            + ": "
            + checked
            + " objects checked");
    assertThat(checked).isPositive();
    assertThat(problems).isEmpty();
  }

  @Test
  void everyObjectMeetsTheUpstreamSchemasWhereTheyArePresent() throws Exception {
    Path dir = Kustomize.repositoryRoot().resolve("../shared/k8s-schemas").normalize();
    SchemaCatalog shared = SchemaCatalog.shared(dir);
    if (shared == null) {
      System.out.println(
          "NOTE: "
              + dir
              + " is not present: the objects were checked against the Java models and the Flink"
              + " operator's CRD only, not against Kubernetes' OpenAPI schemas or the operators'"
              + " current CRDs.");
      return;
    }
    List<String> problems = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    int checked = 0;
    for (Map.Entry<Path, List<ObjectNode>> e : RENDERED.entrySet()) {
      for (ObjectNode object : e.getValue()) {
        String where = Kustomize.deploy().relativize(e.getKey()) + " " + Kustomize.id(object);
        StrictSchema schema = shared.schema(object);
        if (schema == null) {
          missing.add(where);
          continue;
        }
        checked++;
        schema.validate(object).forEach(p -> problems.add(where + " " + p));
      }
    }
    System.out.println(shared.name() + ": " + checked + " objects checked strictly");
    assertThat(missing).as("objects of a kind the shared schemas lack").isEmpty();
    assertThat(problems).isEmpty();
  }

  private int checkAgainst(SchemaCatalog catalog, List<String> problems, boolean flink2Gap) {
    int checked = 0;
    for (Map.Entry<Path, List<ObjectNode>> e : RENDERED.entrySet()) {
      for (ObjectNode object : e.getValue()) {
        StrictSchema schema = catalog.schema(object);
        if (schema != null) {
          checked++;
          String where = Kustomize.deploy().relativize(e.getKey()) + " " + Kustomize.id(object);
          JsonNode input = flink2Gap ? withoutFlink2Version(object) : object;
          schema.validate(input).forEach(p -> problems.add(where + " " + p));
        }
      }
    }
    return checked;
  }

  /** The object with spec.flinkVersion set to one that API 1.10.0 knows (see above). */
  private static JsonNode withoutFlink2Version(ObjectNode object) {
    ObjectNode copy = object.deepCopy();
    ((ObjectNode) copy.path("spec")).put("flinkVersion", "v1_20");
    return copy;
  }

  private interface ObjectCheck {
    void check(String where, ObjectNode object);
  }

  private static void forEachObject(ObjectCheck check) {
    RENDERED.forEach(
        (dir, objects) ->
            objects.forEach(
                o -> check.check(Kustomize.deploy().relativize(dir) + " " + Kustomize.id(o), o)));
  }
}
