package io.podflow.agent.capture.libpcap;

import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.podflow.agent.capture.FrameHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.pcap4j.core.PcapHandle;

/**
 * Reads packets from a pcap4j handle a batch at a time: one JNI call (src/main/c) runs libpcap's
 * {@code pcap_next_ex} for up to 256 packets and copies them into native memory, and one copy
 * brings the batch into a Java array. A JNA call per packet costs more than a C flow meter's whole
 * per-packet work; per batch it disappears. Used for files, where packets are always ready.
 */
public final class BatchReader {
  private static final int CAPACITY = 4 << 20;
  private static final int MAX_PACKETS = 256;
  private static final long NEXT_EX;

  static {
    loadLibrary();
    NEXT_EX =
        Pointer.nativeValue(
            NativeLibrary.getInstance(System.getProperty("org.pcap4j.core.pcapLibName", "pcap"))
                .getFunction("pcap_next_ex"));
  }

  /** Result of {@link #next}: libpcap reached the end of the file and all was delivered. */
  public static final int END = -2;

  private final long pcap;
  private final int linkType;
  private final Memory nativeBuffer = new Memory(CAPACITY);
  private final Memory status = new Memory(4);
  private final long bufferAddress = Pointer.nativeValue(nativeBuffer);
  private final long statusAddress = Pointer.nativeValue(status);
  private final byte[] batch = new byte[CAPACITY];
  private long delivered;

  public BatchReader(PcapHandle handle) {
    this.pcap = NativeHandle.address(handle);
    this.linkType = handle.getDlt().value();
  }

  private static native int nextBatch(
      long nextEx, long pcap, long buffer, int capacity, int maxPackets, long statusOut);

  /**
   * Reads and delivers one batch.
   *
   * @return the packets delivered, or {@link #END} once the file is done
   * @throws LibpcapException when libpcap reports an error (after delivering what it read)
   */
  public int next(FrameHandler handler, PcapHandle handle) {
    int n = nextBatch(NEXT_EX, pcap, bufferAddress, CAPACITY, MAX_PACKETS, statusAddress);
    int result = NativeMemory.getInt(statusAddress);
    if (n > 0) {
      deliver(n, handler);
      delivered += n;
    }
    if (result == -1) {
      throw new LibpcapException(error(handle));
    }
    return n == 0 && result == -2 ? END : n;
  }

  /** Frames delivered so far. */
  public long delivered() {
    return delivered;
  }

  private void deliver(int n, FrameHandler handler) {
    int used = 0;
    for (int i = 0; i < n; i++) {
      int captured = NativeMemory.getInt(bufferAddress + used + 16);
      used += 24 + ((captured + 7) & ~7);
    }
    NativeMemory.copy(bufferAddress, batch, used);
    int at = 0;
    for (int i = 0; i < n; i++) {
      long seconds = NativeMemory.getLong(bufferAddress + at);
      long nanos = NativeMemory.getLong(bufferAddress + at + 8);
      int captured = NativeMemory.getInt(bufferAddress + at + 16);
      int wire = NativeMemory.getInt(bufferAddress + at + 20);
      handler.frame(
          batch,
          at + 24,
          captured,
          Math.max(wire, captured),
          linkType,
          seconds * 1_000_000_000L + nanos);
      at += 24 + ((captured + 7) & ~7);
    }
  }

  private static String error(PcapHandle handle) {
    try {
      return handle.getError();
    } catch (org.pcap4j.core.NotOpenException e) {
      return "the handle is closed";
    }
  }

  private static void loadLibrary() {
    String resource = "native/linux-" + System.getProperty("os.arch") + "/libpodflow_pcap.so";
    try (InputStream in = BatchReader.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new UnsatisfiedLinkError("no " + resource + " in this build of podflow");
      }
      Path file = Files.createTempFile("podflow-pcap-", ".so");
      file.toFile().deleteOnExit();
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      System.load(file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack " + resource, e);
    }
  }
}
