package io.podflow.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * An OpenAPI v3 schema of a Kubernetes kind (a CRD's openAPIV3Schema, or a built-in kind's
 * component schema) turned into a JSON Schema that refuses unknown fields, and run with networknt's
 * validator. The API server prunes unknown fields of a structural schema without a word (or refuses
 * them with strict field validation); here every object with declared properties gets {@code
 * additionalProperties: false}, unless it says {@code x-kubernetes-preserve-unknown-fields} or
 * declares additionalProperties itself (maps).
 */
final class StrictSchema {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  /** Keywords whose values are data, not schemas. */
  private static final java.util.Set<String> LITERAL =
      java.util.Set.of("enum", "required", "default", "example", "x-kubernetes-validations");

  private final Schema schema;

  /**
   * @param root the kind's schema
   * @param definitions what its references name: {@code {"$ref": "NAME"}} or {@code {"$ref":
   *     "#NAME"}} (the reduced form of the shared schema cache), or none
   */
  StrictSchema(JsonNode root, Map<String, JsonNode> definitions) {
    ObjectNode document = (ObjectNode) strict(root.deepCopy());
    // Every object has these, whether a CRD's schema lists them or not.
    if (document.has("properties")) {
      ObjectNode properties = (ObjectNode) document.get("properties");
      properties.putIfAbsent("apiVersion", JSON.createObjectNode().put("type", "string"));
      properties.putIfAbsent("kind", JSON.createObjectNode().put("type", "string"));
      properties.putIfAbsent("metadata", JSON.createObjectNode().put("type", "object"));
    }
    ObjectNode defs = document.putObject("$defs");
    definitions.forEach((name, def) -> defs.set(name, strict(def.deepCopy())));
    document.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    schema = REGISTRY.getSchema(document.toString(), InputFormat.JSON);
  }

  /** Every violation, as "path: message". */
  List<String> validate(JsonNode object) {
    List<Error> errors = schema.validate(object.toString(), InputFormat.JSON);
    return errors.stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList();
  }

  private static JsonNode strict(JsonNode node) {
    if (node.isArray()) {
      for (JsonNode item : node) {
        strict(item);
      }
      return node;
    }
    if (!node.isObject()) {
      return node;
    }
    ObjectNode o = (ObjectNode) node;
    JsonNode ref = o.get("$ref");
    if (ref != null && ref.isTextual()) {
      String name = ref.asText();
      o.put("$ref", "#/$defs/" + (name.startsWith("#") ? name.substring(1) : name));
    }
    boolean preserve = o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    if (o.has("properties") && !o.has("additionalProperties") && !preserve) {
      o.put("additionalProperties", false);
    }
    // OpenAPI's int-or-string has no type; nullable fields may be null.
    if (o.path("nullable").asBoolean(false) && o.has("type")) {
      o.set("type", JSON.createArrayNode().add(o.get("type").asText()).add("null"));
    }
    // Kubernetes' own keywords, used above; the validator knows none of them.
    o.properties().removeIf(f -> f.getKey().startsWith("x-kubernetes-"));
    Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = field.getKey();
      if (key.equals("properties") || key.equals("patternProperties") || key.equals("$defs")) {
        field.getValue().fields().forEachRemaining(p -> strict(p.getValue()));
      } else if (field.getValue().isContainerNode() && !LITERAL.contains(key)) {
        strict(field.getValue());
      }
    }
    return o;
  }
}
