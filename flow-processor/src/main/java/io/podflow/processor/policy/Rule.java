package io.podflow.processor.policy;

import java.util.List;

/**
 * One ingress or egress rule: peers ({@code from}/{@code to}; empty means every peer) and ports
 * (empty means every port).
 */
public record Rule(List<Peer> peers, List<PortSpec> ports) {
  public Rule {
    peers = List.copyOf(peers);
    ports = List.copyOf(ports);
  }

  @Override
  public String toString() {
    String who =
        peers.isEmpty()
            ? "all peers"
            : peers.stream().map(Peer::toString).reduce((a, b) -> a + " or " + b).get();
    String what =
        ports.isEmpty()
            ? ""
            : " on " + ports.stream().map(PortSpec::toString).reduce((a, b) -> a + ", " + b).get();
    return who + what;
  }
}
