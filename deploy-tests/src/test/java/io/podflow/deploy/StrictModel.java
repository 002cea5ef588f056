package io.podflow.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.BeanDeserializerBuilder;
import tools.jackson.databind.deser.DeserializationProblemHandler;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

/**
 * Reads an object into the Java model of its kind, with every field the model does not know an
 * error: built-in kinds into fabric8's kubernetes-model classes, Strimzi's into io.strimzi:api's,
 * FlinkDeployment into flink-kubernetes-operator-api's. Those models keep unknown fields in an
 * {@code additionalProperties} map (a Jackson any-setter) instead of refusing them; here the
 * any-setter is taken away, so an unknown field fails, and a second pass finds fields a model
 * ignores outright: every field of the input must come back when the object is written again.
 */
final class StrictModel {
  /** Custom resources by apiVersion group and kind; the version is checked by the schemas. */
  private static final Map<String, Class<? extends HasMetadata>> CUSTOM =
      Map.of(
          "kafka.strimzi.io/Kafka", Kafka.class,
          "kafka.strimzi.io/KafkaNodePool", KafkaNodePool.class,
          "kafka.strimzi.io/KafkaTopic", KafkaTopic.class,
          "kafka.strimzi.io/KafkaUser", KafkaUser.class,
          "flink.apache.org/FlinkDeployment", FlinkDeployment.class);

  /** Reads the check's second pass (Jackson 2, as the rendered trees are). */
  private static final ObjectMapper TREES = new ObjectMapper();

  private final List<String> problems = new ArrayList<>();
  private final KubernetesSerialization serialization;

  StrictModel() {
    // fabric8 8 serializes with Jackson 3; its serialization adds its own modules to this mapper.
    JsonMapper mapper =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addModule(
                new SimpleModule("no-any-setter")
                    .setDeserializerModifier(
                        new ValueDeserializerModifier() {
                          @Override
                          public BeanDeserializerBuilder updateBuilder(
                              DeserializationConfig config,
                              BeanDescription.Supplier description,
                              BeanDeserializerBuilder builder) {
                            builder.setAnySetter(null);
                            return builder;
                          }
                        }))
            .addHandler(
                new DeserializationProblemHandler() {
                  @Override
                  public boolean handleUnknownProperty(
                      DeserializationContext context,
                      JsonParser parser,
                      ValueDeserializer<?> deserializer,
                      Object beanOrClass,
                      String propertyName) {
                    problems.add(parser.streamReadContext().pathAsPointer() + ": unknown field");
                    parser.skipChildren();
                    return true;
                  }
                })
            .build();
    serialization = new KubernetesSerialization(mapper, true);
  }

  /** The class the model has for this object's kind, or null when it has none. */
  Class<?> modelClass(JsonNode object) {
    String apiVersion = object.path("apiVersion").asText();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    Class<? extends HasMetadata> custom = CUSTOM.get(group + "/" + object.path("kind").asText());
    if (custom != null) {
      return custom;
    }
    Class<? extends KubernetesResource> builtIn =
        serialization.getRegisteredKubernetesResource(apiVersion, object.path("kind").asText());
    return builtIn == null || builtIn == GenericKubernetesResource.class ? null : builtIn;
  }

  /** Every field the model does not know, by its path; empty when the object is clean. */
  List<String> check(JsonNode object) {
    problems.clear();
    Class<?> type = modelClass(object);
    if (type == null) {
      return List.of(
          "no model class for "
              + object.path("apiVersion").asText()
              + " "
              + object.path("kind").asText());
    }
    Object typed;
    try {
      typed = serialization.unmarshal(object.toString(), type);
    } catch (RuntimeException e) {
      return List.of("does not read as " + type.getName() + ": " + e.getMessage());
    }
    List<String> found = new ArrayList<>(problems);
    if (found.isEmpty()) {
      try {
        missing("", object, TREES.readTree(serialization.asJson(typed)), found);
      } catch (java.io.IOException e) {
        found.add("cannot read back what " + type.getName() + " writes: " + e.getMessage());
      }
    }
    return found;
  }

  /** Fields of the input that did not come back: a model that ignores them silently. */
  private static void missing(String path, JsonNode in, JsonNode out, List<String> found) {
    if (in.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = in.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String at = path + "/" + field.getKey();
        JsonNode back = out == null ? null : out.get(field.getKey());
        if (back == null) {
          found.add(at + ": unknown field (the model ignores it)");
        } else {
          missing(at, field.getValue(), back, found);
        }
      }
    } else if (in.isArray()) {
      for (int i = 0; i < in.size(); i++) {
        missing(path + "/" + i, in.get(i), out == null ? null : out.get(i), found);
      }
    }
  }
}
