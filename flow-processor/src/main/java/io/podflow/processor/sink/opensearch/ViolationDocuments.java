package io.podflow.processor.sink.opensearch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.podflow.processor.verdict.Violation;
import io.podflow.schema.PodflowIndex;
import io.podflow.schema.json.IpProtocols;
import io.podflow.schema.json.Timestamps;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A minute's violation as its OpenSearch document (schemas/README.md, "JSON form of a violation"),
 * in the daily violations index of its minute, its id derived from its key and minute: the same
 * minute written again (a replay) overwrites itself.
 */
public final class ViolationDocuments {
  private static final JsonFactory FACTORY = new JsonFactory();

  public Document of(Violation v) {
    Instant minute = Instant.ofEpochMilli(v.minuteMillis);
    return new Document(PodflowIndex.VIOLATIONS.indexFor(minute), id(v), json(v));
  }

  static String id(Violation v) {
    return new DocumentIds().text(v.key()).value(v.minuteMillis).id();
  }

  private static byte[] json(Violation v) {
    StringWriter out = new StringWriter(512);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("@timestamp", Instant.ofEpochMilli(v.minuteMillis).toString());
      g.writeObjectFieldStart("event");
      g.writeStringField("start", Timestamps.iso(v.firstNanos));
      g.writeStringField("end", Timestamps.iso(v.lastNanos));
      g.writeEndObject();
      g.writeObjectFieldStart("orchestrator");
      g.writeObjectFieldStart("cluster");
      g.writeStringField("name", v.cluster);
      g.writeEndObject();
      g.writeEndObject();
      endpoint(g, "source", v.sourceNamespace, v.sourceWorkloadKind, v.sourceWorkloadName, -1);
      endpoint(
          g,
          "destination",
          v.destinationNamespace,
          v.destinationWorkloadKind,
          v.destinationWorkloadName,
          v.port);
      g.writeObjectFieldStart("network");
      g.writeStringField("transport", IpProtocols.name(v.protocol));
      g.writeEndObject();
      g.writeObjectFieldStart("policy");
      g.writeStringField("direction", v.direction);
      g.writeStringField("namespace", v.policyNamespace);
      g.writeStringField("name", v.policyName);
      g.writeStringField("enforcement", v.established ? "established" : "blocked");
      g.writeStringField("explanation", v.explanation);
      g.writeStringField("revision", v.revision);
      g.writeEndObject();
      g.writeObjectFieldStart("violation");
      g.writeNumberField("flows", v.flows);
      g.writeNumberField("packets", v.packets);
      g.writeNumberField("bytes", v.bytes);
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void endpoint(
      JsonGenerator g, String field, String namespace, String kind, String name, int port)
      throws IOException {
    g.writeObjectFieldStart(field);
    if (port > 0) {
      g.writeNumberField("port", port);
    }
    g.writeObjectFieldStart("kubernetes");
    g.writeStringField("namespace", namespace);
    g.writeObjectFieldStart("workload");
    g.writeStringField("kind", kind);
    g.writeStringField("name", name);
    g.writeEndObject();
    g.writeEndObject();
    g.writeEndObject();
  }
}
