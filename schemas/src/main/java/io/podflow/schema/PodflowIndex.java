package io.podflow.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The OpenSearch indices podflow writes: one index per UTC day ({@code podflow-flows-2026.11.26}),
 * created from an index template that fixes the mapping and puts every day's index behind one alias
 * ({@code podflow-flows}) that dashboards and queries use. Retention deletes whole days.
 */
public enum PodflowIndex {
  FLOWS("podflow-flows"),
  VIOLATIONS("podflow-violations");

  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuu.MM.dd");

  private final String alias;

  PodflowIndex(String alias) {
    this.alias = alias;
  }

  /** The alias over all days, for reading. */
  public String alias() {
    return alias;
  }

  /** The name the index template is installed under. */
  public String templateName() {
    return alias;
  }

  /** Pattern of the daily indices, for index-wide operations. */
  public String pattern() {
    return alias + "-*";
  }

  /** The daily index a document with this timestamp belongs to. */
  public String indexFor(Instant timestamp) {
    return alias + "-" + DAY.format(timestamp.atOffset(ZoneOffset.UTC));
  }

  /** The day of one of this kind's daily indices, or empty for any other name. */
  public Optional<LocalDate> dayOf(String indexName) {
    if (!indexName.startsWith(alias + "-")) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDate.parse(indexName.substring(alias.length() + 1), DAY));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** The index template (body of {@code PUT _index_template/NAME}) as JSON text. */
  public String templateJson() {
    String resource = "opensearch/" + alias + ".index-template.json";
    try (InputStream in = PodflowIndex.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
