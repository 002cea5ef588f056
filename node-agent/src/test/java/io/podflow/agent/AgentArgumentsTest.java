package io.podflow.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentArgumentsTest {
  @Test
  void configTakesItsFileAsTheNextArgumentOrAfterAnEqualsSign() throws Exception {
    assertThat(AgentArguments.parse(List.of("--config", "/etc/podflow/agent.yaml")))
        .isEqualTo(new AgentArguments(Path.of("/etc/podflow/agent.yaml"), false, false));
    assertThat(AgentArguments.parse(List.of("--check", "--config=a.yaml")))
        .isEqualTo(new AgentArguments(Path.of("a.yaml"), true, false));
  }

  @Test
  void helpWinsOverEverythingElse() throws Exception {
    assertThat(AgentArguments.parse(List.of("--bogus", "-h")).help()).isTrue();
    assertThat(AgentArguments.parse(List.of("--check", "-h")).help()).isTrue();
    assertThat(AgentArguments.parse(List.of("--help")).help()).isTrue();
  }

  @Test
  void unknownArgumentsAndAMissingFileAreRefusedByName() {
    assertThatThrownBy(() -> AgentArguments.parse(List.of("--config", "a", "agent")))
        .hasMessage("unknown argument 'agent'");
    assertThatThrownBy(() -> AgentArguments.parse(List.of("--config")))
        .hasMessage("--config needs a file");
    assertThatThrownBy(() -> AgentArguments.parse(List.of())).hasMessage("--config is required");
  }
}
