package io.podflow.cli;

import io.podflow.schema.kafka.KafkaClientProperties;
import io.podflow.schema.kafka.PodflowTopic;
import io.podflow.schema.kafka.TopicSetup;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code podflow setup}: podflow's Kafka topics, created with their settings. */
@Command(
    name = "setup",
    mixinStandardHelpOptions = true,
    // The first element is the summary line of the top-level help, which wraps long lines at
    // periods too: it names no topic, as "podflow.alerts.v1" would be cut in two there.
    description = {
      "Create podflow's Kafka topics with their partitions, retention and compaction.",
      "The topics: podflow.flows.v1 (retention 24 h), podflow.policies.v1 (compacted),"
          + " podflow.alerts.v1 and podflow.deadletters.v1 (retention 7 days).",
      "Running it again changes nothing. An existing topic with other partitions or retention is"
          + " reported and left as it is; a policies topic that is not compacted is an error"
          + " (agent and processor refuse to run with it) unless --fix makes it compacted."
    })
final class SetupCommand implements Callable<Integer> {
  @Option(
      names = "--bootstrap-servers",
      required = true,
      description = "Kafka's bootstrap servers, host:port[,host:port...].")
  String bootstrapServers;

  @Option(
      names = "--kafka-properties",
      description =
          "A Java properties file of Kafka client settings (security.protocol, sasl.*, ssl.*,"
              + " config.providers): the flow processor's file works here.")
  Path kafkaProperties;

  @Option(names = "--flows-partitions", description = "Partitions of the flows topic. Default: 12.")
  Integer flowsPartitions;

  @Option(
      names = "--policies-partitions",
      description = "Partitions of the policies topic. Default: 1.")
  Integer policiesPartitions;

  @Option(
      names = "--alerts-partitions",
      description = "Partitions of the alerts topic. Default: 3.")
  Integer alertsPartitions;

  @Option(
      names = "--dead-letters-partitions",
      description = "Partitions of the dead-letter topic. Default: 3.")
  Integer deadLettersPartitions;

  @Option(
      names = "--replication-factor",
      description = "Replicas of every topic. Default: the broker's default.replication.factor.")
  Short replicationFactor;

  @Option(
      names = "--fix",
      description = "Make an existing policies topic that is not compacted compacted.")
  boolean fix;

  @Override
  public Integer call() {
    Map<PodflowTopic, Integer> partitions = new EnumMap<>(PodflowTopic.class);
    put(partitions, PodflowTopic.FLOWS, flowsPartitions);
    put(partitions, PodflowTopic.POLICIES, policiesPartitions);
    put(partitions, PodflowTopic.ALERTS, alertsPartitions);
    put(partitions, PodflowTopic.DEAD_LETTERS, deadLettersPartitions);
    TopicSetup.Plan plan =
        new TopicSetup.Plan(partitions, Optional.ofNullable(replicationFactor), fix);
    KafkaClientProperties client =
        kafkaProperties == null
            ? KafkaClientProperties.NONE
            : KafkaClientProperties.load(kafkaProperties);
    List<TopicSetup.Outcome> outcomes = TopicSetup.apply(bootstrapServers, client, plan);
    outcomes.forEach(o -> (o.failed() ? System.err : System.out).println(o));
    return outcomes.stream().anyMatch(TopicSetup.Outcome::failed) ? 1 : 0;
  }

  private static void put(Map<PodflowTopic, Integer> partitions, PodflowTopic t, Integer n) {
    if (n != null) {
      partitions.put(t, n);
    }
  }
}
