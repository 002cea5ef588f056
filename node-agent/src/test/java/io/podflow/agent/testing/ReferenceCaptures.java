package io.podflow.agent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A directory of captures, each {@code NAME.pcap} or {@code NAME.pcapng} with its tshark reference
 * flow table {@code NAME.flows.json} beside it.
 *
 * <p>Two exist: the repository's own fixtures (test resources {@code captures/}, written by {@code
 * scripts/gen-captures}, tables by {@code scripts/capture-tables}), always there; and the public
 * captures kept outside the repository, an extra suite that runs where they are present.
 */
public record ReferenceCaptures(Path directory) {

  /**
   * Where the external public captures are looked for: beside the repository, relative to the
   * module directory the tests run in, or {@code -Dpodflow.pcaps=DIR}. The one place that names it.
   */
  public static final Path EXTERNAL_DIRECTORY =
      Path.of(System.getProperty("podflow.pcaps", "../../shared/pcaps"))
          .toAbsolutePath()
          .normalize();

  /** The repository's own fixtures. */
  public static ReferenceCaptures bundled() {
    URL url = ReferenceCaptures.class.getResource("/captures");
    if (url == null) {
      throw new IllegalStateException("test resources have no captures/ directory");
    }
    try {
      return new ReferenceCaptures(Path.of(url.toURI()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The external public captures, or empty where they are not present. */
  public static Optional<ReferenceCaptures> external() {
    return Files.isDirectory(EXTERNAL_DIRECTORY)
        ? Optional.of(new ReferenceCaptures(EXTERNAL_DIRECTORY))
        : Optional.empty();
  }

  /** Every capture that has a reference table, by name (the file name without extension). */
  public List<String> names() {
    try (Stream<Path> files = Files.list(directory)) {
      List<String> names =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".flows.json"))
              .map(n -> n.substring(0, n.length() - ".flows.json".length()))
              .sorted()
              .toList();
      if (names.isEmpty()) {
        throw new IllegalStateException("no *.flows.json in " + directory);
      }
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every capture file, whether or not it has a table. */
  public List<Path> captures() {
    return names().stream().map(this::capture).toList();
  }

  /** The capture called {@code name}, whatever its extension (the format is in its magic). */
  public Path capture(String name) {
    try (Stream<Path> files = Files.list(directory)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith(name + "."))
          .filter(p -> !p.getFileName().toString().endsWith(".json"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no capture for " + name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path table(String name) {
    return directory.resolve(name + ".flows.json");
  }
}
