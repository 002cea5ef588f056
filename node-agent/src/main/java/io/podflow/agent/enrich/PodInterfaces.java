package io.podflow.agent.enrich;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which pod each of the node's interfaces leads to, from what the kernel already knows:
 *
 * <ul>
 *   <li>Point-to-point CNIs (Calico, Cilium, kindnet, ...) route each pod's address to its veth,
 *       {@code 10.1.2.3/32 dev cali1234}: read from /proc/net/route and /proc/net/ipv6_route.
 *   <li>Bridge CNIs (bridge, flannel, ...) plug each pod's veth into a bridge: the bridge's
 *       forwarding table (/sys/class/net/BRIDGE/brforward) says which port each MAC address is
 *       behind, and the node's ARP table (/proc/net/arp) which MAC each pod's IPv4 address has,
 *       learnt when the pod talks to its gateway, the bridge. (IPv6 neighbours are only in netlink:
 *       on a bridge CNI, an IPv6-only pod's interface stays unknown.)
 * </ul>
 *
 * No netlink and no access to the pods' namespaces is needed. An interface behind which several
 * addresses of one family live is no pod's own.
 */
public final class PodInterfaces {
  private final Path ipv4Routes;
  private final Path ipv6Routes;
  private final Path arp;
  private final Path sysClassNet;

  /** Per interface, its pod's IPv4 and IPv6 address (either may be null). */
  private volatile Map<String, IpKey[]> owners = Map.of();

  /** Per pod address, its interface. */
  private volatile Map<IpKey, String> interfaces = Map.of();

  public PodInterfaces() {
    this(Path.of("/proc/net"), Path.of("/sys/class/net"));
  }

  /**
   * @param procNet where route, ipv6_route and arp are
   * @param sysClassNet where each interface's directory is (brforward, brif/PORT/port_no)
   */
  PodInterfaces(Path procNet, Path sysClassNet) {
    this.ipv4Routes = procNet.resolve("route");
    this.ipv6Routes = procNet.resolve("ipv6_route");
    this.arp = procNet.resolve("arp");
    this.sysClassNet = sysClassNet;
  }

  private PodInterfaces(Map<String, IpKey[]> owners, Map<IpKey, String> interfaces) {
    this.ipv4Routes = this.ipv6Routes = this.arp = this.sysClassNet = null;
    this.owners = owners;
    this.interfaces = interfaces;
  }

  /**
   * Interfaces whose pods are known beforehand, one address each (the replay of pods' own
   * captures): {@link #refresh} keeps them as they are.
   */
  public static PodInterfaces of(Map<String, byte[]> addressOfInterface) {
    Map<String, IpKey[]> owners = new HashMap<>();
    Map<IpKey, String> interfaces = new HashMap<>();
    addressOfInterface.forEach(
        (iface, address) -> {
          IpKey ip = IpKey.of(address);
          owners.computeIfAbsent(iface, k -> new IpKey[2])[address.length == 4 ? 0 : 1] = ip;
          interfaces.put(ip, iface);
        });
    return new PodInterfaces(Map.copyOf(owners), Map.copyOf(interfaces));
  }

  /** Reads the routing, bridge and ARP tables again. */
  public PodInterfaces refresh() {
    if (ipv4Routes == null) {
      return this; // known beforehand
    }
    Map<String, IpKey> v4 = new HashMap<>();
    Map<String, IpKey> v6 = new HashMap<>();
    Map<String, Integer> count4 = new HashMap<>();
    Map<String, Integer> count6 = new HashMap<>();
    for (String line : lines(ipv4Routes)) {
      String[] f = line.trim().split("\\s+");
      // Iface Destination Gateway Flags RefCnt Use Metric Mask ...: a host route has mask ~0.
      if (f.length < 8 || f[0].equals("Iface") || !f[7].equalsIgnoreCase("FFFFFFFF")) {
        continue;
      }
      long little = Long.parseLong(f[1], 16); // the address in the kernel's (little-endian) order
      byte[] ip = {
        (byte) little, (byte) (little >> 8), (byte) (little >> 16), (byte) (little >> 24)
      };
      add(v4, count4, f[0], IpKey.of(ip));
    }
    for (String line : lines(ipv6Routes)) {
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
      add(v6, count6, f[f.length - 1], IpKey.of(ip));
    }
    bridgePorts(v4, count4);
    // Several addresses of one family behind an interface: not one pod's own interface.
    count4.forEach((iface, n) -> v4.remove(iface, n > 1 ? v4.get(iface) : null));
    count6.forEach((iface, n) -> v6.remove(iface, n > 1 ? v6.get(iface) : null));
    Map<String, IpKey[]> next = new HashMap<>();
    Map<IpKey, String> byAddress = new HashMap<>();
    v4.forEach(
        (iface, ip) -> {
          next.computeIfAbsent(iface, k -> new IpKey[2])[0] = ip;
          byAddress.put(ip, iface);
        });
    v6.forEach(
        (iface, ip) -> {
          next.computeIfAbsent(iface, k -> new IpKey[2])[1] = ip;
          byAddress.put(ip, iface);
        });
    owners = Map.copyOf(next);
    interfaces = Map.copyOf(byAddress);
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

  /** The interface that leads to the pod with this address, or null. */
  public String interfaceOf(IpKey address) {
    return interfaces.get(address);
  }

  /**
   * The IPv4 addresses behind each bridge port: ARP entry (address, MAC, bridge) to the bridge's
   * forwarding entry for that MAC (port number) to the port's interface.
   */
  private void bridgePorts(Map<String, IpKey> v4, Map<String, Integer> count4) {
    Map<String, Map<Long, String>> portsByBridge = new HashMap<>();
    for (String line : lines(arp)) {
      // IP address, HW type, Flags, HW address, Mask, Device; flags 0x0 is an incomplete entry.
      String[] f = line.trim().split("\\s+");
      if (f.length < 6 || f[0].startsWith("IP") || f[2].equals("0x0")) {
        continue;
      }
      Map<Long, String> macs =
          portsByBridge.computeIfAbsent(f[5], b -> bridgeMacs(sysClassNet.resolve(b)));
      String port = macs.isEmpty() ? null : macs.get(mac(f[3]));
      byte[] ip = IpLiterals.parse(f[0]);
      if (port != null && ip != null && ip.length == 4) {
        add(v4, count4, port, IpKey.of(ip));
      }
    }
  }

  /**
   * A bridge's forwarding table, MAC to port interface: {@code brforward} holds 16-byte entries
   * (MAC, port number low byte, is-local, ageing timer, port number high byte, padding), and each
   * port's {@code brif/NAME/port_no} its number. Entries of the bridge's own addresses are skipped.
   */
  private static Map<Long, String> bridgeMacs(Path bridge) {
    Path table = bridge.resolve("brforward");
    Path ports = bridge.resolve("brif");
    if (!Files.isReadable(table) || !Files.isDirectory(ports)) {
      return Map.of();
    }
    Map<Integer, String> names = new HashMap<>();
    try (var dir = Files.newDirectoryStream(ports)) {
      for (Path port : dir) {
        String number = Files.readString(port.resolve("port_no")).trim();
        names.put(Integer.decode(number), port.getFileName().toString());
      }
      byte[] entries = readEntries(table);
      Map<Long, String> macs = new HashMap<>();
      for (int i = 0; i + 16 <= entries.length; i += 16) {
        if (entries[i + 7] != 0) {
          continue; // is_local
        }
        long mac = 0;
        for (int j = 0; j < 6; j++) {
          mac = mac << 8 | (entries[i + j] & 0xff);
        }
        int number = (entries[i + 12] & 0xff) << 8 | (entries[i + 6] & 0xff);
        String name = names.get(number);
        if (name != null) {
          macs.put(mac, name);
        }
      }
      return macs;
    } catch (IOException | RuntimeException e) {
      return Map.of(); // not a bridge, or it went away while read: no pod learnt from it
    }
  }

  /**
   * The forwarding table's bytes. The kernel hands out whole entries only, as many as the read's
   * buffer holds, so the one-byte probe reads of {@link Files#readAllBytes} would see none.
   */
  private static byte[] readEntries(Path table) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 16 * 16];
    try (var in = Files.newInputStream(table)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
      }
    }
    return out.toByteArray();
  }

  /** A MAC address's 48 bits, or -1 when the text is not one. */
  private static long mac(String text) {
    String[] parts = text.split(":");
    if (parts.length != 6) {
      return -1;
    }
    long mac = 0;
    for (String part : parts) {
      try {
        mac = mac << 8 | Integer.parseInt(part, 16);
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return mac;
  }

  private static void add(
      Map<String, IpKey> owners, Map<String, Integer> count, String iface, IpKey ip) {
    if (!ip.equals(owners.put(iface, ip))) {
      count.merge(iface, 1, Integer::sum);
    }
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      return List.of();
    }
  }
}
