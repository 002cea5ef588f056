package io.podflow.stack.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * "Pods" for live-capture tests: network namespaces joined by veth pairs to a bridge in the root
 * namespace, on 10.77.N.0/24. Like a node's pod interfaces, the host side of each veth sees all of
 * its pod's traffic; the bridge device itself only sees what is addressed to the host. The bridge
 * has no address (unless {@link #addGateway}) and the pods have no default route, so test traffic
 * cannot leave the pods' subnet. {@link #close()} removes every namespace, link and process it
 * made, and a shutdown hook does the same if the test JVM is stopped.
 */
public final class NetnsLab implements AutoCloseable {
  private final String tag;
  private final int subnet;
  private final String bridge;
  private final List<Pod> pods = new ArrayList<>();
  private int created;
  private String gateway;
  private final List<Process> processes = new ArrayList<>();
  private final Thread hook = new Thread(this::teardown, "netns-lab-teardown");

  /** A pod: its namespace, the host side of its veth, and its address. */
  public record Pod(String namespace, String hostInterface, String ip) {}

  public NetnsLab() {
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException(
          "live-capture tests make network namespaces and capture packets: run them as root"
              + " (CI does)");
    }
    int n = ThreadLocalRandom.current().nextInt(1, 250);
    tag =
        Integer.toString(n, 36)
            + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
    subnet = n;
    bridge = "pfbr" + tag;
    Runtime.getRuntime().addShutdownHook(hook);
    sh("ip link add " + bridge + " type bridge");
    sh("ip link set " + bridge + " up");
  }

  public String bridge() {
    return bridge;
  }

  /**
   * Gives the bridge the subnet's first address, as a bridge CNI makes it the pods' gateway (the
   * pods still have no route beyond the subnet); returns the address. Once: later calls return it.
   */
  public synchronized String addGateway() {
    if (gateway == null) {
      gateway = "10.77." + subnet + ".1";
      sh("ip addr add " + gateway + "/24 dev " + bridge);
    }
    return gateway;
  }

  /** The pods' subnet, {@code 10.77.N.0/24}. */
  public String subnet() {
    return "10.77." + subnet + ".0/24";
  }

  /** A tag unique to this lab, for names of what it makes. */
  public String tag() {
    return tag;
  }

  /**
   * Sends all of the pod's traffic through the gateway, routed by the root namespace, as
   * point-to-point CNIs do (Calico): the pod keeps its address but no subnet route, only routes to
   * the subnet and to {@code cidrs} via the gateway. Then the root namespace sees both directions
   * of every connection, so a translation it applies (a Service's cluster IP) is undone on the
   * answers. The bridge alone forwards (not the host's other interfaces), and the pod ignores ICMP
   * redirects (the gateway would tell it to go direct). The host would forward what a pod sends to
   * {@code cidrs} beyond the lab: use it with {@link ServiceNat}, whose table drops anything
   * leaving the pods' subnet.
   */
  public void routeThroughGateway(Pod pod, List<String> cidrs) {
    String gateway = addGateway();
    String ns = pod.namespace();
    sh("ip -n " + ns + " route del " + subnet() + " dev eth0");
    sh("ip -n " + ns + " route add " + gateway + " dev eth0 scope link");
    sh("ip -n " + ns + " route add " + subnet() + " via " + gateway);
    for (String cidr : cidrs) {
      sh("ip -n " + ns + " route add " + cidr + " via " + gateway);
    }
    sh("ip netns exec " + ns + " sysctl -q -w net.ipv4.conf.all.accept_redirects=0");
    sh("ip netns exec " + ns + " sysctl -q -w net.ipv4.conf.eth0.accept_redirects=0");
    sh("sysctl -q -w net.ipv4.conf." + bridge + ".forwarding=1");
  }

  /** Prefix of the host-side veth names of this lab (for interface patterns). */
  public String vethPrefix() {
    return "pfv" + tag;
  }

  public Pod addPod() {
    int index = ++created;
    String ns = "pf-" + tag + "-" + index;
    String host = vethPrefix() + index;
    String ip = "10.77." + subnet + "." + (index + 1);
    sh("ip netns add " + ns);
    sh("ip link add " + host + " type veth peer name eth0 netns " + ns);
    sh("ip link set " + host + " master " + bridge + " up");
    sh("ip -n " + ns + " addr add " + ip + "/24 dev eth0");
    sh("ip -n " + ns + " link set lo up");
    sh("ip -n " + ns + " link set eth0 up");
    Pod pod = new Pod(ns, host, ip);
    pods.add(pod);
    return pod;
  }

  public void removePod(Pod pod) {
    killProcessesIn(pod.namespace());
    sh("ip netns del " + pod.namespace());
    pods.remove(pod);
  }

  /** Runs a command in the pod and waits for it; fails on a non-zero exit. */
  public String run(Pod pod, String command) {
    return sh("ip netns exec " + pod.namespace() + " " + command);
  }

  /** Starts a command in the pod and leaves it running (stopped on close). */
  public Process start(Pod pod, String command) {
    try {
      Process p =
          new ProcessBuilder("sh", "-c", "exec ip netns exec " + pod.namespace() + " " + command)
              .redirectErrorStream(true)
              .start();
      processes.add(p);
      return p;
    } catch (IOException e) {
      throw new IllegalStateException(command, e);
    }
  }

  /** {@code text} as one shell word (single-quoted), whatever it holds. */
  public static String quoted(String text) {
    return "'" + text.replace("'", "'\\''") + "'";
  }

  /** Runs a command in the root namespace and returns its output; fails on a non-zero exit. */
  public static String sh(String command) {
    try {
      Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + command);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(command + " exited " + p.exitValue() + ": " + out);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + command, e);
    }
  }

  @Override
  public void close() {
    teardown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running the same teardown
    }
  }

  private synchronized void teardown() {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    processes.clear();
    for (Pod pod : List.copyOf(pods)) {
      killProcessesIn(pod.namespace());
      quietly("ip netns del " + pod.namespace());
    }
    pods.clear();
    quietly("ip link del " + bridge);
  }

  private static void killProcessesIn(String namespace) {
    quietly("ip netns pids " + namespace + " | xargs -r kill -9");
  }

  private static void quietly(String command) {
    try {
      sh(command);
    } catch (IllegalStateException ignored) {
      // already gone
    }
  }
}
