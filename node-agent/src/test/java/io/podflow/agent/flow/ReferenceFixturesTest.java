package io.podflow.agent.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podflow.agent.testing.ReferenceCaptures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed fixtures are what the repository's generator writes, and their tables what tshark
 * says of them today: a change to the generator, or a hand-edited table, cannot leave the reference
 * test comparing against stale expectations. Needs python3 and tshark (scripts/install-deps).
 */
class ReferenceFixturesTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void generatorAndTsharkReproduceTheCommittedCapturesAndTables(@TempDir Path fresh)
      throws Exception {
    ReferenceCaptures committed = ReferenceCaptures.bundled();
    // The committed files in the source tree, not their copies under target/.
    Path sources = ROOT.resolve("node-agent/src/test/resources/captures");

    run("scripts/gen-captures", "fixtures", fresh.toString());
    run("scripts/capture-tables", fresh.toString());

    List<String> names = committed.names();
    try (Stream<Path> files = Files.list(fresh)) {
      assertThat(files.filter(f -> f.toString().endsWith(".flows.json")).count())
          .as("fixtures the generator writes")
          .isEqualTo(names.size());
    }
    for (String name : names) {
      Path capture = committed.capture(name).getFileName();
      assertThat(Files.readAllBytes(fresh.resolve(capture)))
          .as(capture + " as scripts/gen-captures writes it")
          .isEqualTo(Files.readAllBytes(sources.resolve(capture)));
      JsonNode theirs = MAPPER.readTree(sources.resolve(name + ".flows.json").toFile());
      JsonNode today = MAPPER.readTree(fresh.resolve(name + ".flows.json").toFile());
      assertThat(withoutVersion(today))
          .as(
              "%s.flows.json as scripts/capture-tables makes it now (%s; committed with %s)",
              name, today.get("tshark").asText(), theirs.get("tshark").asText())
          .isEqualTo(withoutVersion(theirs));
    }
  }

  /** The table without the tshark version line, which names the Debian build. */
  private static JsonNode withoutVersion(JsonNode table) {
    ObjectNode copy = table.deepCopy();
    copy.remove("tshark");
    return copy;
  }

  private static void run(String script, String... args) throws IOException, InterruptedException {
    List<String> command =
        Stream.concat(Stream.of("python3", ROOT.resolve(script).toString()), Stream.of(args))
            .toList();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as(script + " finished").isTrue();
    assertThat(process.exitValue()).as(script + " failed:\n" + output).isZero();
  }
}
