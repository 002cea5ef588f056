package io.podflow.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @TempDir Path dir;

  private int run(Map<String, String> environment, String... args) throws Exception {
    return AgentMain.run(
        List.of(args),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        environment);
  }

  @Test
  void helpPrintsTheUsageOnStandardOutputAndSucceeds() throws Exception {
    assertThat(run(Map.of(), "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("Usage: podflow-agent --config FILE [--check]")
        .contains("--check");
    assertThat(err.size()).isZero();
  }

  @Test
  void aCommandLineWithoutConfigurationIsAUsageErrorWithTheUsage() throws Exception {
    assertThat(run(Map.of(), "--check")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("podflow-agent: --config is required")
        .contains("Usage: podflow-agent");
  }

  @Test
  void checkPrintsTheResolvedConfigurationWithEnvironmentOverridesAndExits() throws Exception {
    Path file = dir.resolve("agent.yaml");
    Files.writeString(file, "cluster: lab\nkafka:\n  bootstrapServers: kafka:9092\n");
    int exit =
        run(
            Map.of("PODFLOW_KAFKA_BOOTSTRAPSERVERS", "127.0.0.1:19092"),
            "--config",
            file.toString(),
            "--check");
    assertThat(exit).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains(file + " is valid")
        .contains("127.0.0.1:19092")
        .doesNotContain("kafka:9092");
  }

  @Test
  void aBadConfigurationExitsWithEveryProblemNamed() throws Exception {
    Path file = dir.resolve("agent.yaml");
    Files.writeString(file, "kafka:\n  bootstrapServers: kafka:9092\ncapture:\n  snaplen: 20\n");
    assertThat(run(Map.of(), "--config=" + file, "--check")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("cluster: required")
        .contains("capture.snaplen: must be between 64 and 262144, not 20");
  }
}
