package io.podflow.agent.capture;

import io.podflow.agent.capture.CaptureFileReader.ByteSource;
import io.podflow.agent.capture.CaptureFileReader.Result;
import java.io.IOException;

/** Classic pcap: a 24-byte file header, then a 16-byte header per record. */
final class PcapParser {
  private PcapParser() {}

  static Result parse(ByteSource in, FrameHandler handler) throws IOException {
    int magic = in.intAt(0, true);
    boolean bigEndian;
    boolean nanos;
    switch (magic) {
      case 0xa1b2c3d4 -> {
        bigEndian = true;
        nanos = false;
      }
      case 0xd4c3b2a1 -> {
        bigEndian = false;
        nanos = false;
      }
      case 0xa1b23c4d -> {
        bigEndian = true;
        nanos = true;
      }
      case 0x4d3cb2a1 -> {
        bigEndian = false;
        nanos = true;
      }
      default ->
          throw new CaptureFileException(
              in.file()
                  + " is neither pcap nor pcapng (magic 0x"
                  + Integer.toHexString(magic)
                  + ")");
    }
    if (!in.ensure(24)) {
      throw in.damaged("the pcap file header is cut short");
    }
    int linkType = in.intAt(20, bigEndian) & 0x0fffffff; // upper bits: FCS length flags
    in.skip(24);
    long frames = 0;
    while (!in.atEnd()) {
      if (!in.ensure(16)) {
        return Result.cut(frames, "pcap", in.offset());
      }
      long seconds = in.intAt(0, bigEndian) & 0xffffffffL;
      long fraction = in.intAt(4, bigEndian) & 0xffffffffL;
      // Unsigned 32-bit in the file: widened before it is added to, so it cannot wrap round.
      long capturedField = in.intAt(8, bigEndian) & 0xffffffffL;
      int wire = in.intAt(12, bigEndian);
      if (capturedField > CaptureFileReader.MAX_FRAME) {
        throw in.damaged(
            "record "
                + (frames + 1)
                + " claims "
                + capturedField
                + " captured bytes (at most "
                + CaptureFileReader.MAX_FRAME
                + " are taken for a frame)");
      }
      int captured = (int) capturedField;
      if (!in.ensure(16 + captured)) {
        return Result.cut(frames, "pcap", in.offset());
      }
      long timestamp = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1_000L);
      handler.frame(
          in.buffer, in.start + 16, captured, Math.max(wire, captured), linkType, timestamp);
      frames++;
      in.skip(16 + captured);
    }
    return Result.whole(frames, "pcap");
  }
}
