package io.podflow.agent.flow;

import com.google.protobuf.ByteString;
import io.podflow.schema.flow.v1.CaptureDirection;
import io.podflow.schema.flow.v1.DirectionCounters;
import io.podflow.schema.flow.v1.EndReason;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Icmp;
import io.podflow.schema.flow.v1.ObservationPoint;
import io.podflow.schema.flow.v1.SchemaVersion;
import io.podflow.schema.flow.v1.Tcp;
import io.podflow.schema.flow.v1.TcpState;

/**
 * Turns an exported flow into a {@link FlowRecord}, oriented so that the source is the initiator.
 * Runs once per exported record, not per packet.
 */
public final class FlowRecordBuilder {
  private final String cluster;
  private final ObservationPoint observer;

  public FlowRecordBuilder(String cluster, String node, String captureInterface, String agent) {
    this.cluster = cluster;
    this.observer =
        ObservationPoint.newBuilder()
            .setNode(node)
            .setInterface(captureInterface)
            .setAgent(agent)
            .setCaptureDirection(CaptureDirection.CAPTURE_DIRECTION_BOTH)
            .build();
  }

  public FlowRecord build(FlowView f, EndReason reason) {
    return builder(f, reason).build();
  }

  /** The record, still open for what the agent adds (losses, enrichment). */
  public FlowRecord.Builder builder(FlowView f, EndReason reason) {
    boolean aIsSource = f.initiatorIsA();
    int version = f.ipVersion();
    Endpoint a = endpoint(version, f.aHi(), f.aLo(), f.aPort());
    Endpoint b = endpoint(version, f.bHi(), f.bLo(), f.bPort());
    DirectionCounters ab = counters(f.packetsAtoB(), f.bytesAtoB(), f.tcpFlagsAtoB());
    DirectionCounters ba = counters(f.packetsBtoA(), f.bytesBtoA(), f.tcpFlagsBtoA());
    FlowRecord.Builder record =
        FlowRecord.newBuilder()
            .setSchemaVersion(SchemaVersion.SCHEMA_VERSION_1_VALUE)
            .setCluster(cluster)
            .setObserver(observer)
            .setTimeStartNs(f.firstTimestamp())
            .setTimeEndNs(f.lastTimestamp())
            .setFlowStartNs(f.flowStart())
            .setIntervalIndex(f.intervalIndex())
            .setEndReason(reason)
            .setProtocol(f.protocol())
            .setIpVersion(version)
            .setInitiatorRule(f.initiatorRule())
            .setSource(aIsSource ? a : b)
            .setDestination(aIsSource ? b : a)
            .setSourceToDestination(aIsSource ? ab : ba)
            .setDestinationToSource(aIsSource ? ba : ab)
            .setOutcome(f.outcome())
            .setSamplingRate(1);
    if (f.isIcmp()) {
      Icmp.Builder icmp = Icmp.newBuilder();
      if (f.icmpType() >= 0) {
        icmp.setType(f.icmpType());
      }
      if (f.icmpCode() >= 0) {
        icmp.setCode(f.icmpCode());
      }
      if (f.icmpId() >= 0) {
        icmp.setEchoId(f.icmpId());
      }
      record.setIcmp(icmp);
    }
    TcpState state = f.tcpState();
    if (state != null) {
      Tcp.Builder tcp = Tcp.newBuilder().setState(state);
      if (f.handshakeRttNanos() >= 0) {
        tcp.setHandshakeRttNs(f.handshakeRttNanos());
      }
      record.setTcp(tcp);
    }
    return record;
  }

  private static Endpoint endpoint(int version, long hi, long lo, int port) {
    byte[] address = new byte[version == 4 ? 4 : 16];
    if (version == 4) {
      putInt(address, 0, (int) lo);
    } else {
      putLong(address, 0, hi);
      putLong(address, 8, lo);
    }
    Endpoint.Builder endpoint = Endpoint.newBuilder().setIp(ByteString.copyFrom(address));
    if (port >= 0) {
      endpoint.setPort(port);
    }
    return endpoint.build();
  }

  private static DirectionCounters counters(long packets, long bytes, int flags) {
    return DirectionCounters.newBuilder()
        .setPackets(packets)
        .setBytes(bytes)
        .setTcpFlags(Math.max(flags, 0))
        .build();
  }

  private static void putInt(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 24);
    b[i + 1] = (byte) (v >>> 16);
    b[i + 2] = (byte) (v >>> 8);
    b[i + 3] = (byte) v;
  }

  private static void putLong(byte[] b, int i, long v) {
    putInt(b, i, (int) (v >>> 32));
    putInt(b, i + 4, (int) v);
  }
}
