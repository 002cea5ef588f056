package io.podflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podflow.processor.sink.opensearch.Document;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.stack.OpenSearchNode;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where a flow document's bytes on disk go: the same documents loaded into indices whose mappings
 * differ from the shipped flow template in one respect each (an earlier choice, or one not taken),
 * force-merged, measured in total and by kind of Lucene file. The template's trade-offs are
 * measured rather than guessed.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.podflow.bench.FlowDocumentFootprint [CONNECTIONS]}.
 */
public final class FlowDocumentFootprint {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private FlowDocumentFootprint() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    int connections = args.length > 0 ? Integer.parseInt(args[0]) : 150_000;
    List<FlowRecord> records = ProcessorThroughput.records(connections);
    List<Document> documents = ProcessorThroughput.documents(records);
    System.out.printf(
        "%,d documents, %.0f bytes of JSON each%n",
        documents.size(), documents.stream().mapToInt(d -> d.json.length).average().orElse(0));
    ObjectNode shipped = template();
    // Each alternative alone against the shipped template.
    List<Step> steps =
        List.of(
            new Step("shipped template", t -> {}),
            new Step(
                "sorted by time only (the first template)",
                t -> {
                  ObjectNode index = (ObjectNode) t.at("/template/settings/index");
                  index.putArray("sort.field").add("@timestamp");
                  index.putArray("sort.order").add("desc");
                }),
            new Step(
                "every number and date indexed (the first template)",
                t -> everyFieldIndexed(mappings(t))),
            new Step(
                "sorted by source pod too",
                t ->
                    sort(
                        t,
                        "source.kubernetes.namespace",
                        "source.kubernetes.workload.name",
                        "source.kubernetes.pod.name",
                        "destination.kubernetes.namespace",
                        "destination.kubernetes.workload.name")),
            new Step(
                "ports not indexed either",
                t -> {
                  for (String side : List.of("source", "destination")) {
                    field(t, "/properties/" + side + "/properties/port").put("index", false);
                  }
                }),
            new Step(
                "no explanation where no policy selects either end",
                t -> {},
                d -> {
                  if (d.at("/policy/verdict").asText().equals("not_selected")) {
                    ((ObjectNode) d.get("policy")).remove("explanation");
                  }
                }),
            new Step(
                "labels in _source only (not searchable)",
                t -> {
                  for (String side : List.of("source", "destination")) {
                    ObjectNode k =
                        field(t, "/properties/" + side + "/properties/kubernetes/properties");
                    k.putObject("labels").put("type", "object").put("enabled", false);
                  }
                }));
    try (OpenSearchNode node =
        OpenSearchNode.start(
            Files.createTempDirectory("podflow-footprint"), Duration.ofMinutes(3))) {
      URI base = node.httpUri();
      int n = 0;
      for (Step step : steps) {
        ObjectNode t = shipped.deepCopy();
        step.template().accept(t);
        String index = "footprint-" + n++;
        send("PUT", base, "/" + index, indexBody(t));
        ProcessorThroughput.plainBulk(base, step.transform(documents), index);
        System.out.printf("%-52s %s%n", step.name(), IndexFootprint.of(base, index));
        send("DELETE", base, "/" + index, null);
      }
    }
  }

  /** A change to the template, and perhaps to the documents, on top of the steps before it. */
  private record Step(String name, Consumer<ObjectNode> template, Consumer<ObjectNode> document) {
    Step(String name, Consumer<ObjectNode> template) {
      this(name, template, null);
    }

    List<Document> transform(List<Document> documents) throws Exception {
      if (document == null) {
        return documents;
      }
      List<Document> out = new java.util.ArrayList<>(documents.size());
      for (Document d : documents) {
        ObjectNode tree = (ObjectNode) JSON.readTree(d.json);
        document.accept(tree);
        out.add(new Document(d.index, d.id, JSON.writeValueAsBytes(tree)));
      }
      return out;
    }
  }

  private static void sort(ObjectNode template, String... fields) {
    ObjectNode index = (ObjectNode) template.at("/template/settings/index");
    var names = index.putArray("sort.field").add("orchestrator.cluster.name");
    var orders = index.putArray("sort.order").add("asc");
    for (String f : fields) {
      names.add(f);
      orders.add("asc");
    }
    names.add("@timestamp");
    orders.add("desc");
  }

  private static ObjectNode field(ObjectNode template, String path) {
    return (ObjectNode) mappings(template).at(path);
  }

  private static ObjectNode template() throws Exception {
    try (InputStream in =
        FlowDocumentFootprint.class.getResourceAsStream(
            "/io/podflow/schema/opensearch/podflow-flows.index-template.json")) {
      return (ObjectNode) JSON.readTree(in);
    }
  }

  private static ObjectNode mappings(ObjectNode template) {
    return (ObjectNode) template.at("/template/mappings");
  }

  private static void everyFieldIndexed(JsonNode node) {
    if (node instanceof ObjectNode o) {
      if (o.has("type")
          && o.path("index").isBoolean()
          && !o.path("type").asText().equals("keyword")) {
        o.remove("index");
      }
      o.forEach(FlowDocumentFootprint::everyFieldIndexed);
    }
  }

  private static String indexBody(ObjectNode template) {
    ObjectNode body = JSON.createObjectNode();
    body.set("settings", template.at("/template/settings"));
    body.set("mappings", template.at("/template/mappings"));
    return body.toString();
  }

  private static String send(String method, URI base, String path, String body) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(base.resolve(path))
                .header(
                    "Content-Type",
                    path.endsWith("_bulk") ? "application/x-ndjson" : "application/json")
                .timeout(Duration.ofMinutes(10))
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }
}
