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
 * cleanly: {@link Result#truncated()} says so and every whole frame before it is delivered.
 */
public final class CaptureFileReader {
  private static final int PCAPNG_SHB = 0x0a0d0d0a;

  /** A frame larger than this is taken as corruption, not a frame. */
  private static final int MAX_FRAME = 1 << 24;

  private CaptureFileReader() {}

  /** What a read found. */
  public record Result(long frames, boolean truncated, String format) {}

  public static Result read(Path file, FrameHandler handler) {
    try (InputStream in = Files.newInputStream(file)) {
      ByteSource source = new ByteSource(in);
      if (!source.ensure(4)) {
        throw new CaptureFileException(file + " is too short to be a capture file");
      }
      int magicBigEndian = source.intAt(0, true);
      if (magicBigEndian == PCAPNG_SHB) {
        return new PcapngParser(source, handler).parse();
      }
      return PcapParser.parse(source, handler, file);
    } catch (IOException e) {
      throw new CaptureFileException("could not read " + file + ": " + e.getMessage(), e);
    }
  }

  /** A growable window over the stream; positions are relative to {@link #start}. */
  static final class ByteSource {
    private final InputStream in;
    byte[] buffer = new byte[1 << 20];
    int start;
    int limit;
    boolean eof;

    ByteSource(InputStream in) {
      this.in = in;
    }

    /** Makes {@code count} bytes available from {@link #start}; false at end of file. */
    boolean ensure(int count) throws IOException {
      if (count > MAX_FRAME + 64) {
        throw new CaptureFileException("record of " + count + " bytes: the file is damaged");
      }
      if (limit - start >= count) {
        return true;
      }
      if (start > 0) {
        System.arraycopy(buffer, start, buffer, 0, limit - start);
        limit -= start;
        start = 0;
      }
      if (count > buffer.length) {
        buffer = java.util.Arrays.copyOf(buffer, Integer.highestOneBit(count) << 1);
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
