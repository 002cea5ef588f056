package io.podflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

/** The strict checks find a misspelt field anywhere in an object, and accept what is right. */
class StrictChecksTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private final StrictModel model = new StrictModel();

  @Test
  void aMisspeltFieldDeepInADaemonSetIsAnError() throws Exception {
    JsonNode good = yaml(daemonSet("imagePullPolicy"));
    JsonNode bad = yaml(daemonSet("imagePullPolicyy"));
    assertThat(model.check(good)).isEmpty();
    assertThat(model.check(bad))
        .containsExactly("/spec/template/spec/containers/0/imagePullPolicyy: unknown field");
  }

  @Test
  void aMisspeltFieldInAStrimziOrFlinkObjectIsAnError() throws Exception {
    JsonNode topic =
        yaml(
            "apiVersion: kafka.strimzi.io/v1\nkind: KafkaTopic\nmetadata: {name: t}\n"
                + "spec: {partitions: 1, replica: 3}\n");
    assertThat(model.check(topic)).containsExactly("/spec/replica: unknown field");
    JsonNode flink =
        yaml(
            "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata: {name: f}\n"
                + "spec: {flinkVersion: v1_20, job: {jarURI: local:///j.jar, argz: [a]}}\n");
    // The Flink model ignores unknown fields itself: the read-back pass finds them.
    assertThat(model.check(flink))
        .containsExactly("/spec/job/argz: unknown field (the model ignores it)");
    assertThat(SchemaCatalog.flinkOperatorArtifact().schema(flink).validate(flink))
        .anySatisfy(p -> assertThat(p).contains("argz"));
  }

  @Test
  void aKindWithoutAModelIsAnError() throws Exception {
    JsonNode unknown = yaml("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n");
    assertThat(model.check(unknown)).containsExactly("no model class for example.com/v1 Widget");
  }

  private static String daemonSet(String pullPolicyField) {
    return "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n"
        + "  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n"
        + "    spec:\n      containers:\n        - {name: c, image: i, "
        + pullPolicyField
        + ": Always}\n";
  }

  private static JsonNode yaml(String text) throws Exception {
    return YAML.readTree(text);
  }
}
