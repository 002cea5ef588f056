package io.podflow.agent.capture;

import io.podflow.agent.capture.CaptureFileReader.ByteSource;
import io.podflow.agent.capture.CaptureFileReader.Result;
import java.io.IOException;
import java.nio.file.Path;

/** Classic pcap: a 24-byte file header, then a 16-byte header per record. */
final class PcapParser {
  private PcapParser() {}

  static Result parse(ByteSource in, FrameHandler handler, Path file) throws IOException {
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
              file + " is neither pcap nor pcapng (magic 0x" + Integer.toHexString(magic) + ")");
    }
    if (!in.ensure(24)) {
      throw new CaptureFileException(file + ": pcap file header cut short");
    }
    int linkType = in.intAt(20, bigEndian) & 0x0fffffff; // upper bits: FCS length flags
    in.skip(24);
    long frames = 0;
    while (!in.atEnd()) {
      if (!in.ensure(16)) {
        return new Result(frames, true, "pcap");
      }
      long seconds = in.intAt(0, bigEndian) & 0xffffffffL;
      long fraction = in.intAt(4, bigEndian) & 0xffffffffL;
      int captured = in.intAt(8, bigEndian);
      int wire = in.intAt(12, bigEndian);
      if (captured < 0) {
        throw new CaptureFileException(file + ": record " + frames + " has a negative length");
      }
      if (!in.ensure(16 + captured)) {
        return new Result(frames, true, "pcap");
      }
      long timestamp = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1_000L);
      handler.frame(
          in.buffer, in.start + 16, captured, Math.max(wire, captured), linkType, timestamp);
      frames++;
      in.skip(16 + captured);
    }
    return new Result(frames, false, "pcap");
  }
}
