package io.podflow.schema.json;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Unix nanoseconds as ISO-8601 UTC text with all nine fraction digits, as the JSON form uses. */
public final class Timestamps {
  private static final DateTimeFormatter ISO_NANOS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  public static String iso(long unixNanos) {
    return ISO_NANOS.format(
        Instant.ofEpochSecond(
            Math.floorDiv(unixNanos, 1_000_000_000L), Math.floorMod(unixNanos, 1_000_000_000L)));
  }
}
