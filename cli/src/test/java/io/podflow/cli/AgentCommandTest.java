package io.podflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentCommandTest {
  @TempDir Path dir;

  @Test
  void aBadConfigurationStopsTheAgentWithEveryProblemNamed() throws Exception {
    Path file = dir.resolve("agent.yaml");
    Files.writeString(file, "kafka:\n  bootstrapServers: kafka:9092\ncapture:\n  snaplen: 20\n");
    CommandRun run = CommandRun.of("agent", "--config", file.toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .contains("cluster: required")
        .contains("capture.snaplen: must be between 64 and 262144, not 20");
  }
}
