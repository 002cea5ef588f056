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

  private long r(int field) {
    return s.rec[FlowStore.base(id) + field];
  }

  public int ipVersion() {
    return (int) (r(FlowStore.META) >>> 42);
  }

  public int protocol() {
    return (int) (r(FlowStore.META) >>> 34) & 0xff;
  }

  public long aHi() {
    return r(FlowStore.A_HI);
  }

  public long aLo() {
    return r(FlowStore.A_LO);
  }

  public long bHi() {
    return r(FlowStore.B_HI);
  }

  public long bLo() {
    return r(FlowStore.B_LO);
  }

  /** A's port, or -1 when the flow has none. */
  public int aPort() {
    return (int) ((r(FlowStore.META) >>> 17) & 0x1ffff) - 1;
  }

  public int bPort() {
    return (int) (r(FlowStore.META) & 0x1ffff) - 1;
  }

  /** True for ICMP and ICMPv6 flows, which carry {@link #icmpType} and friends. */
  public boolean isIcmp() {
    return r(FlowStore.ICMP) != 0;
  }

  /** ICMP type (replies folded onto their request type), or -1. */
  public int icmpType() {
    return (int) (r(FlowStore.ICMP) >>> 26) - 1;
  }

  public int icmpCode() {
    return (int) ((r(FlowStore.ICMP) >>> 17) & 0x1ff) - 1;
  }

  public int icmpId() {
    return (int) (r(FlowStore.ICMP) & 0x1ffff) - 1;
  }

  public long packetsAtoB() {
    return r(FlowStore.PACKETS_AB);
  }

  public long packetsBtoA() {
    return r(FlowStore.PACKETS_BA);
  }

  public long bytesAtoB() {
    return r(FlowStore.BYTES_AB);
  }

  public long bytesBtoA() {
    return r(FlowStore.BYTES_BA);
  }

  /** OR of the TCP flag bytes from A, or -1 when no packet from A had flags. */
  public int tcpFlagsAtoB() {
    return (s.state(id) & FLAGS_SEEN_AB) != 0 ? s.flagsAb(id) : -1;
  }

  public int tcpFlagsBtoA() {
    return (s.state(id) & FLAGS_SEEN_BA) != 0 ? s.flagsBa(id) : -1;
  }

  /** Earliest packet of this record's interval, Unix nanoseconds. */
  public long firstTimestamp() {
    return r(FlowStore.FIRST_TS);
  }

  public long lastTimestamp() {
    return r(FlowStore.LAST_TS);
  }

  public long flowStart() {
    return r(FlowStore.FLOW_START);
  }

  public int intervalIndex() {
    return s.interval(id);
  }

  /** SYN to SYN-ACK, when the handshake was seen; -1 otherwise. */
  public long handshakeRttNanos() {
    return (s.state(id) & FlowStore.RTT_KNOWN) != 0 ? r(FlowStore.SYN_OR_RTT) : -1;
  }

  /** True when A initiated the connection (so A is the record's source). */
  public boolean initiatorIsA() {
    int st = s.state(id);
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
    int st = s.state(id);
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
    int st = s.state(id);
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
    int st = s.state(id);
    boolean both = r(FlowStore.PACKETS_AB) > 0 && r(FlowStore.PACKETS_BA) > 0;
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
