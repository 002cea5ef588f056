package io.podflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The replay command over the repository's reference fixtures, checked against their tables. */
class ReplayCommandTest {
  /** The agent's reference fixtures (scripts/gen-captures) and their tshark tables. */
  private static final Path CAPTURES =
      Path.of(System.getProperty("podflow.root", ".."))
          .resolve("node-agent/src/test/resources/captures");

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void writesOneJsonRecordPerFlowAndASummary() throws Exception {
    JsonNode table = table("tcp-session");
    JsonNode reference = table.get("flows").get(0);
    long frames = table.at("/totals/packets").asLong();

    CommandRun run = replay(CAPTURES.resolve("tcp-session.pcap").toString());

    assertThat(run.exit()).isZero();
    String[] lines = run.out().strip().split("\n");
    assertThat(lines).hasSize(1);
    JsonNode flow = MAPPER.readTree(lines[0]);
    assertThat(flow.at("/network/transport").asText()).isEqualTo("tcp");
    assertThat(flow.at("/source/ip").asText()).isEqualTo(reference.at("/a/ip").asText());
    assertThat(flow.at("/destination/port").asInt()).isEqualTo(reference.at("/b/port").asInt());
    assertThat(flow.at("/source/packets").asLong() + flow.at("/destination/packets").asLong())
        .isEqualTo(frames);
    assertThat(flow.at("/flow/tcp/state").asText()).isEqualTo("closed_fin");
    assertThat(run.err())
        .contains(frames + " frames: " + frames + " IP, 0 not IP, 0 malformed; 1 flow records");
  }

  @Test
  void writesTsharksFlowCountWithLongTimeoutsAndRejectsNonsense() throws Exception {
    String file = CAPTURES.resolve("mixed-traffic.pcap").toString();
    int tsharkFlows = table("mixed-traffic").at("/totals/flows").asInt();

    CommandRun longTimeouts =
        replay(file, "--idle-timeout", "100000", "--active-timeout", "100000");
    CommandRun bad = replay(file, "--idle-timeout", "-1");

    assertThat(longTimeouts.out().strip().split("\n")).hasSize(tsharkFlows);
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains("--idle-timeout must be a positive number of seconds");
  }

  @Test
  void refusesMoreFlowsThanATablesArraysCanHold() {
    String file = CAPTURES.resolve("mixed-traffic.pcap").toString();

    CommandRun tooMany = replay(file, "--max-flows", "67108864");

    assertThat(tooMany.exit()).isEqualTo(1);
    assertThat(tooMany.err()).contains("--max-flows must be between 1 and 33554432, not 67108864");
  }

  private static JsonNode table(String name) throws IOException {
    return MAPPER.readTree(CAPTURES.resolve(name + ".flows.json").toFile());
  }

  private static CommandRun replay(String... args) {
    String[] full = new String[args.length + 1];
    full[0] = "replay";
    System.arraycopy(args, 0, full, 1, args.length);
    return CommandRun.of(full);
  }
}
