package io.podflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ReplayCommandTest {
  private static final Path PCAPS =
      Path.of(System.getProperty("podflow.pcaps", "../../shared/pcaps"));

  @Test
  void writesOneJsonRecordPerFlowAndASummary() throws Exception {
    CommandRun run = replay(PCAPS.resolve("pcpp_one_http_stream_fin.pcap").toString());

    assertThat(run.exit()).isZero();
    String[] lines = run.out().strip().split("\n");
    assertThat(lines).hasSize(1);
    JsonNode flow = new ObjectMapper().readTree(lines[0]);
    assertThat(flow.at("/network/transport").asText()).isEqualTo("tcp");
    assertThat(flow.at("/source/ip").asText()).isEqualTo("192.168.1.2");
    assertThat(flow.at("/destination/port").asInt()).isEqualTo(80);
    assertThat(flow.at("/source/packets").asLong() + flow.at("/destination/packets").asLong())
        .isEqualTo(15);
    assertThat(flow.at("/flow/tcp/state").asText()).isEqualTo("closed_fin");
    assertThat(run.err()).contains("15 frames: 15 IP, 0 not IP, 0 malformed; 1 flow records");
  }

  @Test
  void splitsIntoMoreRecordsWithShorterTimeoutsAndRejectsNonsense() throws Exception {
    String file = PCAPS.resolve("pcpp_DnsPackets.pcap").toString();

    CommandRun longTimeouts =
        replay(file, "--idle-timeout", "100000", "--active-timeout", "100000");
    CommandRun bad = replay(file, "--idle-timeout", "-1");

    assertThat(longTimeouts.out().strip().split("\n")).hasSize(219); // tshark's flow count
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains("--idle-timeout must be a positive number of seconds");
  }

  private static CommandRun replay(String... args) {
    String[] full = new String[args.length + 1];
    full[0] = "replay";
    System.arraycopy(args, 0, full, 1, args.length);
    return CommandRun.of(full);
  }
}
