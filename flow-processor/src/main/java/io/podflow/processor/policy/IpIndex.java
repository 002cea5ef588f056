package io.podflow.processor.policy;

import java.util.HashMap;
import java.util.Map;

/**
 * Values by IP address, looked up without allocating: IPv4 addresses in an open-addressing table of
 * longs, IPv6 (rare for pods) in a map.
 */
final class IpIndex<V> {
  private long[] keys = new long[64];
  private Object[] values = new Object[64];
  private int size;
  private final Map<String, V> v6 = new HashMap<>();

  void put(byte[] ip, V value) {
    if (ip.length != 4) {
      v6.put(java.util.Arrays.toString(ip), value);
      return;
    }
    if (size * 2 >= keys.length) {
      grow();
    }
    insert(key(ip), value);
  }

  @SuppressWarnings("unchecked")
  V get(byte[] ip) {
    if (ip.length != 4) {
      return v6.get(java.util.Arrays.toString(ip));
    }
    long key = key(ip);
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      if (keys[i] == 0) {
        return null;
      }
      if (keys[i] == key) {
        return (V) values[i];
      }
    }
  }

  private void insert(long key, Object value) {
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (keys[i] != 0 && keys[i] != key) {
      i = (i + 1) & mask;
    }
    if (keys[i] == 0) {
      size++;
    }
    keys[i] = key;
    values[i] = value;
  }

  private void grow() {
    long[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new Object[oldKeys.length * 2];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != 0) {
        insert(oldKeys[i], oldValues[i]);
      }
    }
  }

  /** The address plus one bit, so that 0.0.0.0 is not the empty marker. */
  private static long key(byte[] ip) {
    return (1L << 32)
        | ((ip[0] & 0xffL) << 24)
        | ((ip[1] & 0xff) << 16)
        | ((ip[2] & 0xff) << 8)
        | (ip[3] & 0xff);
  }

  private static int slot(long key, int mask) {
    long h = key * 0x9e3779b97f4a7c15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }
}
