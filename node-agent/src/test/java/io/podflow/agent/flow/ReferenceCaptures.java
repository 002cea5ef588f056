package io.podflow.agent.flow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The public captures in shared/pcaps and their tshark reference flow tables. */
final class ReferenceCaptures {
  private ReferenceCaptures() {}

  static Path directory() {
    String configured = System.getProperty("podflow.pcaps");
    Path dir = configured != null ? Path.of(configured) : Path.of("..", "..", "shared", "pcaps");
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException(
          "reference captures not found at " + dir.toAbsolutePath() + " (set -Dpodflow.pcaps)");
    }
    return dir;
  }

  /** Every capture that has a reference table, by file name. */
  static List<String> names() throws IOException {
    try (Stream<Path> files = Files.list(directory())) {
      List<String> names =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".flows.json"))
              .map(n -> n.substring(0, n.length() - ".flows.json".length()))
              .sorted()
              .toList();
      if (names.isEmpty()) {
        throw new IllegalStateException("no *.flows.json in " + directory());
      }
      return names;
    }
  }

  static Path capture(String name) throws IOException {
    try (Stream<Path> files = Files.list(directory())) {
      return files
          .filter(p -> p.getFileName().toString().startsWith(name + "."))
          .filter(p -> !p.getFileName().toString().endsWith(".json"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no capture for " + name));
    }
  }

  static Path table(String name) {
    return directory().resolve(name + ".flows.json");
  }
}
