package io.podflow.agent.publish;

import java.util.Locale;

/**
 * When the spool asks the kernel to put what it wrote on the disk ({@code spool.fsync}). Written
 * records survive the agent's own crash in every mode (they are in the page cache); the mode only
 * decides what a crash of the node itself (power, kernel) may take. Costs: docs/BENCHMARKS.md.
 */
public enum SpoolFsync {
  /** Never: the kernel writes back when it likes (about 30 s on Linux defaults). */
  NEVER,
  /** The default: at most about a second of spooled records at risk, for one fsync a second. */
  INTERVAL,
  /** Every record, before the append returns: nothing at risk, at a disk's fsync per record. */
  ALWAYS;

  public static SpoolFsync parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "spool.fsync must be never, interval or always, not '" + text + "'");
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
