package io.podflow.agent.testing;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * A hostile pod's traffic: one-byte UDP datagrams to every port of one address in turn, from
 * several sockets (so several source ports), as fast as they go, for a while: a new flow per
 * datagram until the ports come round. Arguments: address, seconds, sockets.
 */
public final class UdpFlood {
  private UdpFlood() {}

  public static void main(String[] args) throws Exception {
    String address = args[0];
    long end = System.nanoTime() + (long) (Double.parseDouble(args[1]) * 1e9);
    DatagramChannel[] sockets = new DatagramChannel[Integer.parseInt(args[2])];
    for (int i = 0; i < sockets.length; i++) {
      sockets[i] = DatagramChannel.open();
    }
    ByteBuffer one = ByteBuffer.allocate(1);
    long sent = 0;
    int port = 1024;
    while (System.nanoTime() < end) {
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
