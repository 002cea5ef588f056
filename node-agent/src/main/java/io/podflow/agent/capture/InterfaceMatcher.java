package io.podflow.agent.capture;

import java.util.List;

/**
 * Matches interface names against the configured names and patterns, where {@code *} stands for any
 * run of characters ({@code veth*}, {@code *-host}, {@code cali*}). Plain string work: it runs on
 * every re-scan, never per packet.
 */
final class InterfaceMatcher {
  private final List<String> patterns;

  InterfaceMatcher(List<String> patterns) {
    this.patterns = List.copyOf(patterns);
  }

  boolean matches(String name) {
    for (String pattern : patterns) {
      if (glob(pattern, 0, name, 0)) {
        return true;
      }
    }
    return false;
  }

  private static boolean glob(String pattern, int p, String name, int n) {
    while (p < pattern.length()) {
      char c = pattern.charAt(p);
      if (c == '*') {
        for (int k = n; k <= name.length(); k++) {
          if (glob(pattern, p + 1, name, k)) {
            return true;
          }
        }
        return false;
      }
      if (n >= name.length() || name.charAt(n) != c) {
        return false;
      }
      p++;
      n++;
    }
    return n == name.length();
  }
}
