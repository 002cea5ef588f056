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
  private volatile Map<String, IpKey> owners = Map.of();

  public PodRoutes() {
    this(Path.of("/proc/net/route"), Path.of("/proc/net/ipv6_route"));
  }

  PodRoutes(Path ipv4, Path ipv6) {
    this.ipv4 = ipv4;
    this.ipv6 = ipv6;
  }

  /** Reads the routing table again. */
  public PodRoutes refresh() {
    Map<String, IpKey> next = new HashMap<>();
    Map<String, Integer> routes = new HashMap<>();
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
      add(next, routes, f[0], IpKey.of(ip));
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
      add(next, routes, f[f.length - 1], IpKey.of(ip));
    }
    routes.forEach(
        (iface, count) -> {
          if (count > 1) {
            next.remove(iface); // several pods behind one interface: not a pod's own
          }
        });
    owners = Map.copyOf(next);
    return this;
  }

  /** The address of the pod an interface leads to, or null when it is not known. */
  public IpKey ownerOf(String interfaceName) {
    return owners.get(interfaceName);
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
