package io.podflow.agent.flow;

import static io.podflow.agent.flow.FlowStore.ACK_AFTER_HANDSHAKE;
import static io.podflow.agent.flow.FlowStore.FIN_FROM_A;
import static io.podflow.agent.flow.FlowStore.FIN_FROM_B;
import static io.podflow.agent.flow.FlowStore.FIRST_FROM_A;
import static io.podflow.agent.flow.FlowStore.FLAGS_SEEN_AB;
import static io.podflow.agent.flow.FlowStore.FLAGS_SEEN_BA;
import static io.podflow.agent.flow.FlowStore.REPLY_FROM_A;
import static io.podflow.agent.flow.FlowStore.REPLY_FROM_B;
import static io.podflow.agent.flow.FlowStore.REQUEST_FROM_A;
import static io.podflow.agent.flow.FlowStore.REQUEST_FROM_B;
import static io.podflow.agent.flow.FlowStore.RST;
import static io.podflow.agent.flow.FlowStore.SYNACK_FROM_A;
import static io.podflow.agent.flow.FlowStore.SYNACK_FROM_B;
import static io.podflow.agent.flow.FlowStore.SYN_FROM_A;
import static io.podflow.agent.flow.FlowStore.SYN_FROM_B;

import io.podflow.schema.flow.v1.InitiatorRule;
import io.podflow.schema.flow.v1.Outcome;
import io.podflow.schema.flow.v1.TcpState;

/**
 * One flow of the table, read while it is exported: its key in canonical order (A is the smaller
 * endpoint), its counters, and what they say (initiator, TCP state, outcome).
 */
public final class FlowView {
  private final FlowStore s;
  int id;

  FlowView(FlowStore store) {
    this.s = store;
  }

  public int ipVersion() {
    return (int) (s.meta[id] >>> 42);
  }

  public int protocol() {
    return (int) (s.meta[id] >>> 34) & 0xff;
  }

  public long aHi() {
    return s.aHi[id];
  }

  public long aLo() {
    return s.aLo[id];
  }

  public long bHi() {
    return s.bHi[id];
  }

  public long bLo() {
    return s.bLo[id];
  }

  /** A's port, or -1 when the flow has none. */
  public int aPort() {
    return (int) ((s.meta[id] >>> 17) & 0x1ffff) - 1;
  }

  public int bPort() {
    return (int) (s.meta[id] & 0x1ffff) - 1;
  }

  /** True for ICMP and ICMPv6 flows, which carry {@link #icmpType} and friends. */
  public boolean isIcmp() {
    return s.icmp[id] != 0;
  }

  /** ICMP type (replies folded onto their request type), or -1. */
  public int icmpType() {
    return (int) (s.icmp[id] >>> 26) - 1;
  }

  public int icmpCode() {
    return (int) ((s.icmp[id] >>> 17) & 0x1ff) - 1;
  }

  public int icmpId() {
    return (int) (s.icmp[id] & 0x1ffff) - 1;
  }

  public long packetsAtoB() {
    return s.packetsAb[id];
  }

  public long packetsBtoA() {
    return s.packetsBa[id];
  }

  public long bytesAtoB() {
    return s.bytesAb[id];
  }

  public long bytesBtoA() {
    return s.bytesBa[id];
  }

  /** OR of the TCP flag bytes from A, or -1 when no packet from A had flags. */
  public int tcpFlagsAtoB() {
    return (s.state[id] & FLAGS_SEEN_AB) != 0 ? s.flagsAb[id] : -1;
  }

  public int tcpFlagsBtoA() {
    return (s.state[id] & FLAGS_SEEN_BA) != 0 ? s.flagsBa[id] : -1;
  }

  /** Earliest packet of this record's interval, Unix nanoseconds. */
  public long firstTimestamp() {
    return s.firstTs[id];
  }

  public long lastTimestamp() {
    return s.lastTs[id];
  }

  public long flowStart() {
    return s.flowStart[id];
  }

  public int intervalIndex() {
    return s.interval[id];
  }

  /** SYN to SYN-ACK, when the handshake was seen; -1 otherwise. */
  public long handshakeRttNanos() {
    return s.rtt[id];
  }

  /** True when A initiated the connection (so A is the record's source). */
  public boolean initiatorIsA() {
    int st = s.state[id];
    return switch (initiatorRule()) {
      case INITIATOR_RULE_HANDSHAKE ->
          (st & SYN_FROM_A) != 0 || ((st & SYN_FROM_B) == 0 && (st & SYNACK_FROM_B) != 0);
      case INITIATOR_RULE_PORT_HEURISTIC -> aPort() > bPort();
      default -> {
        if ((st & (REQUEST_FROM_A | REQUEST_FROM_B)) != 0) {
          yield (st & REQUEST_FROM_A) != 0;
        }
        if ((st & (REPLY_FROM_A | REPLY_FROM_B)) != 0) {
          yield (st & REPLY_FROM_B) != 0;
        }
        yield (st & FIRST_FROM_A) != 0;
      }
    };
  }

  /**
   * How the initiator is known: the TCP handshake; else, for TCP picked up mid-stream, the service
   * port (the lower one) is taken as the responder's; else the first packet (for ICMP echo-style
   * messages, the request's sender).
   */
  public InitiatorRule initiatorRule() {
    int st = s.state[id];
    if (protocol() == 6) {
      if ((st & (SYN_FROM_A | SYN_FROM_B | SYNACK_FROM_A | SYNACK_FROM_B)) != 0) {
        return InitiatorRule.INITIATOR_RULE_HANDSHAKE;
      }
      if (aPort() >= 0 && bPort() >= 0 && aPort() != bPort()) {
        return InitiatorRule.INITIATOR_RULE_PORT_HEURISTIC;
      }
    }
    return InitiatorRule.INITIATOR_RULE_FIRST_PACKET;
  }

  /** The TCP state, or null for other protocols. */
  public TcpState tcpState() {
    if (protocol() != 6) {
      return null;
    }
    int st = s.state[id];
    if ((st & RST) != 0) {
      return TcpState.TCP_STATE_RESET;
    }
    if ((st & (FIN_FROM_A | FIN_FROM_B)) != 0) {
      return TcpState.TCP_STATE_CLOSED_FIN;
    }
    boolean handshake = (st & (SYN_FROM_A | SYN_FROM_B)) != 0;
    boolean answered = (st & (SYNACK_FROM_A | SYNACK_FROM_B)) != 0;
    if (handshake && !answered) {
      return TcpState.TCP_STATE_OPENING;
    }
    return TcpState.TCP_STATE_ESTABLISHED;
  }

  /** What the traffic says about the connection. */
  public Outcome outcome() {
    int st = s.state[id];
    boolean both = s.packetsAb[id] > 0 && s.packetsBa[id] > 0;
    if (protocol() == 6) {
      if ((st & RST) != 0 && (st & ACK_AFTER_HANDSHAKE) == 0) {
        return Outcome.OUTCOME_RESET;
      }
      if ((st & (SYNACK_FROM_A | SYNACK_FROM_B)) != 0 || both) {
        return Outcome.OUTCOME_ESTABLISHED;
      }
      return Outcome.OUTCOME_NO_RESPONSE;
    }
    if (both) {
      return Outcome.OUTCOME_ESTABLISHED;
    }
    return isIcmp() && (st & (REQUEST_FROM_A | REQUEST_FROM_B)) == 0
        ? Outcome.OUTCOME_UNKNOWN
        : Outcome.OUTCOME_NO_RESPONSE;
  }
}
