package io.podflow.agent.enrich;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * {@link IpEntry}s by address in one open-addressing array, each entry holding its own address: a
 * lookup reads the slot and the entry, two cache misses where a {@code ConcurrentHashMap} of {@link
 * IpKey}s took four (table, node, key, value) plus the key's allocation. One writer at a time (the
 * caller synchronises); readers take no lock: slots are published with release and read with
 * acquire semantics, deletions leave a marker instead of moving entries (a reader never misses an
 * entry being moved), and growing or clearing markers builds a new array, published at once.
 *
 * <p>For caches of what was read: an entry replaced or removed is marked {@link
 * IpEntry#superseded()} once its successor is published, and each new address bumps a counter of
 * its stripe ({@link #absentStamp}), so that "nothing is known of this address" can be cached too
 * and is known to be out of date when the address appears.
 */
final class AddressIndex {
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(IpEntry[].class);
  private static final IpEntry DELETED = IpEntry.empty(-1, -1);
  private static final VarHandle STAMP = MethodHandles.arrayElementVarHandle(long[].class);
  private static final int STRIPES = 64;

  /** Per stripe of addresses (by hash), how many addresses were added to the index. */
  private final long[] added = new long[STRIPES];

  private volatile IpEntry[] slots = new IpEntry[1 << 10];
  private int used; // slots not null: entries and markers
  private int live;

  IpEntry get(long hi, long lo) {
    IpEntry[] s = slots;
    int mask = s.length - 1;
    for (int i = hash(hi, lo) & mask; ; i = (i + 1) & mask) {
      IpEntry e = (IpEntry) SLOT.getAcquire(s, i);
      if (e == null) {
        return null;
      }
      if (e != DELETED && e.lo() == lo && e.hi() == hi) {
        return e;
      }
    }
  }

  /** Adds or replaces the entry of {@code e}'s address. */
  void put(IpEntry e) {
    IpEntry[] s = slots;
    int mask = s.length - 1;
    int free = -1;
    for (int i = hash(e.hi(), e.lo()) & mask; ; i = (i + 1) & mask) {
      IpEntry at = s[i];
      if (at == null) {
        if (free < 0) {
          free = i;
          used++;
        }
        break;
      }
      if (at == DELETED) {
        if (free < 0) {
          free = i;
        }
      } else if (at.lo() == e.lo() && at.hi() == e.hi()) {
        SLOT.setRelease(s, i, e);
        at.supersede();
        return;
      }
    }
    SLOT.setRelease(s, free, e);
    // After the entry is visible: a reader that read the old count and then missed the entry
    // cached "absent" under a count that is now out of date.
    int stripe = hash(e.hi(), e.lo()) & (STRIPES - 1);
    STAMP.setRelease(added, stripe, added[stripe] + 1);
    live++;
    if (used * 2 > s.length) {
      rebuild();
    }
  }

  void remove(long hi, long lo) {
    IpEntry[] s = slots;
    int mask = s.length - 1;
    for (int i = hash(hi, lo) & mask; ; i = (i + 1) & mask) {
      IpEntry at = s[i];
      if (at == null) {
        return;
      }
      if (at != DELETED && at.lo() == lo && at.hi() == hi) {
        SLOT.setRelease(s, i, DELETED);
        at.supersede();
        live--;
        return;
      }
    }
  }

  /**
   * A count that changes whenever an address of {@code hi:lo}'s stripe is added: read it before
   * {@link #get} finds nothing, and "nothing known" holds while it is unchanged.
   */
  long absentStamp(long hi, long lo) {
    return (long) STAMP.getAcquire(added, hash(hi, lo) & (STRIPES - 1));
  }

  void forEach(Consumer<IpEntry> action) {
    for (IpEntry e : slots) {
      if (e != null && e != DELETED) {
        action.accept(e);
      }
    }
  }

  /** A new array for the live entries, at most a quarter full, published in one write. */
  private void rebuild() {
    int size = Integer.highestOneBit(Math.max(1 << 10, live * 4 - 1)) << 1;
    IpEntry[] next = new IpEntry[size];
    int mask = size - 1;
    for (IpEntry e : slots) {
      if (e != null && e != DELETED) {
        int i = hash(e.hi(), e.lo()) & mask;
        while (next[i] != null) {
          i = (i + 1) & mask;
        }
        next[i] = e;
      }
    }
    used = live;
    slots = next;
  }

  private static int hash(long hi, long lo) {
    long h = (lo ^ Long.rotateLeft(hi, 29)) * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}
