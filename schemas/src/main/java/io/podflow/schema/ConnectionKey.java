package io.podflow.schema;

import com.google.protobuf.ByteString;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.FlowRecord;

/**
 * A flow record's connection as a 64-bit hash of the cluster and the connection, taken in a
 * canonical order (the two endpoints sorted): the same for every record of a connection, from
 * either reporter and every interval. The agents key Kafka records with it (so a connection's
 * records land on one partition, in order, and connections spread evenly); the processor keys its
 * state with it (so the two reporters' records of a connection meet).
 */
public final class ConnectionKey {
  private ConnectionKey() {}

  /** The hash as the 8-byte Kafka key (big-endian). */
  public static byte[] of(FlowRecord record) {
    long h = hash(record);
    byte[] key = new byte[8];
    for (int i = 0; i < 8; i++) {
      key[i] = (byte) (h >>> (56 - 8 * i));
    }
    return key;
  }

  public static long hash(FlowRecord record) {
    Endpoint a = record.getSource();
    Endpoint b = record.getDestination();
    if (compare(a, b) > 0) {
      Endpoint t = a;
      a = b;
      b = t;
    }
    long h = 0x9E3779B97F4A7C15L;
    h = mix(h, record.getCluster().hashCode());
    h = mix(h, record.getProtocol());
    h = mix(h, hash(a.getIp()));
    h = mix(h, a.getPort());
    h = mix(h, hash(b.getIp()));
    return mix(h, b.getPort());
  }

  private static int compare(Endpoint a, Endpoint b) {
    int c = ByteString.unsignedLexicographicalComparator().compare(a.getIp(), b.getIp());
    return c != 0 ? c : Integer.compare(a.getPort(), b.getPort());
  }

  private static long hash(ByteString bytes) {
    long h = 0;
    for (int i = 0; i < bytes.size(); i++) {
      h = h * 31 + (bytes.byteAt(i) & 0xFF);
    }
    return h;
  }

  /** A round of a 64-bit finaliser (splitmix64): every input bit moves every output bit. */
  public static long mix(long h, long v) {
    long z = h ^ (v + 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
