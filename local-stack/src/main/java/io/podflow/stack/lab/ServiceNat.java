package io.podflow.stack.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A Service's cluster IP translated to its backend pods in the root namespace with nftables, as
 * kube-proxy's nftables mode does: connections to {@code clusterIp:port} go to a backend's {@code
 * targetPort}, round robin. Its own table, which also keeps the lab closed: nothing from the pods'
 * subnet is forwarded anywhere but back into it, and the gateway's ICMP redirects are dropped.
 * {@link #close()} removes the table.
 */
public final class ServiceNat implements AutoCloseable {
  private final String table;
  private final Thread hook;

  private ServiceNat(String table) {
    this.table = table;
    // Ctrl-C, or a test JVM stopped: the table goes with the lab, as its namespaces do.
    this.hook = new Thread(this::delete, "service-nat-teardown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  public static ServiceNat install(
      NetnsLab lab, String clusterIp, int port, List<String> backends, int targetPort) {
    if (backends.isEmpty()) {
      throw new IllegalArgumentException("a Service needs at least one backend");
    }
    String table = "podflow_" + lab.tag();
    StringBuilder map = new StringBuilder();
    for (int i = 0; i < backends.size(); i++) {
      map.append(i == 0 ? "" : ", ").append(i).append(" : ").append(backends.get(i));
    }
    String rules =
        String.join(
            "\n",
            "table ip " + table + " {",
            "  chain prerouting {",
            "    type nat hook prerouting priority dstnat; policy accept;",
            "    ip daddr "
                + clusterIp
                + " tcp dport "
                + port
                + " dnat to numgen inc mod "
                + backends.size()
                + " map { "
                + map
                + " } : "
                + targetPort,
            "  }",
            "  chain forward {",
            "    type filter hook forward priority filter; policy accept;",
            "    ip saddr " + lab.subnet() + " ip daddr != " + lab.subnet() + " drop",
            "  }",
            "  chain output {",
            "    type filter hook output priority filter; policy accept;",
            "    ip daddr " + lab.subnet() + " icmp type redirect drop",
            "  }",
            "}",
            "");
    try {
      Path file = Files.createTempFile("podflow-nat", ".nft");
      try {
        Files.writeString(file, rules, StandardCharsets.UTF_8);
        NetnsLab.sh("nft -f " + file);
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ServiceNat(table);
  }

  @Override
  public void close() {
    delete();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is deleting it
    }
  }

  private void delete() {
    try {
      NetnsLab.sh("nft delete table ip " + table);
    } catch (IllegalStateException alreadyGone) {
      // removed already
    }
  }
}
