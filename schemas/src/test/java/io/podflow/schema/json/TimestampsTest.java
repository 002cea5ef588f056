package io.podflow.schema.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimestampsTest {
  private static final DateTimeFormatter REFERENCE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  void formatsLikeJavaTimeForAnyInstantFrom1970To2200() {
    SplittableRandom random = new SplittableRandom(7);
    long end = Instant.parse("2200-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L;
    for (int i = 0; i < 200_000; i++) {
      long nanos = random.nextLong(0, end);
      assertThat(Timestamps.iso(nanos))
          .isEqualTo(REFERENCE.format(Instant.ofEpochSecond(0, nanos)));
    }
  }

  @Test
  void formatsLeapDaysAndYearEdges() {
    for (String text :
        new String[] {
          "2024-02-29T23:59:59.999999999Z",
          "2000-02-29T00:00:00.000000000Z",
          "2100-03-01T00:00:00.000000001Z",
          "1970-01-01T00:00:00.000000000Z",
          "2026-12-31T23:59:59.500000000Z"
        }) {
      Instant instant = Instant.parse(text);
      long nanos = instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
      assertThat(Timestamps.iso(nanos)).isEqualTo(text);
    }
  }
}
