package io.podflow.agent.capture;

import io.podflow.agent.capture.libpcap.LibpcapException;
import io.podflow.agent.capture.libpcap.PacketReader;
import java.nio.file.Path;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;

/**
 * Reads a capture file through libpcap (opened by pcap4j, read by {@link PacketReader}). libpcap
 * gives a whole file one link type, so a pcapng file whose interfaces have different link types is
 * read correctly only by {@link CaptureFileReader}.
 */
public final class LibpcapFileReader {
  private LibpcapFileReader() {}

  public static CaptureFileReader.Result read(Path file, FrameHandler handler) {
    try (PcapHandle handle =
        Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO)) {
      PacketReader reader = new PacketReader(handle);
      long frames = 0;
      while (true) {
        int result;
        try {
          result = reader.next(handler);
        } catch (LibpcapException e) {
          if (e.getMessage() != null && e.getMessage().contains("truncated")) {
            return new CaptureFileReader.Result(frames, true, "libpcap"); // file cut short
          }
          throw new CaptureFileException(
              "libpcap stopped reading " + file + " after " + frames + " frames: " + e.getMessage(),
              e);
        }
        if (result == PacketReader.END) {
          return new CaptureFileReader.Result(frames, false, "libpcap");
        }
        frames++;
      }
    } catch (PcapNativeException e) {
      throw new CaptureFileException("libpcap cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
