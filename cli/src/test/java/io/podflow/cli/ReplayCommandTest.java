package io.podflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay command over the repository's reference fixtures, checked against their tables. */
class ReplayCommandTest {
  /** The agent's reference fixtures (scripts/gen-captures) and their tshark tables. */
  private static final Path CAPTURES =
      Path.of(System.getProperty("podflow.root", ".."))
          .resolve("node-agent/src/test/resources/captures");

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

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

  @Test
  void refusesAHundredMillionFlowsWithTheRangeNotAnIndexError() {
    String file = CAPTURES.resolve("mixed-traffic.pcap").toString();

    CommandRun tooMany = replay(file, "--max-flows", "100000000");

    assertThat(tooMany.exit()).isEqualTo(1);
    assertThat(tooMany.err())
        .contains("--max-flows must be between 1 and 33554432, not 100000000")
        .doesNotContain("Index");
  }

  @Test
  void aRecordLengthOf0x7fffffffFailsNamingTheFileAndOffsetAfterTheWholeRecords()
      throws IOException {
    byte[] bytes = Files.readAllBytes(CAPTURES.resolve("tcp-session.pcap"));
    int fourth = recordOffset(bytes, 3);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(fourth + 8, 0x7fffffff);
    Path file = dir.resolve("huge-record.pcap");
    Files.write(file, bytes);

    CommandRun run = replay(file.toString());

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err())
        .contains("podflow replay: " + file + " is damaged at byte " + fourth)
        .contains("record 4 claims 2147483647 captured bytes");
  }

  @Test
  void aFileEndingInsideARecordExitsThreeAndSaysWhere() throws IOException {
    byte[] bytes = Files.readAllBytes(CAPTURES.resolve("tcp-session.pcap"));
    int fifth = recordOffset(bytes, 4);
    Path file = dir.resolve("cut.pcap");
    Files.write(file, Arrays.copyOf(bytes, fifth + 20));

    CommandRun run = replay(file.toString());

    assertThat(run.exit()).isEqualTo(ReplayCommand.CUT_SHORT).isEqualTo(3);
    assertThat(run.err())
        .contains("cut short: the file ends inside the record at byte " + fifth)
        .contains(": 4 frames:");
  }

  /** Offset of record {@code index} of a little-endian pcap file. */
  private static int recordOffset(byte[] pcap, int index) {
    ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.getInt(0)).isEqualTo(0xa1b2c3d4);
    int offset = 24;
    for (int i = 0; i < index; i++) {
      offset += 16 + b.getInt(offset + 8);
    }
    return offset;
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
