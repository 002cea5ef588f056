package io.podflow.agent.capture;

import io.podflow.agent.capture.libpcap.BatchReader;
import io.podflow.agent.capture.libpcap.LibpcapException;
import java.nio.file.Path;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;

/**
 * Reads a capture file through libpcap (opened by pcap4j, read in batches by {@link BatchReader}).
 * libpcap gives a whole file one link type, so a pcapng file whose interfaces have different link
 * types is read correctly only by {@link CaptureFileReader}.
 */
public final class LibpcapFileReader {
  private LibpcapFileReader() {}

  public static CaptureFileReader.Result read(Path file, FrameHandler handler) {
    try (PcapHandle handle =
        Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO)) {
      BatchReader reader = new BatchReader(handle);
      while (true) {
        try {
          if (reader.next(handler, handle) == BatchReader.END) {
            return CaptureFileReader.Result.whole(reader.delivered(), "libpcap");
          }
        } catch (LibpcapException e) {
          if (e.getMessage() != null && e.getMessage().contains("truncated")) {
            return CaptureFileReader.Result.cut(reader.delivered(), "libpcap", -1); // cut short
          }
          throw new CaptureFileException(
              "libpcap stopped reading "
                  + file
                  + " after "
                  + reader.delivered()
                  + " frames: "
                  + e.getMessage(),
              e);
        }
      }
    } catch (PcapNativeException e) {
      throw new CaptureFileException("libpcap cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
