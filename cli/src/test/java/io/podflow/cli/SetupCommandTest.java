package io.podflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.stack.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code podflow setup} as a person runs it, against a real Kafka broker on loopback. */
class SetupCommandTest {
  @TempDir Path dir;

  @Test
  void setupCreatesTheTopicsOnceAndSaysSo() {
    try (KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"), Duration.ofSeconds(90))) {
      CommandRun first =
          CommandRun.of(
              "setup", "--bootstrap-servers", kafka.bootstrapServers(), "--flows-partitions", "4");
      assertThat(first.exit()).as(first.err()).isZero();
      assertThat(first.out())
          .contains(
              "podflow.flows.v1: created (4 partitions, cleanup.policy=delete,"
                  + " retention.ms=86400000)")
          .contains("podflow.policies.v1: created (1 partitions, cleanup.policy=compact)")
          .contains("podflow.alerts.v1: created")
          .contains("podflow.deadletters.v1: created");

      CommandRun again =
          CommandRun.of(
              "setup", "--bootstrap-servers", kafka.bootstrapServers(), "--flows-partitions", "4");
      assertThat(again.exit()).isZero();
      assertThat(again.out().strip().lines())
          .hasSize(4)
          .allSatisfy(line -> assertThat(line).endsWith(": unchanged"));
    }
  }

  @Test
  void anUnreadablePropertiesFileIsNamedAndNothingIsAsked() {
    Path missing = dir.resolve("kafka.properties");
    CommandRun run =
        CommandRun.of(
            "setup",
            "--bootstrap-servers",
            "127.0.0.1:1",
            "--kafka-properties",
            missing.toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("podflow setup: cannot read Kafka properties file " + missing);
  }
}
