package io.podflow.processor.sink.opensearch;

/** Document ids as 32 hex digits (two 64-bit hashes), written without {@code String.format}. */
final class DocumentIds {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private DocumentIds() {}

  static String hex(long a, long b) {
    char[] out = new char[32];
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
      out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
    }
    return new String(out);
  }
}
