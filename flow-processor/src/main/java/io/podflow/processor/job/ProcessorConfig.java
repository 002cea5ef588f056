package io.podflow.processor.job;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the flow-processor job needs to run, from {@code --key=value} arguments or {@code
 * PODFLOW_PROCESSOR_KEY} environment variables (arguments win). Only the Kafka bootstrap servers
 * and the OpenSearch URI are required.
 *
 * @param groupId the Kafka consumer group (offsets live in checkpoints; the group is for lag
 *     monitoring)
 * @param alertmanager Alertmanager's base URI, or null to send no alerts there
 * @param hold how long records wait for their cluster's first policies before they are judged on
 *     none
 * @param mergeWindow how far apart (in event time) the two reporters' records of a connection may
 *     be and still be merged into one document
 * @param outOfOrderness how late (in event time) a record may come behind the newest one
 * @param idleness after how long without records a Kafka partition stops holding back event time
 * @param alertResolveAfter how long after its last violation an alert is sent resolved
 * @param bounded stop at the offsets that are latest at start (replays, tests)
 */
public record ProcessorConfig(
    String bootstrapServers,
    String flowsTopic,
    String policiesTopic,
    String deadLetterTopic,
    String alertsTopic,
    String groupId,
    URI openSearch,
    URI alertmanager,
    Duration checkpointInterval,
    Duration hold,
    Duration mergeWindow,
    Duration outOfOrderness,
    Duration idleness,
    int bulkActions,
    Duration bulkInterval,
    Duration alertResolveAfter,
    boolean bounded)
    implements Serializable {

  /** Every default, with the two addresses given. */
  public static ProcessorConfig of(String bootstrapServers, URI openSearch) {
    return new ProcessorConfig(
        bootstrapServers,
        FlowTopics.FLOWS,
        FlowTopics.POLICIES,
        FlowTopics.DEAD_LETTERS,
        FlowTopics.ALERTS,
        "podflow-flow-processor",
        openSearch,
        null,
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        1_000,
        Duration.ofMillis(200),
        Duration.ofMinutes(2),
        false);
  }

  /**
   * From {@code --key=value} arguments over {@code PODFLOW_PROCESSOR_*} variables. Keys:
   * bootstrap-servers, opensearch, alertmanager, flows-topic, policies-topic, dead-letter-topic,
   * alerts-topic, group-id, checkpoint-interval, hold, merge-window, out-of-orderness, idleness,
   * bulk-interval, alert-resolve-after (durations in seconds or ISO-8601), bulk-actions, bounded.
   *
   * @throws IllegalArgumentException naming every bad or missing key
   */
  public static ProcessorConfig parse(String[] args, Map<String, String> env) {
    Map<String, String> values = new HashMap<>();
    env.forEach(
        (k, v) -> {
          if (k.startsWith("PODFLOW_PROCESSOR_")) {
            values.put(
                k.substring("PODFLOW_PROCESSOR_".length())
                    .toLowerCase(Locale.ROOT)
                    .replace('_', '-'),
                v);
          }
        });
    List<String> problems = new ArrayList<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        problems.add("'" + arg + "' is not --key=value");
        continue;
      }
      values.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    Reader r = new Reader(values, problems);
    String bootstrap = r.required("bootstrap-servers");
    URI openSearch = r.uri("opensearch", true);
    ProcessorConfig d = of(bootstrap, openSearch);
    ProcessorConfig c =
        new ProcessorConfig(
            bootstrap,
            r.string("flows-topic", d.flowsTopic),
            r.string("policies-topic", d.policiesTopic),
            r.string("dead-letter-topic", d.deadLetterTopic),
            r.string("alerts-topic", d.alertsTopic),
            r.string("group-id", d.groupId),
            openSearch,
            r.uri("alertmanager", false),
            r.duration("checkpoint-interval", d.checkpointInterval),
            r.duration("hold", d.hold),
            r.duration("merge-window", d.mergeWindow),
            r.duration("out-of-orderness", d.outOfOrderness),
            r.duration("idleness", d.idleness),
            r.integer("bulk-actions", d.bulkActions),
            r.duration("bulk-interval", d.bulkInterval),
            r.duration("alert-resolve-after", d.alertResolveAfter),
            Boolean.parseBoolean(r.string("bounded", "false")));
    values.keySet().removeAll(r.known);
    values.keySet().forEach(k -> problems.add("unknown key '" + k + "'"));
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
    }
    return c;
  }

  private static final class Reader {
    final Map<String, String> values;
    final List<String> problems;
    final java.util.Set<String> known = new java.util.HashSet<>();

    Reader(Map<String, String> values, List<String> problems) {
      this.values = values;
      this.problems = problems;
    }

    String string(String key, String otherwise) {
      known.add(key);
      String v = values.get(key);
      return v == null || v.isBlank() ? otherwise : v.trim();
    }

    String required(String key) {
      String v = string(key, null);
      if (v == null) {
        problems.add(key + " is required");
      }
      return v;
    }

    URI uri(String key, boolean required) {
      String v = required ? required(key) : string(key, null);
      if (v == null) {
        return null;
      }
      try {
        URI uri = URI.create(v);
        if (uri.getScheme() == null || uri.getHost() == null || uri.getPort() < 0) {
          problems.add(key + " must be http(s)://host:port, not '" + v + "'");
          return null;
        }
        return uri;
      } catch (IllegalArgumentException e) {
        problems.add(key + " must be http(s)://host:port, not '" + v + "'");
        return null;
      }
    }

    Duration duration(String key, Duration otherwise) {
      String v = string(key, null);
      if (v == null) {
        return otherwise;
      }
      try {
        return v.startsWith("P") || v.startsWith("p")
            ? Duration.parse(v)
            : Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
      } catch (RuntimeException e) {
        problems.add(key + " must be seconds or an ISO-8601 duration (PT30S), not '" + v + "'");
        return otherwise;
      }
    }

    int integer(String key, int otherwise) {
      String v = string(key, null);
      if (v == null) {
        return otherwise;
      }
      try {
        return Integer.parseInt(v);
      } catch (NumberFormatException e) {
        problems.add(key + " must be a whole number, not '" + v + "'");
        return otherwise;
      }
    }
  }
}
