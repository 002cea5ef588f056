package io.podflow.processor.sink.opensearch;

import io.podflow.schema.PodflowIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes podflow's daily indices once every document in them is older than the retention period:
 * the index of day D goes when D's last instant is more than {@code retention} ago. Only names of
 * the exact form {@code podflow-flows-YYYY.MM.DD} are touched, so an index a person restored or
 * renamed is never deleted by accident.
 */
public final class IndexRetention {
  private static final Logger LOG = LoggerFactory.getLogger(IndexRetention.class);

  /** Flows are kept 7 days and violations 30, unless configured otherwise. */
  public static final Map<PodflowIndex, Duration> DEFAULTS =
      Map.of(PodflowIndex.FLOWS, Duration.ofDays(7), PodflowIndex.VIOLATIONS, Duration.ofDays(30));

  private final OpenSearchClient client;
  private final Map<PodflowIndex, Duration> retention;
  private final Clock clock;

  public IndexRetention(
      OpenSearchClient client, Map<PodflowIndex, Duration> retention, Clock clock) {
    this.client = Objects.requireNonNull(client);
    this.retention = Map.copyOf(retention);
    this.clock = Objects.requireNonNull(clock);
    this.retention.forEach(
        (index, keep) -> {
          if (keep.isNegative() || keep.isZero()) {
            throw new IllegalArgumentException("retention of " + index + " must be positive");
          }
        });
  }

  /** Deletes the expired daily indices and returns their names. */
  public List<String> deleteExpired() {
    Instant now = clock.instant();
    List<String> expired = new ArrayList<>();
    try {
      for (Map.Entry<PodflowIndex, Duration> entry : retention.entrySet()) {
        PodflowIndex kind = entry.getKey();
        Instant cutoff = now.minus(entry.getValue());
        for (String name : existing(kind)) {
          kind.dayOf(name)
              .filter(day -> endOf(day).isBefore(cutoff))
              .ifPresent(day -> expired.add(name));
        }
      }
      if (!expired.isEmpty()) {
        client.indices().delete(d -> d.index(expired));
        LOG.info("deleted expired indices {}", expired);
      }
      return expired;
    } catch (IOException e) {
      throw new UncheckedIOException("could not apply index retention", e);
    }
  }

  private List<String> existing(PodflowIndex kind) throws IOException {
    return List.copyOf(
        client
            .indices()
            .get(g -> g.index(kind.pattern()).allowNoIndices(true).ignoreUnavailable(true))
            .result()
            .keySet());
  }

  private static Instant endOf(LocalDate day) {
    return day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
