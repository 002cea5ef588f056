package io.podflow.agent.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool holds pod names, labels and addresses unencrypted in a hostPath the kubelet creates
 * {@code 0755}, so only the agent's user may list it ({@code 0700}) or read its files ({@code
 * 0600}). Files are created with their mode rather than changed after, so none is ever readable by
 * others, even for a moment.
 */
final class SpoolPermissions {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolPermissions.class);

  static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  /** For {@code FileChannel.open}: the mode of a file the spool creates. */
  static final FileAttribute<Set<PosixFilePermission>> FILE_ATTRIBUTE =
      PosixFilePermissions.asFileAttribute(FILE);

  private SpoolPermissions() {}

  /**
   * Creates {@code dir} {@code 0700}, or makes it so when it exists with a wider mode (a hostPath
   * the kubelet made, an older agent's spool), saying so in the log.
   */
  static void ownerOnlyDirectory(Path dir) throws IOException {
    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
    Set<PosixFilePermission> was = Files.getPosixFilePermissions(dir);
    if (!was.equals(DIRECTORY)) {
      Files.setPosixFilePermissions(dir, DIRECTORY);
      LOG.info(
          "the spool directory {} was {}, now {}: only the agent may read the spool",
          dir,
          PosixFilePermissions.toString(was),
          PosixFilePermissions.toString(DIRECTORY));
    }
  }
}
