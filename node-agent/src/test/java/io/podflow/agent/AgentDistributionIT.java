package io.podflow.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's distribution as {@code mvn package} builds it (target/agent-dist, what the agent
 * image carries): only what a node runs, and it runs on its own.
 */
class AgentDistributionIT {
  /** Jars a node must never run: other components' servers, test code, other log bindings. */
  private static final Pattern FORBIDDEN =
      Pattern.compile(
          "flink-.*|kafka_2\\.13-.*|kafka-server-.*|opensearch.*|kubernetes-server-mock-.*"
              + "|mockwebserver-.*|podflow-(stack-servers|local-stack)-.*|.*-tests\\.jar"
              + "|junit-.*|assertj-.*|jqwik-.*|log4j-.*|slf4j-simple-.*|logback-.*");

  private static final Path DIST =
      Path.of(System.getProperty("podflow.agentDist", "target/agent-dist"));

  @TempDir Path dir;

  @Test
  void libHoldsNoFlinkBrokerSearchMockServerTestJarOrOtherLogBinding() throws IOException {
    List<String> jars = jars();
    assertThat(jars).isNotEmpty().allMatch(j -> j.endsWith(".jar"));
    assertThat(jars).filteredOn(j -> FORBIDDEN.matcher(j).matches()).isEmpty();
    assertThat(jars)
        .anyMatch(j -> j.startsWith("podflow-node-agent-"))
        .anyMatch(j -> j.startsWith("kafka-clients-"))
        .anyMatch(j -> j.startsWith("pcap4j-core-"));
    long bytes = 0;
    for (String jar : jars) {
      bytes += Files.size(DIST.resolve("lib").resolve(jar));
    }
    // The figure docs/BENCHMARKS.md quotes (the cli's classpath, which ran the agent before: 138
    // jars, 146 MB).
    System.out.printf(
        "agent distribution: %d jars, %.1f MB (%s)%n", jars.size(), bytes / 1e6, DIST);
  }

  @Test
  void theBanRecognisesEachKindOfForbiddenJarAndLetsTheAgentsOwnThrough() {
    assertThat(
            List.of(
                "flink-core-2.2.1.jar",
                "kafka_2.13-4.2.0.jar",
                "kafka-server-4.2.0.jar",
                "opensearch-java-3.2.0.jar",
                "kubernetes-server-mock-8.0.0.jar",
                "mockwebserver-8.0.0.jar",
                "podflow-local-stack-0.1.0-SNAPSHOT.jar",
                "podflow-node-agent-0.1.0-SNAPSHOT-tests.jar",
                "junit-jupiter-api-5.13.4.jar",
                "log4j-core-2.26.1.jar",
                "slf4j-simple-2.0.20.jar"))
        .allMatch(j -> FORBIDDEN.matcher(j).matches());
    assertThat(
            List.of(
                "kafka-clients-4.2.0.jar",
                "kubernetes-client-8.0.0.jar",
                "slf4j-api-2.0.20.jar",
                "podflow-node-agent-0.1.0-SNAPSHOT.jar"))
        .noneMatch(j -> FORBIDDEN.matcher(j).matches());
  }

  @Test
  void theAgentJarCarriesItsJniLibrary() throws IOException {
    String agentJar =
        jars().stream().filter(j -> j.startsWith("podflow-node-agent-")).findFirst().orElseThrow();
    try (JarFile jar = new JarFile(DIST.resolve("lib").resolve(agentJar).toFile())) {
      String arch = System.getProperty("os.arch");
      assertThat(
              jar.getEntry(
                  "io/podflow/agent/capture/libpcap/native/linux-" + arch + "/libpodflow_pcap.so"))
          .isNotNull();
    }
  }

  @Test
  void theLauncherPrintsHelpAndChecksAConfigurationFromTheDistributionAlone() throws Exception {
    Run help = launch("--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).startsWith("Usage: podflow-agent --config FILE [--check]");

    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, "cluster: lab\nkafka:\n  bootstrapServers: 127.0.0.1:9092\n");
    Run check = launch("--config", config.toString(), "--check");
    assertThat(check.err()).isEmpty();
    assertThat(check.exit()).isZero();
    assertThat(check.out()).contains("is valid").contains("podflow.flows.v1");

    Run bad = launch("--config", dir.resolve("missing.yaml").toString());
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("cannot read");
  }

  private record Run(int exit, String out, String err) {}

  private Run launch(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(DIST.resolve("bin/podflow-agent").toString()));
    command.addAll(List.of(args));
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    // Only the distribution: no classpath from this JVM leaks in.
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().remove("CLASSPATH");
    builder
        .environment()
        .put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process p = builder.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exited within 60 s").isTrue();
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static List<String> jars() throws IOException {
    try (Stream<Path> files = Files.list(DIST.resolve("lib"))) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }
}
