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
  private static final int BYTE_ORDER_MAGIC = 0x1a2b3c4d;

  /** Each block type's fixed fields, with the block's type, length and trailing length. */
  private static final int MIN_SHB = 28;

  private static final int MIN_IDB = 20;
  private static final int MIN_PACKET = 32;
  private static final int MIN_SPB = 16;

  /** A binary timestamp resolution finer than 2^-63 s cannot be shifted in a long. */
  private static final int MAX_BINARY_EXPONENT = 63;

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
        return Result.cut(frames, "pcapng", in.offset());
      }
      // The section header's type reads the same in both byte orders; it sets the order.
      int type = in.intAt(0, bigEndian);
      if (type == SHB) {
        int byteOrder = in.intAt(8, true);
        if (byteOrder != BYTE_ORDER_MAGIC && byteOrder != Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
          throw in.damaged(
              "a section header whose byte-order magic is 0x" + Integer.toHexString(byteOrder));
        }
        bigEndian = byteOrder == BYTE_ORDER_MAGIC;
        interfaces = 0;
      }
      // Unsigned 32-bit in the file: widened, so a huge length is damage, not a negative one.
      long length = in.intAt(4, bigEndian) & 0xffffffffL;
      if (length < minimumLength(type) || (length & 3) != 0) {
        throw in.damaged(
            "a pcapng block of type "
                + Integer.toUnsignedString(type)
                + " and length "
                + length
                + " (at least "
                + minimumLength(type)
                + ", a multiple of 4)");
      }
      if (!in.ensure(length)) {
        return Result.cut(frames, "pcapng", in.offset());
      }
      // ensure() bounds a length to a frame and its headers: it fits an int from here on.
      int whole = (int) length;
      switch (type) {
        case IDB -> interfaceBlock(whole);
        case EPB -> packet(whole, false);
        case SPB -> simplePacket(whole);
        case OBSOLETE_PB -> packet(whole, true);
        default -> {
          // section header handled above; statistics, name resolution, ...: not needed
        }
      }
      in.skip(whole);
    }
    return Result.whole(frames, "pcapng");
  }

  private static int minimumLength(int type) {
    return switch (type) {
      case SHB -> MIN_SHB;
      case IDB -> MIN_IDB;
      case EPB, OBSOLETE_PB -> MIN_PACKET;
      case SPB -> MIN_SPB;
      default -> 12;
    };
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
      if (option + 4 + optionLength > length - 4) {
        throw in.damaged("an interface option of " + optionLength + " bytes runs past its block");
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
      if (exponent > MAX_BINARY_EXPONENT) {
        throw in.damaged("an interface's timestamp resolution of 2^-" + exponent + " s");
      }
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
    long captured = in.intAt(20, bigEndian) & 0xffffffffL;
    int wire = in.intAt(24, bigEndian);
    if (captured > length - MIN_PACKET) {
      throw in.damaged(
          "a packet block of " + length + " bytes claims " + captured + " captured bytes");
    }
    deliver(iface, ticks, 28, (int) captured, wire);
  }

  private void simplePacket(int length) {
    int wire = in.intAt(8, bigEndian);
    // The SPB has no captured length: what the block holds, at most the original length.
    long held = length - MIN_SPB;
    deliver(0, Long.MIN_VALUE, 12, (int) Math.min(wire & 0xffffffffL, held), wire);
  }

  private void deliver(int iface, long ticks, int dataOffset, int captured, int wire) {
    if (iface < 0 || iface >= interfaces) {
      throw in.damaged(
          "a packet for interface "
              + Integer.toUnsignedString(iface)
              + " of a section with "
              + interfaces);
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
