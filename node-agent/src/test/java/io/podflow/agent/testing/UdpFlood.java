package io.podflow.agent.testing;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * A hostile pod's traffic: one-byte UDP datagrams to every port of one address in turn, from
 * several sockets (so several source ports), as fast as they go, for a while: a new flow per
 * datagram until the ports come round. Arguments: address, seconds, sockets, and optionally the
 * datagrams to send at least: on a loaded machine a few seconds may not reach them, and a flood
 * test whose flood fell short proves nothing (it goes on for at most 50 s more).
 */
public final class UdpFlood {
  private UdpFlood() {}

  public static void main(String[] args) throws Exception {
    String address = args[0];
    long start = System.nanoTime();
    long end = start + (long) (Double.parseDouble(args[1]) * 1e9);
    long giveUp = end + 50_000_000_000L;
    long atLeast = args.length > 3 ? Long.parseLong(args[3]) : 0;
    DatagramChannel[] sockets = new DatagramChannel[Integer.parseInt(args[2])];
    for (int i = 0; i < sockets.length; i++) {
      sockets[i] = DatagramChannel.open();
    }
    ByteBuffer one = ByteBuffer.allocate(1);
    long sent = 0;
    int port = 1024;
    while (System.nanoTime() < end || (sent < atLeast && System.nanoTime() < giveUp)) {
      for (DatagramChannel socket : sockets) {
        one.clear();
        socket.send(one, new InetSocketAddress(address, port));
        sent++;
      }
      port = port == 65_535 ? 1024 : port + 1;
    }
    System.out.println("sent " + sent);
  }
}
