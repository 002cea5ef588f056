package io.podflow.agent.capture.libpcap;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.podflow.agent.capture.FrameHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.pcap4j.core.PcapHandle;

/**
 * Reads packets from a pcap4j handle a batch at a time: one JNI call (src/main/c) runs libpcap's
 * {@code pcap_next_ex} for up to 256 packets and copies each straight into a Java array. A JNA call
 * per packet costs more than a C flow meter's whole per-packet work; per batch it disappears. Files
 * are read in blocking mode; a live handle in non-blocking mode gives what its ring holds.
 */
public final class BatchReader {
  private static final int MAX_CAPACITY = 4 << 20;
  private static final int MAX_PACKETS = 256;
  private static final long NEXT_EX;
  private static final int FIRST_RECORD = 8;
  private static final int PIN_FAILED = -3;
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());

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
  private final int snapshot;

  /** Room for MAX_PACKETS of the handle's snapshot length: 38 KB for a 128-byte live capture. */
  private final byte[] batch;

  private long delivered;

  /** The last batch stopped because the array or the packet count was full, not the input. */
  private boolean full;

  public BatchReader(PcapHandle handle) {
    this.pcap = NativeHandle.address(handle);
    this.linkType = handle.getDlt().value();
    this.snapshot = snapshot(handle);
    long record = 24 + ((snapshot + 7) & ~7L);
    this.batch =
        new byte
            [(int) (FIRST_RECORD + Math.max(record, Math.min(MAX_CAPACITY, MAX_PACKETS * record)))];
  }

  private static int snapshot(PcapHandle handle) {
    try {
      int length = handle.getSnapshot();
      return length > 0 && length <= 262_144 ? length : 262_144;
    } catch (org.pcap4j.core.NotOpenException e) {
      throw new LibpcapException("the handle is closed", e);
    }
  }

  private static native int nextBatch(
      long nextEx, long pcap, byte[] batch, int maxPackets, int snapshot);

  /**
   * Reads and delivers one batch.
   *
   * @return the packets delivered, or {@link #END} once the file is done
   * @throws LibpcapException when libpcap reports an error (after delivering what it read)
   */
  public int next(FrameHandler handler, PcapHandle handle) {
    int n = nextBatch(NEXT_EX, pcap, batch, MAX_PACKETS, snapshot);
    if (n == PIN_FAILED) {
      throw new LibpcapException("the JVM could not pin the batch array");
    }
    int result = (int) INT.get(batch, 0);
    full = result == 1;
    if (n > 0) {
      deliver(n, handler);
      delivered += n;
    }
    if (result == -1) {
      throw new LibpcapException(error(handle));
    }
    return n == 0 && result == -2 ? END : n;
  }

  /** Whether the last {@link #next} stopped for room, not because libpcap had no more. */
  public boolean full() {
    return full;
  }

  /** Frames delivered so far. */
  public long delivered() {
    return delivered;
  }

  private void deliver(int n, FrameHandler handler) {
    int at = FIRST_RECORD;
    for (int i = 0; i < n; i++) {
      long seconds = (long) LONG.get(batch, at);
      long nanos = (long) LONG.get(batch, at + 8);
      int captured = (int) INT.get(batch, at + 16);
      int wire = (int) INT.get(batch, at + 20);
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
