package io.podflow.agent.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Builds Ethernet frames for tests, header by header, so each test says in its own words which
 * packet it sends (e.g. {@code Frames.tcp("10.0.0.1", 40000, "10.0.0.2", 80, SYN)}). Checksums are
 * left zero: nothing on podflow's path verifies them.
 */
public final class Frames {
  public static final int FIN = 0x01;
  public static final int SYN = 0x02;
  public static final int RST = 0x04;
  public static final int PSH = 0x08;
  public static final int ACK = 0x10;

  private Frames() {}

  public static byte[] tcp(String src, int srcPort, String dst, int dstPort, int flags) {
    return tcp(src, srcPort, dst, dstPort, flags, 0);
  }

  public static byte[] tcp(
      String src, int srcPort, String dst, int dstPort, int flags, int payload) {
    byte[] l4 = new byte[20 + payload];
    put16(l4, 0, srcPort);
    put16(l4, 2, dstPort);
    l4[12] = 5 << 4;
    l4[13] = (byte) flags;
    return ip(src, dst, 6, l4);
  }

  public static byte[] udp(String src, int srcPort, String dst, int dstPort, int payload) {
    byte[] l4 = new byte[8 + payload];
    put16(l4, 0, srcPort);
    put16(l4, 2, dstPort);
    put16(l4, 4, 8 + payload);
    return ip(src, dst, 17, l4);
  }

  /** ICMP echo request (type 8 / 128) or reply (0 / 129) with this identifier. */
  public static byte[] echo(String src, String dst, boolean reply, int id) {
    boolean v6 = src.contains(":");
    byte[] l4 = new byte[8];
    l4[0] = (byte) (v6 ? (reply ? 129 : 128) : (reply ? 0 : 8));
    put16(l4, 4, id);
    return ip(src, dst, v6 ? 58 : 1, l4);
  }

  /** An IPv4 or IPv6 packet (by the addresses' form) in an Ethernet frame. */
  public static byte[] ip(String src, String dst, int protocol, byte[] l4) {
    byte[] s = address(src);
    byte[] d = address(dst);
    byte[] ip;
    if (s.length == 4) {
      ip = new byte[20 + l4.length];
      ip[0] = 0x45;
      put16(ip, 2, ip.length);
      ip[8] = 64;
      ip[9] = (byte) protocol;
      System.arraycopy(s, 0, ip, 12, 4);
      System.arraycopy(d, 0, ip, 16, 4);
      System.arraycopy(l4, 0, ip, 20, l4.length);
    } else {
      ip = new byte[40 + l4.length];
      ip[0] = 0x60;
      put16(ip, 4, l4.length);
      ip[6] = (byte) protocol;
      ip[7] = 64;
      System.arraycopy(s, 0, ip, 8, 16);
      System.arraycopy(d, 0, ip, 24, 16);
      System.arraycopy(l4, 0, ip, 40, l4.length);
    }
    return ethernet(s.length == 4 ? 0x0800 : 0x86dd, ip);
  }

  public static byte[] ethernet(int etherType, byte[] payload) {
    byte[] frame = new byte[14 + payload.length];
    frame[0] = 0x02; // locally administered MACs
    frame[6] = 0x02;
    frame[11] = 1;
    put16(frame, 12, etherType);
    System.arraycopy(payload, 0, frame, 14, payload.length);
    return frame;
  }

  /** The frame with an 802.1Q tag (or 802.1ad with {@code tpid} 0x88a8) inserted. */
  public static byte[] tagged(byte[] frame, int tpid, int vlan) {
    byte[] out = new byte[frame.length + 4];
    System.arraycopy(frame, 0, out, 0, 12);
    put16(out, 12, tpid);
    put16(out, 14, vlan);
    System.arraycopy(frame, 12, out, 16, frame.length - 12);
    return out;
  }

  static void put16(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 8);
    b[i + 1] = (byte) v;
  }

  private static byte[] address(String text) {
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(text, e);
    }
  }
}
