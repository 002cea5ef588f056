package io.podflow.agent.publish;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * How far the oldest segment was sent, kept in the spool directory's {@code committed} file (a
 * segment number, a record count, a checksum), so that a restart resends only what was in flight
 * rather than the whole segment. Never fsynced: losing it resends records, it cannot lose any. A
 * torn or damaged file reads as "nothing committed".
 */
final class CommitPosition implements AutoCloseable {
  static final String FILE = "committed";
  private static final int SIZE = 20;

  private final Path path;
  private final ByteBuffer buffer = ByteBuffer.allocate(SIZE);
  private final CRC32C crc = new CRC32C();
  private FileChannel channel;

  /** What the file says: records {@code [0, sent)} of segment {@code segment} were sent. */
  record Position(long segment, long sent) {
    static final Position NONE = new Position(-1, 0);
  }

  CommitPosition(Path dir) {
    this.path = dir.resolve(FILE);
  }

  Position read() {
    try {
      if (!Files.isRegularFile(path)) {
        return Position.NONE;
      }
      byte[] data = Files.readAllBytes(path);
      if (data.length != SIZE) {
        return Position.NONE;
      }
      crc.reset();
      crc.update(data, 0, 16);
      ByteBuffer b = ByteBuffer.wrap(data);
      if ((int) crc.getValue() != b.getInt(16) || b.getLong(8) < 0) {
        return Position.NONE;
      }
      return new Position(b.getLong(0), b.getLong(8));
    } catch (IOException e) {
      return Position.NONE;
    }
  }

  /** One positional write of 20 bytes: cheap enough for every commit. */
  void write(long segment, long sent) throws IOException {
    if (channel == null) {
      channel =
          FileChannel.open(
              path,
              Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ),
              SpoolPermissions.FILE_ATTRIBUTE);
    }
    buffer.clear().putLong(segment).putLong(sent);
    crc.reset();
    crc.update(buffer.array(), 0, 16);
    buffer.putInt((int) crc.getValue()).flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer, buffer.position());
    }
  }

  /** Nothing committed: the segment the position named is gone. */
  void clear() throws IOException {
    if (channel == null && !Files.exists(path)) {
      return;
    }
    write(Position.NONE.segment(), Position.NONE.sent());
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }
}
