package io.podflow.agent.publish;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The spool's segment format, version 2: an 8-byte header ({@code PFSG}, the version byte, three
 * zero bytes), then records, each a sync marker, the payload's length, a CRC32C of length and
 * payload, and the payload. The marker lets a reader find the next whole record after damage (a
 * torn write, a zero-filled region a crash left, a flipped bit) instead of giving up on everything
 * that follows; the checksum tells a whole record from damage. Segments of agents before version 2
 * ({@code NNNN.spool}) have no header and plain length-prefixed records; {@link SegmentReader}
 * reads both.
 */
final class SegmentFormat {
  static final byte VERSION = 2;
  static final int HEADER = 8;

  /** Marker, length, checksum. */
  static final int OVERHEAD = 12;

  /** No bigger record is written, so a longer length field is damage. */
  static final int MAX_RECORD = 1 << 20;

  /** Not zero (a zero-filled region is no record), not ASCII, not a plausible length. */
  static final int MARKER = 0xB59F2AD3;

  private static final int MAGIC = 0x50465347; // "PFSG"

  private SegmentFormat() {}

  static void writeHeader(ByteBuffer out) {
    out.putInt(MAGIC).put(VERSION).put((byte) 0).put((byte) 0).put((byte) 0);
  }

  /** Whether the data starts with a header, of whatever version. */
  static boolean hasMagic(byte[] data) {
    return data.length >= HEADER && ByteBuffer.wrap(data).getInt(0) == MAGIC;
  }

  static int version(byte[] data) {
    return data[4];
  }

  /** Frames {@code record} into {@code out} (which has room for it); {@code crc} is reused. */
  static void writeRecord(ByteBuffer out, byte[] record, CRC32C crc) {
    crc.reset();
    int length = record.length;
    crc.update(length >>> 24);
    crc.update(length >>> 16);
    crc.update(length >>> 8);
    crc.update(length);
    crc.update(record, 0, length);
    out.putInt(MARKER).putInt(length).putInt((int) crc.getValue()).put(record);
  }

  /** The checksum of the length field and payload at {@code at} (the length field's offset). */
  static int checksum(byte[] data, int lengthAt, int length, CRC32C crc) {
    crc.reset();
    crc.update(data, lengthAt, 4);
    crc.update(data, lengthAt + 8, length);
    return (int) crc.getValue();
  }
}
