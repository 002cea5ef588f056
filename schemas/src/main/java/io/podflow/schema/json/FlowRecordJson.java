package io.podflow.schema.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.podflow.schema.flow.v1.CaptureDirection;
import io.podflow.schema.flow.v1.EndReason;
import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.Enforcement;
import io.podflow.schema.flow.v1.EnrichmentStatus;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.InitiatorRule;
import io.podflow.schema.flow.v1.Outcome;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.schema.flow.v1.TcpState;
import io.podflow.schema.flow.v1.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Writes a {@link FlowRecord} in its JSON form: the document indexed in OpenSearch and the line
 * printed by podflow's commands. Field names follow Elastic Common Schema where ECS has one;
 * everything else lives under {@code flow.*}, {@code policy.*} and {@code *.kubernetes.*}. The
 * names are documented once, in schemas/README.md, and the index templates map every one of them.
 *
 * <p>Absent values are left out rather than written as null, so a document holds only what was
 * observed. Instances are immutable and thread-safe.
 */
public final class FlowRecordJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private final FlowSectionsWriter sections = new FlowSectionsWriter();

  /** The record as one JSON object, without a trailing newline. */
  public String toJson(FlowRecord record) {
    StringWriter out = new StringWriter(1024);
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      write(record, json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * A writer of records to UTF-8 JSON documents that keeps one generator and buffer for every
   * record (creating a generator per record costs more than the record). Not thread-safe: one per
   * thread.
   */
  public DocumentWriter documentWriter() {
    return new DocumentWriter();
  }

  /** See {@link #documentWriter}. */
  public final class DocumentWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(2048); // reset keeps it
    private JsonGenerator json = generator();

    private DocumentWriter() {}

    private JsonGenerator generator() {
      try {
        JsonGenerator g = FACTORY.createGenerator(out);
        g.setRootValueSeparator(null); // each record alone, nothing between them
        return g;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The record as one JSON object in UTF-8, without a trailing newline. */
    public byte[] utf8(FlowRecord record) {
      out.reset();
      try {
        FlowRecordJson.this.write(record, json);
        json.flush();
      } catch (IOException e) {
        json = generator(); // the next record starts on a new generator, not on these remains
        throw new UncheckedIOException(e);
      } catch (RuntimeException e) {
        json = generator();
        throw e;
      }
      return out.toByteArray();
    }
  }

  /** Writes the record as one JSON object (UTF-8) to the stream, which stays open. */
  public void write(FlowRecord record, OutputStream out) throws IOException {
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      write(record, json);
    }
  }

  /**
   * A writer of newline-delimited JSON records to {@code out} (left open on close), with one
   * generator for the whole stream: creating a generator per record costs more than the record.
   */
  public LinesWriter lines(OutputStream out) throws IOException {
    JsonGenerator json = FACTORY.createGenerator(out);
    json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    json.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
    return new LinesWriter(json);
  }

  /** Writes records one per line; see {@link #lines}. Not thread-safe. */
  public final class LinesWriter implements AutoCloseable {
    private final JsonGenerator json;

    private LinesWriter(JsonGenerator json) {
      this.json = json;
    }

    public void write(FlowRecord record) throws IOException {
      FlowRecordJson.this.write(record, json);
    }

    /** Ends the last line and flushes. */
    @Override
    public void close() throws IOException {
      json.writeRaw('\n');
      json.close();
    }
  }

  /** Writes the record as one JSON object to a generator the caller owns. */
  public void write(FlowRecord record, JsonGenerator json) throws IOException {
    json.writeStartObject();
    sections.writeTimes(record, json);
    if (!record.getCluster().isEmpty()) {
      FlowSectionsWriter.object(json, "orchestrator");
      FlowSectionsWriter.object(json, "cluster");
      FlowSectionsWriter.string(json, "name", record.getCluster());
      json.writeEndObject();
      json.writeEndObject();
    }
    sections.writeObserver(record, json);
    sections.writeDestinationObservation(record, json);
    sections.writeNetwork(record, json);
    sections.writeEndpoint(
        "source", record.getSource(), record.getSourceToDestination(), record.hasSource(), json);
    sections.writeEndpoint(
        "destination",
        record.getDestination(),
        record.getDestinationToSource(),
        record.hasDestination(),
        json);
    sections.writeIcmp(record, json);
    sections.writeFlow(record, json);
    if (record.hasPolicy()) {
      sections.writePolicy(record.getPolicy(), json);
    }
    json.writeEndObject();
  }

  /** Keywords of the enums of the schema, shared by the section writers. */
  static final class Keywords {
    static final EnumKeywords<CaptureDirection> CAPTURE_DIRECTION =
        new EnumKeywords<>(CaptureDirection.class, "CAPTURE_DIRECTION_");
    static final EnumKeywords<Reporter> REPORTER = new EnumKeywords<>(Reporter.class, "REPORTER_");
    static final EnumKeywords<EndReason> END_REASON =
        new EnumKeywords<>(EndReason.class, "END_REASON_");
    static final EnumKeywords<InitiatorRule> INITIATOR_RULE =
        new EnumKeywords<>(InitiatorRule.class, "INITIATOR_RULE_");
    static final EnumKeywords<EndpointKind> ENDPOINT_KIND =
        new EnumKeywords<>(EndpointKind.class, "ENDPOINT_KIND_");
    static final EnumKeywords<TcpState> TCP_STATE =
        new EnumKeywords<>(TcpState.class, "TCP_STATE_");
    static final EnumKeywords<Outcome> OUTCOME = new EnumKeywords<>(Outcome.class, "OUTCOME_");
    static final EnumKeywords<EnrichmentStatus> ENRICHMENT =
        new EnumKeywords<>(EnrichmentStatus.class, "ENRICHMENT_STATUS_");
    static final EnumKeywords<Verdict> VERDICT = new EnumKeywords<>(Verdict.class, "VERDICT_");
    static final EnumKeywords<Enforcement> ENFORCEMENT =
        new EnumKeywords<>(Enforcement.class, "ENFORCEMENT_");

    private Keywords() {}
  }
}
