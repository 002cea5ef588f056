package io.podflow.schema.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Kafka client settings a user adds to podflow's own (TLS, SASL, config providers): the agent's
 * {@code kafka.properties}, the processor's and {@code podflow setup}'s {@code kafka-properties}
 * file. Its values may hold secrets ({@code sasl.jaas.config} with a password), so it never prints
 * them: {@link #toString} lists the keys only.
 *
 * <p>User settings cannot weaken what podflow's producers promise or take over what podflow sets
 * from its own keys: {@link #refusals} names each such key, and the components refuse to start.
 */
public final class KafkaClientProperties implements Serializable {
  private static final long serialVersionUID = 1L;

  /** No settings of the user's. */
  public static final KafkaClientProperties NONE = new KafkaClientProperties(Map.of());

  /** Set by podflow itself: a user's value would break how records are written or read. */
  private static final Set<String> PODFLOW_SETS =
      Set.of(
          "key.serializer",
          "value.serializer",
          "key.deserializer",
          "value.deserializer",
          "group.id",
          "transactional.id");

  private final TreeMap<String, String> values;

  private KafkaClientProperties(Map<String, String> values) {
    this.values = new TreeMap<>(values);
  }

  /** The settings as given (their acceptability is {@link #refusals}' business). */
  public static KafkaClientProperties of(Map<String, String> values) {
    return values.isEmpty() ? NONE : new KafkaClientProperties(values);
  }

  /**
   * Reads a Java properties file (UTF-8).
   *
   * @throws IllegalArgumentException naming the file when it cannot be read
   */
  public static KafkaClientProperties load(Path file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException | IllegalArgumentException e) {
      // The reason only, never a line of the file: it may hold a password.
      throw new IllegalArgumentException(
          "cannot read Kafka properties file " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    Map<String, String> values = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> values.put(k.trim(), p.getProperty(k).trim()));
    return of(values);
  }

  /**
   * Why these settings cannot be used, one line per refused key (empty when they can):
   *
   * <ul>
   *   <li>{@code acks} other than {@code all}, {@code enable.idempotence} other than {@code true},
   *       {@code max.in.flight.requests.per.connection} above 5: podflow's producers write each
   *       record once, in order, acknowledged by every in-sync replica;
   *   <li>keys podflow sets itself (serializers, {@code group.id}, {@code transactional.id});
   *   <li>keys the component has a setting of its own for ({@code ownKeys}: Kafka key to the
   *       component's key, e.g. {@code bootstrap.servers} to {@code kafka.bootstrapServers}).
   * </ul>
   *
   * @param where how the component names these settings, to prefix each key with (e.g. {@code
   *     kafka.properties.})
   */
  public List<String> refusals(String where, Map<String, String> ownKeys) {
    List<String> problems = new ArrayList<>();
    values.forEach(
        (key, value) -> {
          String named = where + key;
          if (ownKeys.containsKey(key)) {
            problems.add(named + " is set through " + ownKeys.get(key) + ", not here");
          } else if (PODFLOW_SETS.contains(key)) {
            problems.add(named + " is set by podflow itself and cannot be changed");
          } else if (key.equals("acks") && !value.equals("all") && !value.equals("-1")) {
            problems.add(
                named
                    + "="
                    + value
                    + " is refused: podflow's producers use acks=all (a record counts as written"
                    + " only once every in-sync replica has it); remove the key");
          } else if (key.equals("enable.idempotence") && !value.equalsIgnoreCase("true")) {
            problems.add(
                named
                    + "="
                    + value
                    + " is refused: podflow's producers are idempotent (a retried record is"
                    + " written once, in order); remove the key");
          } else if (key.equals("max.in.flight.requests.per.connection") && !upToFive(value)) {
            problems.add(
                named
                    + "="
                    + value
                    + " is refused: an idempotent producer keeps order with at most 5 requests in"
                    + " flight; remove the key or set 1 to 5");
          }
        });
    return problems;
  }

  private static boolean upToFive(String value) {
    try {
      int n = Integer.parseInt(value);
      return n >= 1 && n <= 5;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The settings, for a Kafka client's configuration (podflow's own settings go on top). */
  public Map<String, String> asMap() {
    return Collections.unmodifiableMap(values);
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  /**
   * An admin client's configuration: these settings, {@code bootstrapServers}, and timeouts short
   * enough for a check at start-up to answer within {@code timeoutMillis}.
   */
  public Properties adminConfig(String bootstrapServers, int timeoutMillis) {
    Properties p = new Properties();
    p.putAll(values);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(timeoutMillis));
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(timeoutMillis));
    return p;
  }

  /** The keys only: values may be secrets. */
  @Override
  public String toString() {
    return values.isEmpty() ? "{}" : values.keySet() + " (values not shown)";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KafkaClientProperties other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }
}
