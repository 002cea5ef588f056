package io.podflow.e2e.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent image as CONTRACTS.md fixes it: the agent program is the entry point, and its own user
 * is 65532 (the DaemonSet alone makes it root, with NET_RAW only).
 */
class AgentImageIT {
  private static final String IMAGE = "podflow/agent:0.1.0";

  @TempDir Path dir;

  @Test
  void theEntryPointIsTheAgentProgramRunAsANonRootUserByDefault() throws Exception {
    Images.build("agent");
    assertThat(
            Images.podman(
                    "image",
                    "inspect",
                    "--format",
                    "{{.Config.User}} {{json .Config.Entrypoint}}",
                    IMAGE)
                .trim())
        .isEqualTo(
            "65532:65532 [\"java\",\"-cp\",\"/opt/podflow-agent/lib/*\",\"io.podflow.agent.AgentMain\"]");
    assertThat(
            Images.run(
                    Images.runCommand(List.of("--rm", "--entrypoint", "id"), IMAGE, List.of("-u")))
                .trim())
        .isEqualTo("65532");

    assertThat(Images.run(Images.runCommand(List.of("--rm"), IMAGE, List.of("--help"))))
        .startsWith("Usage: podflow-agent --config FILE [--check]");

    // A configuration mounted read-only, checked inside the image as its user.
    Path config = dir.resolve("config");
    Files.createDirectories(config);
    Files.writeString(
        config.resolve("agent.yaml"), "cluster: lab\nkafka:\n  bootstrapServers: kafka:9092\n");
    config.toFile().setReadable(true, false);
    config.toFile().setExecutable(true, false);
    config.resolve("agent.yaml").toFile().setReadable(true, false);
    dir.toFile().setExecutable(true, false);
    String check =
        Images.run(
            Images.runCommand(
                List.of("--rm", "--read-only", "--volume", config + ":/etc/podflow:ro"),
                IMAGE,
                List.of("--config", "/etc/podflow/agent.yaml", "--check")));
    assertThat(check).contains("/etc/podflow/agent.yaml is valid").contains("podflow.flows.v1");
  }
}
