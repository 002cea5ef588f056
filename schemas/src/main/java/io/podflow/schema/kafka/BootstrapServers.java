package io.podflow.schema.kafka;

import io.podflow.schema.net.IpLiteral;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A Kafka {@code bootstrap.servers} list checked before a client sees it: {@code host:port} entries
 * separated by commas, the host a DNS name, an IPv4 literal or a bracketed IPv6 literal, the port
 * 1-65535. Kafka's own parser would accept garbage and fail later, at the first connect, with a
 * message far from the key that caused it.
 */
public final class BootstrapServers {
  private static final Pattern DNS_NAME =
      Pattern.compile(
          "(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9_]{0,61}[A-Za-z0-9])?"
              + "(\\.[A-Za-z0-9]([-A-Za-z0-9_]{0,61}[A-Za-z0-9])?)*\\.?");

  private BootstrapServers() {}

  /** What is wrong with {@code list}, one line per bad entry; empty when it is valid. */
  public static List<String> problems(String list) {
    List<String> problems = new ArrayList<>();
    if (list == null || list.isBlank()) {
      problems.add("no servers (host:port[,host:port...])");
      return problems;
    }
    for (String raw : list.split(",", -1)) {
      String entry = raw.strip();
      String wrong = entryProblem(entry);
      if (wrong != null) {
        problems.add("'" + entry + "' " + wrong);
      }
    }
    return problems;
  }

  private static String entryProblem(String entry) {
    if (entry.isEmpty()) {
      return "is empty (a stray comma?)";
    }
    int colon = entry.lastIndexOf(':');
    if (colon < 0) {
      return "has no port (host:port)";
    }
    String host = entry.substring(0, colon);
    String port = entry.substring(colon + 1);
    if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
      return "has a port that is not a number 1-65535";
    }
    int number = Integer.parseInt(port);
    if (number < 1 || number > 65535) {
      return "has port " + number + ", not 1-65535";
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      byte[] v6 = IpLiteral.parse(host.substring(1, host.length() - 1));
      return v6 != null && v6.length == 16 ? null : "has no IPv6 address between its brackets";
    }
    if (host.indexOf(':') >= 0) {
      return "has an IPv6 address without brackets ([addr]:port)";
    }
    if (!host.isEmpty() && host.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
      return IpLiteral.parse(host) != null ? null : "has a host that is no IPv4 address";
    }
    return DNS_NAME.matcher(host).matches() ? null : "has a host that is no DNS name";
  }
}
