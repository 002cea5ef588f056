package io.podflow.agent.enrich;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which pod each interface leads to, from the node's routing table: CNIs that give each pod a veth
 * of its own (Calico, Cilium, kindnet and other point-to-point plugins) route each pod's address to
 * its veth, {@code 10.1.2.3/32 dev cali1234}. Read from /proc/net/route (IPv4) and
 * /proc/net/ipv6_route, so no netlink or namespace access is needed. Bridge CNIs have no such
 * routes: their interfaces stay unknown.
 */
public final class PodRoutes {
  private final Path ipv4;
  private final Path ipv6;

  /** Per interface, its pod's IPv4 and IPv6 address (either may be null). */
  private volatile Map<String, IpKey[]> owners = Map.of();

  public PodRoutes() {
    this(Path.of("/proc/net/route"), Path.of("/proc/net/ipv6_route"));
  }

  PodRoutes(Path ipv4, Path ipv6) {
    this.ipv4 = ipv4;
    this.ipv6 = ipv6;
  }

  /** Reads the routing table again. */
  public PodRoutes refresh() {
    Map<String, IpKey> v4 = new HashMap<>();
    Map<String, IpKey> v6 = new HashMap<>();
    Map<String, Integer> routes4 = new HashMap<>();
    Map<String, Integer> routes6 = new HashMap<>();
    for (String line : lines(ipv4)) {
      String[] f = line.trim().split("\\s+");
      // Iface Destination Gateway Flags RefCnt Use Metric Mask ...: a host route has mask ~0.
      if (f.length < 8 || f[0].equals("Iface") || !f[7].equalsIgnoreCase("FFFFFFFF")) {
        continue;
      }
      long little = Long.parseLong(f[1], 16); // the address in the kernel's (little-endian) order
      byte[] ip = {
        (byte) little, (byte) (little >> 8), (byte) (little >> 16), (byte) (little >> 24)
      };
      add(v4, routes4, f[0], IpKey.of(ip));
    }
    for (String line : lines(ipv6)) {
      String[] f = line.trim().split("\\s+");
      // destination, prefix length (hex), ..., interface last. Link-local and multicast host
      // routes are the interface's own (its fe80:: address), not a pod's.
      if (f.length < 10 || !f[1].equals("80") || f[0].startsWith("fe8") || f[0].startsWith("ff")) {
        continue;
      }
      byte[] ip = new byte[16];
      for (int i = 0; i < 16; i++) {
        ip[i] = (byte) Integer.parseInt(f[0].substring(2 * i, 2 * i + 2), 16);
      }
      add(v6, routes6, f[f.length - 1], IpKey.of(ip));
    }
    // Several host routes of one family behind an interface: not one pod's own interface.
    routes4.forEach((iface, n) -> v4.remove(iface, n > 1 ? v4.get(iface) : null));
    routes6.forEach((iface, n) -> v6.remove(iface, n > 1 ? v6.get(iface) : null));
    Map<String, IpKey[]> next = new HashMap<>();
    v4.forEach((iface, ip) -> next.computeIfAbsent(iface, k -> new IpKey[2])[0] = ip);
    v6.forEach((iface, ip) -> next.computeIfAbsent(iface, k -> new IpKey[2])[1] = ip);
    owners = Map.copyOf(next);
    return this;
  }

  /** Whether the interface leads to the pod that has this address (a dual-stack pod has two). */
  public boolean leadsTo(String interfaceName, IpKey address) {
    IpKey[] pod = owners.get(interfaceName);
    return pod != null && (address.equals(pod[0]) || address.equals(pod[1]));
  }

  /** Whether the pod an interface leads to is known. */
  public boolean knows(String interfaceName) {
    return owners.containsKey(interfaceName);
  }

  private static void add(
      Map<String, IpKey> owners, Map<String, Integer> routes, String iface, IpKey ip) {
    owners.put(iface, ip);
    routes.merge(iface, 1, Integer::sum);
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      return List.of();
    }
  }
}
