package io.podflow.agent.capture;

import io.podflow.agent.capture.CaptureFileReader.ByteSource;
import io.podflow.agent.capture.CaptureFileReader.Result;
import java.io.IOException;

/**
 * pcapng: sections (SHB) of interfaces (IDB, each with its link type, timestamp resolution and
 * offset) and packets (EPB, SPB, and the obsolete PB). Other blocks are skipped.
 */
final class PcapngParser {
  private static final int SHB = 0x0a0d0d0a;
  private static final int IDB = 1;
  private static final int OBSOLETE_PB = 2;
  private static final int SPB = 3;
  private static final int EPB = 6;

  private final ByteSource in;
  private final FrameHandler handler;
  private boolean bigEndian;
  private int[] linkTypes = new int[4];
  private long[] tsMultiplier = new long[4];
  private long[] tsDivisor = new long[4];
  private int[] tsBinaryShift = new int[4];
  private long[] tsOffsetSeconds = new long[4];
  private int interfaces;
  private long frames;

  PcapngParser(ByteSource in, FrameHandler handler) {
    this.in = in;
    this.handler = handler;
  }

  Result parse() throws IOException {
    while (!in.atEnd()) {
      if (!in.ensure(12)) {
        return new Result(frames, true, "pcapng");
      }
      // The section header's type reads the same in both byte orders; it sets the order.
      int type = in.intAt(0, bigEndian);
      if (type == SHB) {
        bigEndian = in.intAt(8, true) == 0x1a2b3c4d;
        interfaces = 0;
      }
      int length = in.intAt(4, bigEndian);
      if (length < 12 || (length & 3) != 0) {
        throw new CaptureFileException(
            "pcapng block of length " + length + ": the file is damaged");
      }
      if (!in.ensure(length)) {
        return new Result(frames, true, "pcapng");
      }
      switch (type) {
        case IDB -> interfaceBlock(length);
        case EPB -> packet(length, false);
        case SPB -> simplePacket(length);
        case OBSOLETE_PB -> packet(length, true);
        default -> {
          // section header handled above; statistics, name resolution, ...: not needed
        }
      }
      in.skip(length);
    }
    return new Result(frames, false, "pcapng");
  }

  private void interfaceBlock(int length) {
    if (interfaces == linkTypes.length) {
      int n = interfaces * 2;
      linkTypes = java.util.Arrays.copyOf(linkTypes, n);
      tsMultiplier = java.util.Arrays.copyOf(tsMultiplier, n);
      tsDivisor = java.util.Arrays.copyOf(tsDivisor, n);
      tsBinaryShift = java.util.Arrays.copyOf(tsBinaryShift, n);
      tsOffsetSeconds = java.util.Arrays.copyOf(tsOffsetSeconds, n);
    }
    int i = interfaces++;
    linkTypes[i] = in.shortAt(8, bigEndian);
    tsMultiplier[i] = 1_000L; // default resolution: microseconds
    tsDivisor[i] = 1;
    tsBinaryShift[i] = -1;
    tsOffsetSeconds[i] = 0;
    int option = 16;
    while (option + 4 <= length - 4) {
      int code = in.shortAt(option, bigEndian);
      int optionLength = in.shortAt(option + 2, bigEndian);
      if (code == 0) {
        break;
      }
      if (code == 9 && optionLength >= 1) {
        resolution(i, in.buffer[in.start + option + 4] & 0xff);
      } else if (code == 14 && optionLength >= 8) {
        long high = in.intAt(option + 4, bigEndian) & 0xffffffffL;
        long low = in.intAt(option + 8, bigEndian) & 0xffffffffL;
        tsOffsetSeconds[i] = bigEndian ? (high << 32) | low : (low << 32) | high;
      }
      option += 4 + ((optionLength + 3) & ~3);
    }
  }

  private void resolution(int i, int tsresol) {
    int exponent = tsresol & 0x7f;
    if ((tsresol & 0x80) != 0) {
      tsBinaryShift[i] = exponent;
    } else if (exponent <= 9) {
      tsMultiplier[i] = pow10(9 - exponent);
      tsDivisor[i] = 1;
    } else {
      tsMultiplier[i] = 1;
      tsDivisor[i] = pow10(Math.min(exponent - 9, 18));
    }
  }

  /**
   * An Enhanced Packet Block, or the obsolete Packet Block, which differs only in a 16-bit
   * interface id (followed by a drops counter) where the EPB has 32 bits.
   */
  private void packet(int length, boolean obsolete) {
    int iface = obsolete ? in.shortAt(8, bigEndian) : in.intAt(8, bigEndian);
    long ticks =
        ((in.intAt(12, bigEndian) & 0xffffffffL) << 32) | (in.intAt(16, bigEndian) & 0xffffffffL);
    int captured = in.intAt(20, bigEndian);
    int wire = in.intAt(24, bigEndian);
    deliver(iface, ticks, 28, Math.min(captured, length - 32), wire);
  }

  private void simplePacket(int length) {
    int wire = in.intAt(8, bigEndian);
    deliver(0, Long.MIN_VALUE, 12, Math.min(wire, length - 16), wire);
  }

  private void deliver(int iface, long ticks, int dataOffset, int captured, int wire) {
    if (iface < 0 || iface >= interfaces || captured < 0) {
      throw new CaptureFileException("pcapng packet for unknown interface " + iface);
    }
    long timestamp = ticks == Long.MIN_VALUE ? 0 : nanos(iface, ticks);
    handler.frame(
        in.buffer,
        in.start + dataOffset,
        captured,
        Math.max(wire, captured),
        linkTypes[iface],
        timestamp);
    frames++;
  }

  private long nanos(int i, long ticks) {
    long offset = tsOffsetSeconds[i] * 1_000_000_000L;
    int shift = tsBinaryShift[i];
    if (shift >= 0) {
      long whole = ticks >>> shift;
      long fraction = ticks & ((1L << shift) - 1);
      return offset + whole * 1_000_000_000L + ((fraction * 1_000_000_000L) >>> shift);
    }
    return offset + (tsDivisor[i] == 1 ? ticks * tsMultiplier[i] : ticks / tsDivisor[i]);
  }

  private static long pow10(int n) {
    long v = 1;
    for (int k = 0; k < n; k++) {
      v *= 10;
    }
    return v;
  }
}
