package io.podflow.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Icmp;
import io.podflow.schema.json.FlowRecordJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The JSON form, the index templates and schemas/README.md describe the same fields. */
class IndexTemplateMappingTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void everyFieldOfTheJsonFormIsMappedExplicitly() throws IOException {
    FlowRecord everything =
        GoldenRecord.full().toBuilder()
            .setIcmp(Icmp.newBuilder().setType(8).setCode(0).setEchoId(1))
            .build();
    JsonNode doc = MAPPER.readTree(new FlowRecordJson().toJson(everything));
    Map<String, String> mapped = mappedFields(PodflowIndex.FLOWS);

    Set<String> leaves = new TreeSet<>();
    collectLeaves("", doc, leaves, mapped);

    assertThat(mapped.keySet()).containsAll(leaves);
  }

  @Test
  void templatesMapNoTextAndAddNoFieldsDynamically() throws IOException {
    for (PodflowIndex index : PodflowIndex.values()) {
      JsonNode mappings = MAPPER.readTree(index.templateJson()).at("/template/mappings");

      assertThat(mappings.get("dynamic").asBoolean(true)).as(index.name()).isFalse();
      assertThat(mappedFields(index).values()).as(index.name()).doesNotContain("text");
    }
  }

  @Test
  void addressesAreMappedAsIpSoCidrQueriesWork() throws IOException {
    Map<String, String> mapped = mappedFields(PodflowIndex.FLOWS);

    assertThat(mapped).containsEntry("source.ip", "ip").containsEntry("destination.ip", "ip");
    assertThat(mapped).containsEntry("source.kubernetes.labels", "flat_object");
    assertThat(mapped).containsEntry("@timestamp", "date").containsEntry("source.bytes", "long");
  }

  @Test
  void everyMappedFieldIsDocumentedInTheSchemaReadme() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    for (PodflowIndex index : PodflowIndex.values()) {
      for (String field : mappedFields(index).keySet()) {
        assertThat(readme).as(index + " field " + field).contains("`" + field + "`");
      }
    }
  }

  /** Leaf field paths of the template's mapping, with their types. */
  static Map<String, String> mappedFields(PodflowIndex index) throws IOException {
    JsonNode properties = MAPPER.readTree(index.templateJson()).at("/template/mappings/properties");
    Map<String, String> fields = new java.util.TreeMap<>();
    collectMapped("", properties, fields);
    return fields;
  }

  private static void collectMapped(String prefix, JsonNode properties, Map<String, String> out) {
    for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String path = prefix + field.getKey();
      if (field.getValue().has("properties")) {
        collectMapped(path + ".", field.getValue().get("properties"), out);
      } else {
        out.put(path, field.getValue().get("type").asText());
      }
    }
  }

  private static void collectLeaves(
      String prefix, JsonNode node, Set<String> out, Map<String, String> mapped) {
    if (node.isArray()) {
      node.forEach(element -> collectLeaves(prefix, element, out, mapped));
      return;
    }
    if (!node.isObject() || "flat_object".equals(mapped.get(prefix))) {
      out.add(prefix);
      return;
    }
    String base = prefix.isEmpty() ? "" : prefix + ".";
    node.fields()
        .forEachRemaining(f -> collectLeaves(base + f.getKey(), f.getValue(), out, mapped));
  }
}
