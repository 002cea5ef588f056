package io.podflow.processor.sink.opensearch;

/** Delays between attempts: doubling from the first to the cap, back to the first on success. */
final class Backoff {
  private final long firstMillis;
  private final long capMillis;
  private long nextMillis;

  Backoff(long firstMillis, long capMillis) {
    if (firstMillis <= 0 || capMillis < firstMillis) {
      throw new IllegalArgumentException("backoff needs 0 < first <= cap");
    }
    this.firstMillis = firstMillis;
    this.capMillis = capMillis;
    this.nextMillis = firstMillis;
  }

  /** The delay before the next attempt; the one after is twice as long, up to the cap. */
  long next() {
    long d = nextMillis;
    nextMillis = Math.min(capMillis, nextMillis * 2);
    return d;
  }

  void reset() {
    nextMillis = firstMillis;
  }
}
