package io.podflow.processor.sink.opensearch;

import io.podflow.schema.ConnectionKey;

/**
 * A document's id: 128 bits (two differently seeded 64-bit hashes) of the fields that make the
 * document one, as 22 base64url characters. OpenSearch stores an id of that form as its 16 bytes,
 * where 32 hex digits would take 24.
 */
final class DocumentIds {
  private static final char[] BASE64URL =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();
  private static final long SPREAD = 0x5bd1e995L;

  private long a = 0x243F6A8885A308D3L;
  private long b = 0x13198A2E03707344L;

  DocumentIds text(String s) {
    for (int i = 0; i < s.length(); i++) {
      value(s.charAt(i));
    }
    return value(0); // a separator, so "ab","c" and "a","bc" differ
  }

  DocumentIds value(long v) {
    a = ConnectionKey.mix(a, v);
    b = ConnectionKey.mix(b ^ SPREAD, v);
    return this;
  }

  String id() {
    char[] out = new char[22];
    // 128 bits, six at a time from the top: 21 full characters and the last two bits.
    for (int i = 0; i < 22; i++) {
      int bit = 6 * i;
      long v;
      if (bit + 6 <= 64) {
        v = a >>> (58 - bit);
      } else if (bit < 64) {
        v = (a << (bit + 6 - 64)) | (b >>> (128 - bit - 6));
      } else if (bit + 6 <= 128) {
        v = b >>> (122 - bit);
      } else {
        v = b << 4; // the last character holds the two lowest bits, then four zero bits
      }
      out[i] = BASE64URL[(int) v & 0x3f];
    }
    return new String(out);
  }
}
