package io.podflow.agent.decode;

/** Big-endian reads from a byte array; callers check bounds first. */
final class Bytes {
  private Bytes() {}

  static int u8(byte[] b, int i) {
    return b[i] & 0xff;
  }

  static int u16(byte[] b, int i) {
    return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
  }

  static long u32(byte[] b, int i) {
    return ((long) (b[i] & 0xff) << 24)
        | ((b[i + 1] & 0xff) << 16)
        | ((b[i + 2] & 0xff) << 8)
        | (b[i + 3] & 0xff);
  }

  static long u64(byte[] b, int i) {
    return (u32(b, i) << 32) | u32(b, i + 4);
  }
}
