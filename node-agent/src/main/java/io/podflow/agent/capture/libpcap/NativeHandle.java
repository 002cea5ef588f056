package io.podflow.agent.capture.libpcap;

import com.sun.jna.Pointer;
import java.lang.reflect.Field;
import org.pcap4j.core.PcapHandle;

/** The native {@code pcap_t *} behind a pcap4j handle, for the calls podflow binds itself. */
final class NativeHandle {
  private static final Field HANDLE_FIELD = handleField();

  private NativeHandle() {}

  static long address(PcapHandle handle) {
    try {
      return Pointer.nativeValue((Pointer) HANDLE_FIELD.get(handle));
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot reach pcap4j's native handle", e);
    }
  }

  private static Field handleField() {
    try {
      Field field = PcapHandle.class.getDeclaredField("handle");
      field.setAccessible(true);
      return field;
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException("this pcap4j has no PcapHandle.handle field", e);
    }
  }
}
