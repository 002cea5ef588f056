package io.podflow.agent.flow;

import static io.podflow.agent.testing.Frames.ACK;
import static io.podflow.agent.testing.Frames.FIN;
import static io.podflow.agent.testing.Frames.PSH;
import static io.podflow.agent.testing.Frames.RST;
import static io.podflow.agent.testing.Frames.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.agent.testing.Frames;
import io.podflow.agent.testing.RecordingTable;
import io.podflow.schema.flow.v1.EndReason;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.InitiatorRule;
import io.podflow.schema.flow.v1.Outcome;
import io.podflow.schema.flow.v1.TcpState;
import io.podflow.schema.json.IpText;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowTableTest {
  private static final FlowTableConfig DEFAULTS = FlowTableConfig.defaults();

  @Test
  void splitsALongFlowIntoOneRecordPerActiveInterval() {
    RecordingTable t = new RecordingTable(DEFAULTS);
    for (int second = 0; second < 25; second++) {
      t.at(1000 + second, Frames.udp("10.0.0.1", 5000, "10.0.0.2", 53, 10));
    }
    List<FlowRecord> records = t.flush();

    assertThat(records).extracting(FlowRecord::getIntervalIndex).containsExactly(0, 1, 2);
    assertThat(records)
        .extracting(FlowRecord::getEndReason)
        .containsExactly(
            EndReason.END_REASON_ACTIVE_TIMEOUT,
            EndReason.END_REASON_ACTIVE_TIMEOUT,
            EndReason.END_REASON_FLUSH);
    assertThat(records.stream().mapToLong(r -> r.getSourceToDestination().getPackets()).sum())
        .isEqualTo(25);
    assertThat(records)
        .allSatisfy(r -> assertThat(r.getFlowStartNs()).isEqualTo(1000_000_000_000L));
    assertThat(records.get(1).getTimeStartNs()).isGreaterThan(records.get(0).getTimeEndNs());
    assertThat(records)
        .allSatisfy(
            r -> assertThat(r.getTimeEndNs() - r.getTimeStartNs()).isLessThan(10_000_000_000L));
  }

  @Test
  void exportsAFlowOnceItHasBeenIdleForTheIdleTimeout() {
    RecordingTable t =
        new RecordingTable(DEFAULTS.withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(15)));
    t.at(100, Frames.udp("10.0.0.1", 5000, "10.0.0.2", 53, 10));
    t.at(114, Frames.udp("10.0.0.3", 5000, "10.0.0.4", 53, 10));
    assertThat(t.records).isEmpty();

    t.at(116, Frames.udp("10.0.0.3", 5000, "10.0.0.4", 53, 10));

    assertThat(t.records)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(ip(r.getSource().getIp().toByteArray())).isEqualTo("10.0.0.1");
              assertThat(r.getEndReason()).isEqualTo(EndReason.END_REASON_IDLE_TIMEOUT);
            });
  }

  @Test
  void exportsATcpFlowAFewSecondsAfterItsFin() {
    RecordingTable t = new RecordingTable(DEFAULTS);
    handshake(t, 10);
    t.at(10.5, Frames.tcp("10.0.0.1", 40000, "10.0.0.2", 80, FIN | ACK));
    t.at(10.6, Frames.tcp("10.0.0.2", 80, "10.0.0.1", 40000, FIN | ACK));
    t.at(13, Frames.udp("10.9.9.9", 1, "10.9.9.8", 2, 0));

    assertThat(t.records)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getEndReason()).isEqualTo(EndReason.END_REASON_FIN);
              assertThat(r.getTcp().getState()).isEqualTo(TcpState.TCP_STATE_CLOSED_FIN);
              assertThat(r.getOutcome()).isEqualTo(Outcome.OUTCOME_ESTABLISHED);
            });
  }

  @Test
  void aRefusedConnectionEndsWithReasonRstAndOutcomeReset() {
    RecordingTable t = new RecordingTable(DEFAULTS);
    t.at(10, Frames.tcp("10.0.0.1", 40000, "10.0.0.2", 81, SYN));
    t.at(10.001, Frames.tcp("10.0.0.2", 81, "10.0.0.1", 40000, RST | ACK));
    t.at(13, Frames.udp("10.9.9.9", 1, "10.9.9.8", 2, 0));

    assertThat(t.records)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getEndReason()).isEqualTo(EndReason.END_REASON_RST);
              assertThat(r.getTcp().getState()).isEqualTo(TcpState.TCP_STATE_RESET);
              assertThat(r.getOutcome()).isEqualTo(Outcome.OUTCOME_RESET);
              assertThat(r.getDestination().getPort()).isEqualTo(81);
            });
  }

  @Test
  void aSynWithoutAnswerIsOpeningWithNoResponse() {
    RecordingTable t = new RecordingTable(DEFAULTS);
    t.at(10, Frames.tcp("10.0.0.1", 40000, "10.0.0.2", 80, SYN));
    t.at(11, Frames.tcp("10.0.0.1", 40000, "10.0.0.2", 80, SYN));

    FlowRecord r = t.flush().get(0);

    assertThat(r.getTcp().getState()).isEqualTo(TcpState.TCP_STATE_OPENING);
    assertThat(r.getOutcome()).isEqualTo(Outcome.OUTCOME_NO_RESPONSE);
    assertThat(r.getTcp().hasHandshakeRttNs()).isFalse();
  }

  @Test
  void theHandshakeNamesTheInitiatorAndGivesTheRoundTripTime() {
    RecordingTable t = new RecordingTable(DEFAULTS);
    // The server's address sorts first, so the canonical A side is the responder.
    t.at(10, Frames.tcp("10.0.0.9", 40000, "10.0.0.2", 80, SYN));
    t.at(10.000250, Frames.tcp("10.0.0.2", 80, "10.0.0.9", 40000, SYN | ACK));
    t.at(10.000300, Frames.tcp("10.0.0.9", 40000, "10.0.0.2", 80, ACK));

    FlowRecord r = t.flush().get(0);

    assertThat(ip(r.getSource().getIp().toByteArray())).isEqualTo("10.0.0.9");
    assertThat(r.getInitiatorRule()).isEqualTo(InitiatorRule.INITIATOR_RULE_HANDSHAKE);
    assertThat(r.getTcp().getHandshakeRttNs()).isBetween(249_000L, 251_000L);
    assertThat(r.getSourceToDestination().getPackets()).isEqualTo(2);
    assertThat(r.getDestinationToSource().getPackets()).isEqualTo(1);
  }

  @Test
  void aSynAckWithoutItsSynStillNamesTheClient() {
    RecordingTable t = new RecordingTable(DEFAULTS);
    t.at(10, Frames.tcp("10.0.0.2", 80, "10.0.0.9", 40000, SYN | ACK));
    t.at(10.1, Frames.tcp("10.0.0.9", 40000, "10.0.0.2", 80, ACK));

    FlowRecord r = t.flush().get(0);

    assertThat(ip(r.getSource().getIp().toByteArray())).isEqualTo("10.0.0.9");
    assertThat(r.getInitiatorRule()).isEqualTo(InitiatorRule.INITIATOR_RULE_HANDSHAKE);
  }

  @Test
  void aTcpFlowPickedUpMidStreamTakesTheLowerPortAsTheService() {
    RecordingTable t = new RecordingTable(DEFAULTS);
    t.at(10, Frames.tcp("10.0.0.2", 443, "10.0.0.9", 51000, PSH | ACK, 100));
    t.at(10.1, Frames.tcp("10.0.0.9", 51000, "10.0.0.2", 443, ACK));

    FlowRecord r = t.flush().get(0);

    assertThat(r.getInitiatorRule()).isEqualTo(InitiatorRule.INITIATOR_RULE_PORT_HEURISTIC);
    assertThat(r.getDestination().getPort()).isEqualTo(443);
    assertThat(r.getTcp().getState()).isEqualTo(TcpState.TCP_STATE_ESTABLISHED);
  }

  @Test
  void udpTakesTheFirstPacketsSenderAsTheInitiator() {
    RecordingTable t = new RecordingTable(DEFAULTS);
    t.at(10, Frames.udp("10.0.0.9", 53, "10.0.0.2", 33000, 40));

    FlowRecord r = t.flush().get(0);

    assertThat(r.getInitiatorRule()).isEqualTo(InitiatorRule.INITIATOR_RULE_FIRST_PACKET);
    assertThat(r.getSource().getPort()).isEqualTo(53);
    assertThat(r.getOutcome()).isEqualTo(Outcome.OUTCOME_NO_RESPONSE);
  }

  @Test
  void pingRequestAndReplyAreOneFlowStartedByTheRequestsSender() {
    RecordingTable t = new RecordingTable(DEFAULTS);
    // The reply is seen first (capture started mid-ping).
    t.at(10, Frames.echo("10.0.0.2", "10.0.0.9", true, 7));
    t.at(11, Frames.echo("10.0.0.9", "10.0.0.2", false, 7));
    t.at(11.001, Frames.echo("10.0.0.2", "10.0.0.9", true, 7));
    t.at(12, Frames.echo("10.0.0.9", "10.0.0.2", false, 8)); // another ping: another flow

    List<FlowRecord> records = t.flush();

    assertThat(records).hasSize(2);
    FlowRecord ping7 = records.stream().filter(r -> r.getIcmp().getEchoId() == 7).findFirst().get();
    assertThat(ip(ping7.getSource().getIp().toByteArray())).isEqualTo("10.0.0.9");
    assertThat(ping7.getIcmp().getType()).isEqualTo(8);
    assertThat(ping7.getSourceToDestination().getPackets()).isEqualTo(1);
    assertThat(ping7.getDestinationToSource().getPackets()).isEqualTo(2);
    assertThat(ping7.getOutcome()).isEqualTo(Outcome.OUTCOME_ESTABLISHED);
  }

  @Test
  void aFullTableExportsItsLeastRecentFlowsEarlyAndLosesNoPacket() {
    RecordingTable t = new RecordingTable(DEFAULTS.withMaxFlows(4));
    int sent = 0;
    for (int i = 0; i < 50; i++) {
      t.at(10 + i * 0.01, Frames.udp("10.0.0.1", 1000 + (i % 10), "10.0.0.2", 53, 0));
      sent++;
    }

    List<FlowRecord> records = t.flush();

    assertThat(t.table.evictedFlows()).isPositive();
    assertThat(records)
        .filteredOn(r -> r.getEndReason() == EndReason.END_REASON_CACHE_FULL)
        .hasSize((int) t.table.evictedFlows());
    assertThat(records.stream().mapToLong(r -> r.getSourceToDestination().getPackets()).sum())
        .isEqualTo(sent);
    assertThat(t.table.activeFlows()).isZero();
  }

  @Test
  void aSinglePacketFlowIsExportedAtTheActiveTimeoutWhenThatComesFirst() {
    RecordingTable t = new RecordingTable(DEFAULTS); // active 10 s, idle 15 s
    t.at(100, Frames.udp("10.0.0.1", 5000, "10.0.0.2", 53, 10));
    t.at(111, Frames.udp("10.0.0.3", 5000, "10.0.0.4", 53, 10));

    assertThat(t.records)
        .singleElement()
        .satisfies(
            r -> assertThat(r.getEndReason()).isEqualTo(EndReason.END_REASON_ACTIVE_TIMEOUT));
    // The emptied entry then idles out without a record of nothing.
    t.at(130, Frames.udp("10.0.0.3", 5000, "10.0.0.4", 53, 10));
    assertThat(t.records).hasSize(2);
  }

  @Test
  void theTableClockIsThePacketsTimeSoOfflineResultsDoNotDependOnReadSpeed() throws Exception {
    RecordingTable t =
        new RecordingTable(DEFAULTS.withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(5)));
    t.at(100, Frames.udp("10.0.0.1", 1, "10.0.0.2", 2, 0));
    Thread.sleep(50); // wall-clock time passing moves nothing
    t.at(99, Frames.udp("10.0.0.1", 1, "10.0.0.2", 2, 0)); // an older timestamp: clock stays
    t.at(104.5, Frames.udp("10.0.0.3", 1, "10.0.0.4", 2, 0));
    assertThat(t.records).isEmpty();

    t.at(105.5, Frames.udp("10.0.0.3", 1, "10.0.0.4", 2, 0));

    assertThat(t.records)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getTimeStartNs()).isEqualTo(99_000_000_000L);
              assertThat(r.getTimeEndNs()).isEqualTo(100_000_000_000L);
            });
  }

  private static void handshake(RecordingTable t, double at) {
    t.at(at, Frames.tcp("10.0.0.1", 40000, "10.0.0.2", 80, SYN));
    t.at(at + 0.001, Frames.tcp("10.0.0.2", 80, "10.0.0.1", 40000, SYN | ACK));
    t.at(at + 0.002, Frames.tcp("10.0.0.1", 40000, "10.0.0.2", 80, ACK));
  }

  private static String ip(byte[] address) {
    return IpText.format(address);
  }
}
