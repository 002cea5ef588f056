package io.podflow.agent.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads pcap (microsecond or nanosecond, either byte order) and pcapng files (several sections and
 * interfaces, each with its own link type and timestamp resolution) in Java, straight from a reused
 * buffer: no per-frame allocation and no native code. The format comes from the magic number, never
 * from the file name.
 *
 * <p>A file cut short in its last record (a capture that was still being written) ends the read
 * cleanly: {@link Result#truncated()} says so, {@link Result#cutAt()} says where, and every whole
 * frame before it is delivered. A record that cannot be (a length past {@value #MAX_FRAME} bytes, a
 * block shorter than its fixed fields) is damage: a {@link CaptureFileException} naming the file
 * and the byte offset of the record. Lengths are unsigned 32-bit fields: they are widened to long
 * before any arithmetic, so no length wraps round into a small or negative one.
 */
public final class CaptureFileReader {
  private static final int PCAPNG_SHB = 0x0a0d0d0a;

  /** A frame larger than this is taken as corruption, not a frame. */
  static final int MAX_FRAME = 1 << 24;

  private CaptureFileReader() {}

  /**
   * What a read found.
   *
   * @param cutAt byte offset of the incomplete last record when {@code truncated}, -1 when the file
   *     was whole or the reader cannot say (libpcap)
   */
  public record Result(long frames, boolean truncated, String format, long cutAt) {
    public static Result whole(long frames, String format) {
      return new Result(frames, false, format, -1);
    }

    public static Result cut(long frames, String format, long cutAt) {
      return new Result(frames, true, format, cutAt);
    }
  }

  public static Result read(Path file, FrameHandler handler) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file, handler);
    } catch (IOException e) {
      throw new CaptureFileException("could not read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads a capture from a stream; {@code file} names it in messages. */
  static Result read(InputStream in, Path file, FrameHandler handler) throws IOException {
    ByteSource source = new ByteSource(in, file);
    if (!source.ensure(4)) {
      throw new CaptureFileException(file + " is too short to be a capture file");
    }
    int magicBigEndian = source.intAt(0, true);
    if (magicBigEndian == PCAPNG_SHB) {
      return new PcapngParser(source, handler).parse();
    }
    return PcapParser.parse(source, handler);
  }

  /** A growable window over the stream; positions are relative to {@link #start}. */
  static final class ByteSource {
    private final InputStream in;
    private final Path file;
    byte[] buffer = new byte[1 << 20];
    int start;
    int limit;
    boolean eof;

    /** Bytes of the file before {@code buffer[0]}. */
    private long dropped;

    ByteSource(InputStream in, Path file) {
      this.in = in;
      this.file = file;
    }

    Path file() {
      return file;
    }

    /** Offset in the file of {@link #start}: where the record being read begins. */
    long offset() {
      return dropped + start;
    }

    /** The error for damage in the record at {@link #start}, naming the file and offset. */
    CaptureFileException damaged(String what) {
      return new CaptureFileException(file + " is damaged at byte " + offset() + ": " + what);
    }

    /**
     * Makes {@code count} bytes available from {@link #start}; false at end of file. A count past
     * the largest frame plus headers is damage, never an allocation.
     */
    boolean ensure(long count) throws IOException {
      if (count < 0 || count > MAX_FRAME + 64) {
        throw damaged(
            "a record of "
                + count
                + " bytes (more than "
                + MAX_FRAME
                + ", the largest frame taken)");
      }
      if (limit - start >= count) {
        return true;
      }
      if (start > 0) {
        System.arraycopy(buffer, start, buffer, 0, limit - start);
        limit -= start;
        dropped += start;
        start = 0;
      }
      if (count > buffer.length) {
        buffer = java.util.Arrays.copyOf(buffer, Integer.highestOneBit((int) count) << 1);
      }
      while (limit < count && !eof) {
        int n = in.read(buffer, limit, buffer.length - limit);
        if (n < 0) {
          eof = true;
        } else {
          limit += n;
        }
      }
      return limit - start >= count;
    }

    void skip(int count) {
      start += count;
    }

    boolean atEnd() throws IOException {
      return !ensure(1);
    }

    int intAt(int position, boolean bigEndian) {
      int i = start + position;
      int v =
          ((buffer[i] & 0xff) << 24)
              | ((buffer[i + 1] & 0xff) << 16)
              | ((buffer[i + 2] & 0xff) << 8)
              | (buffer[i + 3] & 0xff);
      return bigEndian ? v : Integer.reverseBytes(v);
    }

    int shortAt(int position, boolean bigEndian) {
      int i = start + position;
      int v = ((buffer[i] & 0xff) << 8) | (buffer[i + 1] & 0xff);
      return bigEndian ? v : ((v & 0xff) << 8) | (v >>> 8);
    }
  }
}
