package io.podflow.agent.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Capture files as bytes, little-endian, Ethernet, one second apart: classic pcap (microseconds)
 * and pcapng (a section, one interface, enhanced packet blocks), with the offset of each record, so
 * that a test can damage one field of one record and say where.
 */
public final class CaptureBytes {
  /** Bytes of a pcap file's header and of a record's header. */
  public static final int PCAP_FILE_HEADER = 24;

  public static final int PCAP_RECORD_HEADER = 16;

  /** Bytes of the section header block and interface block that begin {@link #pcapng}. */
  public static final int PCAPNG_PREAMBLE = 28 + 20;

  private CaptureBytes() {}

  public static byte[] pcap(List<byte[]> frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer header = ByteBuffer.allocate(PCAP_FILE_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0);
    header.putInt(65535).putInt(1);
    out.writeBytes(header.array());
    int second = 1_700_000_000;
    for (byte[] frame : frames) {
      ByteBuffer record = ByteBuffer.allocate(PCAP_RECORD_HEADER).order(ByteOrder.LITTLE_ENDIAN);
      record.putInt(second++).putInt(0).putInt(frame.length).putInt(frame.length);
      out.writeBytes(record.array());
      out.writeBytes(frame);
    }
    return out.toByteArray();
  }

  /** Offset of record {@code index}'s header in {@link #pcap}'s bytes of the same frames. */
  public static int pcapRecordOffset(List<byte[]> frames, int index) {
    int offset = PCAP_FILE_HEADER;
    for (int i = 0; i < index; i++) {
      offset += PCAP_RECORD_HEADER + frames.get(i).length;
    }
    return offset;
  }

  public static byte[] pcapng(List<byte[]> frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer shb = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
    shb.putInt(0x0a0d0d0a).putInt(28).putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0);
    shb.putLong(-1).putInt(28);
    out.writeBytes(shb.array());
    ByteBuffer idb = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
    idb.putInt(1).putInt(20).putShort((short) 1).putShort((short) 0).putInt(0).putInt(20);
    out.writeBytes(idb.array());
    long micros = 1_700_000_000_000_000L;
    for (byte[] frame : frames) {
      int padded = (frame.length + 3) & ~3;
      int length = 32 + padded;
      ByteBuffer epb = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
      epb.putInt(6).putInt(length).putInt(0);
      epb.putInt((int) (micros >>> 32)).putInt((int) micros);
      epb.putInt(frame.length).putInt(frame.length).put(frame);
      epb.position(28 + padded);
      epb.putInt(length);
      out.writeBytes(epb.array());
      micros += 1_000_000;
    }
    return out.toByteArray();
  }

  /** Offset of packet block {@code index} in {@link #pcapng}'s bytes of the same frames. */
  public static int pcapngBlockOffset(List<byte[]> frames, int index) {
    int offset = PCAPNG_PREAMBLE;
    for (int i = 0; i < index; i++) {
      offset += 32 + ((frames.get(i).length + 3) & ~3);
    }
    return offset;
  }

  /** Writes a little-endian 32-bit value into {@code bytes} at {@code offset}. */
  public static void putInt(byte[] bytes, int offset, int value) {
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
  }
}
