package io.podflow.agent.logging;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;

/**
 * Where podflow's log lines go (stderr) and how they look: short text for commands, people read
 * those; one JSON object per line for the agent, log pipelines read those (ECS field names:
 * {@code @timestamp}, {@code log.level}, {@code log.logger}, {@code message}, {@code error.*}, plus
 * each key-value the line carries). Levels: warnings and errors by default, Kafka's and Flink's
 * errors only; the agent adds podflow's own information lines.
 */
public final class LogLines {
  /** How lines are written. */
  public enum Format {
    TEXT,
    JSON
  }

  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
  private static final Map<String, Level> LEVELS = new ConcurrentHashMap<>();
  private static volatile Format format = Format.TEXT;
  private static volatile PrintStream out = System.err;

  static {
    LEVELS.put("", Level.WARN);
    LEVELS.put("org.apache.kafka", Level.ERROR);
    LEVELS.put("org.apache.flink", Level.ERROR);
  }

  private LogLines() {}

  /** Switches format, and logs {@code prefix} at {@code level} and above. */
  public static void configure(Format lineFormat, String prefix, Level level) {
    format = lineFormat;
    LEVELS.put(prefix, level);
  }

  static boolean enabled(String logger, Level level) {
    String best = "";
    for (String prefix : LEVELS.keySet()) {
      if (prefix.length() > best.length() && logger.startsWith(prefix)) {
        best = prefix;
      }
    }
    return level.toInt() >= LEVELS.get(best).toInt();
  }

  static void write(
      String logger, Level level, String message, List<KeyValuePair> pairs, Throwable error) {
    String line =
        format == Format.JSON
            ? json(logger, level, message, pairs, error)
            : text(logger, level, message, pairs, error);
    out.println(line);
  }

  private static String text(
      String logger, Level level, String message, List<KeyValuePair> pairs, Throwable error) {
    StringBuilder b =
        new StringBuilder()
            .append(CLOCK.format(Instant.now()))
            .append(' ')
            .append(level)
            .append(' ')
            .append(logger.substring(logger.lastIndexOf('.') + 1))
            .append(" - ")
            .append(message);
    if (pairs != null) {
      pairs.forEach(p -> b.append(' ').append(p.key).append('=').append(p.value));
    }
    if (error != null) {
      b.append(System.lineSeparator()).append(stackTrace(error));
    }
    return b.toString();
  }

  private static String json(
      String logger, Level level, String message, List<KeyValuePair> pairs, Throwable error) {
    StringBuilder b = new StringBuilder(256).append('{');
    field(b, "@timestamp", Instant.now().toString());
    field(b, "log.level", level.toString());
    field(b, "log.logger", logger);
    field(b, "message", message);
    if (pairs != null) {
      pairs.forEach(p -> field(b, p.key, String.valueOf(p.value)));
    }
    if (error != null) {
      field(b, "error.type", error.getClass().getName());
      field(b, "error.message", String.valueOf(error.getMessage()));
      field(b, "error.stack_trace", stackTrace(error));
    }
    return b.append('}').toString();
  }

  private static void field(StringBuilder b, String key, String value) {
    if (b.length() > 1) {
      b.append(',');
    }
    JsonStringEncoder encoder = JsonStringEncoder.getInstance();
    b.append('"').append(encoder.quoteAsString(key)).append("\":\"");
    b.append(encoder.quoteAsString(value == null ? "null" : value)).append('"');
  }

  private static String stackTrace(Throwable error) {
    StringWriter s = new StringWriter();
    error.printStackTrace(new PrintWriter(s));
    return s.toString().stripTrailing();
  }

  /** For tests: where lines go. */
  static void redirect(PrintStream stream) {
    out = stream;
  }
}
