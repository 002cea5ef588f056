package io.podflow.agent.capture.libpcap;

import java.lang.reflect.Field;
import sun.misc.Unsafe;

/**
 * Reads libpcap's packet headers and bytes straight from native memory. A JNA {@code Pointer} read
 * is a JNI call each; these are JIT intrinsics, which is what makes the per-packet cost of reading
 * through libpcap a single native call ({@code pcap_next_ex}).
 */
final class NativeMemory {
  private static final Unsafe UNSAFE = unsafe();
  private static final long BYTE_ARRAY_BASE = UNSAFE.arrayBaseOffset(byte[].class);

  private NativeMemory() {}

  static long getLong(long address) {
    return UNSAFE.getLong(address);
  }

  static int getInt(long address) {
    return UNSAFE.getInt(address);
  }

  static void copy(long address, byte[] target, int length) {
    UNSAFE.copyMemory(null, address, target, BYTE_ARRAY_BASE, length);
  }

  private static Unsafe unsafe() {
    try {
      Field field = Unsafe.class.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      return (Unsafe) field.get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("sun.misc.Unsafe is not available", e);
    }
  }
}
