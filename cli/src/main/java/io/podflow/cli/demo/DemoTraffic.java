package io.podflow.cli.demo;

import io.podflow.cli.demo.DemoCluster.DemoPod;
import io.podflow.stack.lab.NetnsLab;
import java.util.Map;

/**
 * The demo's traffic between its pods: each round an allowed call (frontend to nginx), a denied one
 * (shopper to nginx, which allow-nginx does not let in), a call through Service my-service, the
 * frontend's call to the ledger (allowed until the midway policy, denied after), a DNS-like UDP
 * exchange from both clients, and a ping. Servers answer with socat; clients are socat and ping,
 * run in their pods' namespaces.
 */
final class DemoTraffic {
  /** Connections a round makes. */
  static final int CALLS_PER_ROUND = 7;

  private final NetnsLab lab;
  private final Map<DemoPod, NetnsLab.Pod> pods;
  private final Map<DemoPod, String> ips;
  private int rounds;
  private int failures;

  DemoTraffic(NetnsLab lab, Map<DemoPod, NetnsLab.Pod> pods, Map<DemoPod, String> ips) {
    this.lab = lab;
    this.pods = pods;
    this.ips = ips;
  }

  /** Starts every pod's server (stopped with the lab). */
  void startServers() {
    for (DemoPod pod : DemoCluster.PODS) {
      if (pod.port() == 0) {
        continue;
      }
      String listen =
          pod.protocol().equals("UDP")
              ? "UDP4-RECVFROM:" + pod.port() + ",fork"
              : "TCP4-LISTEN:" + pod.port() + ",fork,reuseaddr";
      lab.start(pods.get(pod), "socat " + listen + " EXEC:cat");
    }
  }

  /** One round of every kind of call. */
  void round() {
    tcp(DemoCluster.FRONTEND, ips.get(DemoCluster.NGINX), 80);
    tcp(DemoCluster.SHOPPER, ips.get(DemoCluster.NGINX), 80);
    tcp(DemoCluster.FRONTEND, DemoCluster.SERVICE_IP, DemoCluster.SERVICE_PORT);
    tcp(DemoCluster.FRONTEND, ips.get(DemoCluster.LEDGER), 5432);
    udp(DemoCluster.FRONTEND, ips.get(DemoCluster.COREDNS), 53);
    udp(DemoCluster.SHOPPER, ips.get(DemoCluster.COREDNS), 53);
    ping(DemoCluster.FRONTEND, ips.get(DemoCluster.NGINX));
    rounds++;
  }

  int rounds() {
    return rounds;
  }

  /** Calls that failed (none should: the demo's network plugin enforces nothing). */
  int failures() {
    return failures;
  }

  private void tcp(DemoPod from, String ip, int port) {
    call(from, "sh -c 'echo hello | socat -T 2 - TCP4:" + ip + ":" + port + ",connect-timeout=2'");
  }

  private void udp(DemoPod from, String ip, int port) {
    call(from, "sh -c 'echo query | socat -T 1 - UDP4:" + ip + ":" + port + "'");
  }

  private void ping(DemoPod from, String ip) {
    call(from, "ping -c 2 -i 0.2 -W 1 " + ip);
  }

  private void call(DemoPod from, String command) {
    try {
      lab.run(pods.get(from), command);
    } catch (IllegalStateException e) {
      failures++;
    }
  }
}
