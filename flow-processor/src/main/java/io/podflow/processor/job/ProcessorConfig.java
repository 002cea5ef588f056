package io.podflow.processor.job;

import io.podflow.processor.security.HttpAuth;
import io.podflow.processor.security.SecretSource;
import io.podflow.schema.kafka.KafkaClientProperties;
import io.podflow.schema.kafka.PodflowTopic;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
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
 * @param futureTolerance how far ahead of the processing time a record's event time may be; a later
 *     one is taken as now plus this (and counted), so it cannot carry event time away
 * @param alertResolveAfter how long after its last violation an alert is sent resolved
 * @param bounded stop at the offsets that are latest at start (replays, tests)
 * @param kafkaProperties the user's Kafka client settings (TLS, SASL, config providers), applied to
 *     every Kafka client of the job; shipped to the task managers in the job graph like every
 *     source's settings, so secrets in them belong in Kafka config providers ({@code
 *     ${dir:/etc/podflow/kafka-user:password}}), which each client resolves where it runs
 * @param openSearchAuth credentials and CA for OpenSearch (where to read them, not the secrets)
 * @param alertmanagerAuth credentials and CA for Alertmanager (where to read them)
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
    Duration futureTolerance,
    int bulkActions,
    Duration bulkInterval,
    Duration alertResolveAfter,
    boolean bounded,
    KafkaClientProperties kafkaProperties,
    HttpAuth openSearchAuth,
    HttpAuth alertmanagerAuth)
    implements Serializable {

  /** The environment variable prefix; {@code PODFLOW_PROCESSOR_HOLD} is key {@code hold}. */
  public static final String ENV_PREFIX = "PODFLOW_PROCESSOR_";

  /**
   * Secrets that may come from the environment (mounted from a Secret) but never from arguments,
   * which Flink shows in its web UI and the operating system in its process list.
   */
  private static final java.util.Set<String> ENVIRONMENT_ONLY =
      java.util.Set.of("opensearch-password", "alertmanager-password", "alertmanager-bearer-token");

  /** Every default, with the two addresses given. */
  public static ProcessorConfig of(String bootstrapServers, URI openSearch) {
    return new ProcessorConfig(
        bootstrapServers,
        PodflowTopic.FLOWS.topic(),
        PodflowTopic.POLICIES.topic(),
        PodflowTopic.DEAD_LETTERS.topic(),
        PodflowTopic.ALERTS.topic(),
        "podflow-flow-processor",
        openSearch,
        null,
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        Duration.ofMinutes(5),
        1_000,
        Duration.ofMillis(200),
        Duration.ofMinutes(2),
        false,
        KafkaClientProperties.NONE,
        HttpAuth.NONE,
        HttpAuth.NONE);
  }

  /**
   * From {@code --key=value} arguments over {@code PODFLOW_PROCESSOR_*} variables. Keys:
   * bootstrap-servers, opensearch, alertmanager, flows-topic, policies-topic, dead-letter-topic,
   * alerts-topic, group-id, checkpoint-interval, hold, merge-window, out-of-orderness, idleness,
   * future-tolerance, bulk-interval, alert-resolve-after (durations in seconds or ISO-8601),
   * bulk-actions, bounded; security: kafka-properties (a Java properties file),
   * opensearch-username, opensearch-password-file, opensearch-ca-file, alertmanager-username,
   * alertmanager-password-file, alertmanager-bearer-token-file, alertmanager-ca-file. A password or
   * token may instead come from {@code PODFLOW_PROCESSOR_OPENSEARCH_PASSWORD}, {@code
   * _ALERTMANAGER_PASSWORD} or {@code _ALERTMANAGER_BEARER_TOKEN}, never from an argument. Values
   * of keys are not repeated in messages unless harmless (numbers, durations).
   *
   * @throws IllegalArgumentException naming every bad or missing key
   */
  public static ProcessorConfig parse(String[] args, Map<String, String> env) {
    Map<String, String> values = new HashMap<>();
    env.forEach(
        (k, v) -> {
          if (k.startsWith(ENV_PREFIX)) {
            values.put(key(k), v);
          }
        });
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--")) {
        // Not repeated: it may be a secret given as "--key secret".
        problems.add("argument " + (i + 1) + " is not --key=value (not shown)");
        continue;
      }
      if (eq < 0) {
        problems.add("'" + arg + "' is not --key=value");
        continue;
      }
      String key = arg.substring(2, eq);
      if (ENVIRONMENT_ONLY.contains(key)) {
        problems.add(
            key
                + " is not taken as an argument (arguments show in Flink's web UI and process"
                + " lists): use "
                + key
                + "-file or the variable "
                + ENV_PREFIX
                + key.toUpperCase(Locale.ROOT).replace('-', '_'));
        continue;
      }
      values.put(key, arg.substring(eq + 1));
    }
    Reader r = new Reader(values, problems);
    String bootstrap = r.required("bootstrap-servers");
    URI openSearch = r.uri("opensearch", true);
    URI alertmanager = r.uri("alertmanager", false);
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
            alertmanager,
            r.duration("checkpoint-interval", d.checkpointInterval),
            r.duration("hold", d.hold),
            r.duration("merge-window", d.mergeWindow),
            r.duration("out-of-orderness", d.outOfOrderness),
            r.duration("idleness", d.idleness),
            r.duration("future-tolerance", d.futureTolerance),
            r.integer("bulk-actions", d.bulkActions),
            r.duration("bulk-interval", d.bulkInterval),
            r.duration("alert-resolve-after", d.alertResolveAfter),
            Boolean.parseBoolean(r.string("bounded", "false")),
            kafkaProperties(r),
            r.auth("opensearch", openSearch, false, env),
            r.auth("alertmanager", alertmanager, true, env));
    values.keySet().removeAll(r.known);
    values.keySet().forEach(k -> problems.add("unknown key '" + k + "'"));
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
    }
    return c;
  }

  /** {@code PODFLOW_PROCESSOR_OPENSEARCH_CA_FILE} is key {@code opensearch-ca-file}. */
  private static String key(String variable) {
    return variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static KafkaClientProperties kafkaProperties(Reader r) {
    String file = r.string("kafka-properties", null);
    if (file == null) {
      return KafkaClientProperties.NONE;
    }
    try {
      KafkaClientProperties p = KafkaClientProperties.load(Path.of(file));
      r.problems.addAll(
          p.refusals(
              "kafka-properties (" + file + "): ",
              Map.of("bootstrap.servers", "bootstrap-servers", "group.id", "group-id")));
      return p;
    } catch (IllegalArgumentException e) {
      r.problems.add("kafka-properties: " + e.getMessage());
      return KafkaClientProperties.NONE;
    }
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
      // A URI with user:password@ is not repeated, and not taken: credentials have their keys.
      String shown = v.contains("@") ? "(not shown: it has an @)" : "'" + v + "'";
      try {
        URI uri = URI.create(v);
        if (uri.getRawUserInfo() != null) {
          problems.add(
              key + " must not hold credentials: use " + key + "-username and its password");
          return null;
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
            || uri.getHost() == null
            || uri.getPort() < 0) {
          problems.add(key + " must be http(s)://host:port, not " + shown);
          return null;
        }
        return uri;
      } catch (IllegalArgumentException e) {
        problems.add(key + " must be http(s)://host:port, not " + shown);
        return null;
      }
    }

    Path path(String key) {
      String v = string(key, null);
      return v == null ? null : Path.of(v);
    }

    /**
     * The credentials and CA of server {@code name}: {@code name-username} with {@code
     * name-password-file} or the variable, {@code name-bearer-token-file} or its variable where
     * {@code bearer} is allowed, {@code name-ca-file}.
     */
    HttpAuth auth(String name, URI uri, boolean bearer, Map<String, String> env) {
      String username = string(name + "-username", null);
      SecretSource password = secret(name + "-password");
      SecretSource token = bearer ? secret(name + "-bearer-token") : null;
      HttpAuth auth = new HttpAuth(username, password, token, path(name + "-ca-file"));
      if (auth.equals(HttpAuth.NONE)) {
        return auth;
      }
      if (uri == null) {
        problems.add(name + "-* credentials or CA given, but no " + name + " address");
        return HttpAuth.NONE;
      }
      problems.addAll(auth.problems(name, uri, env));
      return auth;
    }

    /** From {@code key-file}, or from the variable of {@code key}; both is a problem. */
    private SecretSource secret(String key) {
      Path file = path(key + "-file");
      known.add(key);
      boolean inVariable = values.get(key) != null && !values.get(key).isBlank();
      String variable = ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
      if (file != null && inVariable) {
        problems.add(key + "-file and " + variable + " are both set: give one");
      }
      if (file != null) {
        return SecretSource.file(file);
      }
      return inVariable ? SecretSource.variable(variable) : null;
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
