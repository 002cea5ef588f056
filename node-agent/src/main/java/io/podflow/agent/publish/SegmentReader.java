package io.podflow.agent.publish;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads a segment's whole records out of its bytes, skipping damage: a record whose marker, length
 * or checksum is wrong, or that the end of the data cuts short, is skipped and counted, and reading
 * goes on at the next whole record (found by its marker and checksum), so damage costs only the
 * records it touched. Never throws on any input but {@link UnknownVersionException}; takes time
 * linear in the data for any damage but marker-dense crafted data.
 */
final class SegmentReader {
  private SegmentReader() {}

  /** A segment written by a later agent: left alone, neither read nor deleted. */
  static final class UnknownVersionException extends Exception {
    UnknownVersionException(int version) {
      super("spool segment format version " + version + " (this agent reads 1 and 2)");
    }
  }

  /**
   * Reads a version-2 segment ({@code NNNN.seg}); a damaged header costs no record when the first
   * record is whole.
   */
  static SegmentContents read(byte[] data) throws UnknownVersionException {
    Scan scan = new Scan(data);
    int from = 0;
    if (SegmentFormat.hasMagic(data)) {
      if (SegmentFormat.version(data) != SegmentFormat.VERSION) {
        throw new UnknownVersionException(SegmentFormat.version(data));
      }
      from = SegmentFormat.HEADER;
    } else if (scan.recordAt(SegmentFormat.HEADER) >= 0) {
      from = SegmentFormat.HEADER; // only the header is damaged: no record lost
    }
    return scan.records(from);
  }

  /**
   * Reads a segment written before version 2 ({@code NNNN.spool}): length-prefixed records without
   * checksums. Without a marker nothing after damage can be found again: the first bad length
   * (zero, too long, past the end) ends it, and the rest counts as one damaged record.
   */
  static SegmentContents readLegacy(byte[] data) {
    Offsets offsets = new Offsets();
    ByteBuffer b = ByteBuffer.wrap(data);
    int at = 0;
    while (at + 4 <= data.length) {
      int length = b.getInt(at);
      if (length < 1 || length > SegmentFormat.MAX_RECORD || length > data.length - at - 4) {
        break;
      }
      offsets.add(at + 4, length);
      at += 4 + length;
    }
    boolean damaged = at < data.length;
    return offsets.contents(data, damaged ? 1 : 0, data.length - at);
  }

  /** One pass over version-2 data. */
  private static final class Scan {
    private final byte[] data;
    private final ByteBuffer b;
    private final CRC32C crc = new CRC32C();
    private final Offsets offsets = new Offsets();

    Scan(byte[] data) {
      this.data = data;
      this.b = ByteBuffer.wrap(data);
    }

    SegmentContents records(int from) {
      int at = from;
      long wholeBytes = 0;
      List<int[]> stretches = new ArrayList<>(); // {bytes, markers} of each damaged stretch
      while (at < data.length) {
        int length = recordAt(at);
        if (length >= 0) {
          offsets.add(at + SegmentFormat.OVERHEAD, length);
          at += SegmentFormat.OVERHEAD + length;
          wholeBytes += SegmentFormat.OVERHEAD + length;
          continue;
        }
        // Damage: skip to the next whole record, counting the record markers it holds.
        int start = at;
        int markers = 0;
        do {
          if (isMarker(at)) {
            markers++;
          }
          at++;
        } while (at < data.length && recordAt(at) < 0);
        stretches.add(new int[] {at - start, markers});
      }
      // How many records a stretch held is not written anywhere: its markers, or its size over the
      // segment's mean record (a zero-filled region keeps no marker), whichever is more; at least
      // 1.
      double mean = offsets.count == 0 ? 0 : (double) wholeBytes / offsets.count;
      long damagedRecords = 0;
      long damagedBytes = 0;
      for (int[] s : stretches) {
        long bySize = mean == 0 ? 0 : Math.round(s[0] / mean);
        damagedRecords += Math.max(1, Math.max(s[1], bySize));
        damagedBytes += s[0];
      }
      return offsets.contents(data, damagedRecords, damagedBytes);
    }

    private boolean isMarker(int at) {
      return at + 4 <= data.length && b.getInt(at) == SegmentFormat.MARKER;
    }

    /** The payload length of the whole record at {@code at}, or -1 if none starts there. */
    private int recordAt(int at) {
      if (data.length - at < SegmentFormat.OVERHEAD || !isMarker(at)) {
        return -1;
      }
      int length = b.getInt(at + 4);
      if (length < 0
          || length > SegmentFormat.MAX_RECORD
          || length > data.length - at - SegmentFormat.OVERHEAD) {
        return -1;
      }
      return SegmentFormat.checksum(data, at + 4, length, crc) == b.getInt(at + 8) ? length : -1;
    }
  }

  /** Where each record's payload lies in the data, growing as records are found. */
  private static final class Offsets {
    private int[] starts = new int[256];
    private int[] lengths = new int[256];
    private int count;

    void add(int start, int length) {
      if (count == starts.length) {
        starts = Arrays.copyOf(starts, count * 2);
        lengths = Arrays.copyOf(lengths, count * 2);
      }
      starts[count] = start;
      lengths[count++] = length;
    }

    SegmentContents contents(byte[] data, long damagedRecords, long damagedBytes) {
      return new SegmentContents(
          data,
          Arrays.copyOf(starts, count),
          Arrays.copyOf(lengths, count),
          damagedRecords,
          damagedBytes);
    }
  }
}
