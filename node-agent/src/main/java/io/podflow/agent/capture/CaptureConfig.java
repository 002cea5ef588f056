package io.podflow.agent.capture;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the agent captures live.
 *
 * @param interfaces names or glob patterns of the interfaces to capture on ({@code veth*}, {@code
 *     cali*}, {@code lxc*}, {@code cni0}, or {@code any}); re-scanned, so pods' interfaces are
 *     picked up as they appear
 * @param bpfFilter a libpcap filter expression, or empty for every packet
 * @param snaplen bytes kept of each packet: 128 covers the headers, and podflow keeps no payload
 *     unless asked to
 * @param bufferBytes the kernel buffer of each capture handle
 * @param readTimeout how long libpcap may hold packets before delivering them in block mode, at
 *     most 100 ms; also the longest a capture thread waits, so new interfaces are read and quiet
 *     ones see time pass (flows expire) at least this often
 * @param immediateMode deliver every packet as it arrives (the default), read in batches at most
 *     {@code batchDelay} apart. Off, packets come in blocks the kernel retires at least every
 *     {@code readTimeout}, but the block not yet retired when the interface vanishes (a deleted
 *     pod's last 50 ms) is lost with it
 * @param batchDelay in immediate mode, how long the reader waits after the first packet wakes it,
 *     so that one wake-up reads many packets (0 to 100 ms, at most {@code readTimeout}): without it
 *     the kernel wakes the reader for nearly every packet, which under load costs more CPU than the
 *     rest of the capture (docs/BENCHMARKS.md). A packet is delivered at most this much later.
 * @param rescanInterval how often the interface list is scanned again
 * @param statsInterval how often kernel and interface drop counters are read
 * @param threads capture threads, each waiting for its share of the interfaces with one poll(2) and
 *     reading the ready ones: the cost follows packets, not interfaces (1 to 64)
 */
public record CaptureConfig(
    List<String> interfaces,
    String bpfFilter,
    int snaplen,
    int bufferBytes,
    Duration readTimeout,
    boolean immediateMode,
    Duration batchDelay,
    Duration rescanInterval,
    Duration statsInterval,
    int threads) {

  /** More would only add wake-ups: one thread reads over a million packets a second. */
  public static final int MAX_THREADS = 64;

  /** Kernel capture buffer per interface by default (docs/BENCHMARKS.md, "At node scale"). */
  public static final int DEFAULT_BUFFER_BYTES = 8 << 20;

  /** Capture threads by default (docs/BENCHMARKS.md, "At node scale"). */
  public static final int DEFAULT_THREADS = 1;

  public CaptureConfig {
    interfaces = List.copyOf(Objects.requireNonNull(interfaces, "interfaces"));
    if (interfaces.isEmpty()) {
      throw new IllegalArgumentException("capture needs at least one interface or pattern");
    }
    bpfFilter = bpfFilter == null ? "" : bpfFilter;
    if (snaplen < 64 || snaplen > 262_144) {
      throw new IllegalArgumentException("snaplen must be between 64 and 262144, not " + snaplen);
    }
    if (bufferBytes < 65_536) {
      throw new IllegalArgumentException("bufferBytes must be at least 65536, not " + bufferBytes);
    }
    if (readTimeout.isNegative() || readTimeout.isZero() || readTimeout.toMillis() > 100) {
      throw new IllegalArgumentException(
          "readTimeout must be between 1 and 100 ms, not " + readTimeout);
    }
    if (batchDelay.isNegative() || batchDelay.compareTo(readTimeout) > 0) {
      throw new IllegalArgumentException(
          "batchDelay must be between 0 and readTimeout (" + readTimeout + "), not " + batchDelay);
    }
    if (rescanInterval.isNegative() || rescanInterval.isZero()) {
      throw new IllegalArgumentException("rescanInterval must be positive");
    }
    if (statsInterval.isNegative() || statsInterval.isZero()) {
      throw new IllegalArgumentException("statsInterval must be positive");
    }
    if (threads < 1 || threads > MAX_THREADS) {
      throw new IllegalArgumentException(
          "threads must be between 1 and " + MAX_THREADS + ", not " + threads);
    }
  }

  /**
   * Headers only (128 bytes), an 8 MiB buffer, immediate mode read in batches 5 ms apart (50 ms
   * blocks when immediate mode is off), re-scan every 5 s, drops read every 10 s, one capture
   * thread.
   */
  public static CaptureConfig of(List<String> interfaces, String bpfFilter) {
    return new CaptureConfig(
        interfaces,
        bpfFilter,
        128,
        DEFAULT_BUFFER_BYTES,
        Duration.ofMillis(50),
        true,
        Duration.ofMillis(5),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        DEFAULT_THREADS);
  }

  public CaptureConfig withRescanInterval(Duration interval) {
    return new CaptureConfig(
        interfaces,
        bpfFilter,
        snaplen,
        bufferBytes,
        readTimeout,
        immediateMode,
        batchDelay,
        interval,
        statsInterval,
        threads);
  }

  public CaptureConfig withSnaplen(int bytes) {
    return new CaptureConfig(
        interfaces,
        bpfFilter,
        bytes,
        bufferBytes,
        readTimeout,
        immediateMode,
        batchDelay,
        rescanInterval,
        statsInterval,
        threads);
  }

  public CaptureConfig withImmediateMode(boolean immediate) {
    return new CaptureConfig(
        interfaces,
        bpfFilter,
        snaplen,
        bufferBytes,
        readTimeout,
        immediate,
        batchDelay,
        rescanInterval,
        statsInterval,
        threads);
  }

  public CaptureConfig withBufferBytes(int bytes) {
    return new CaptureConfig(
        interfaces,
        bpfFilter,
        snaplen,
        bytes,
        readTimeout,
        immediateMode,
        batchDelay,
        rescanInterval,
        statsInterval,
        threads);
  }

  public CaptureConfig withBatchDelay(Duration delay) {
    return new CaptureConfig(
        interfaces,
        bpfFilter,
        snaplen,
        bufferBytes,
        readTimeout,
        immediateMode,
        delay,
        rescanInterval,
        statsInterval,
        threads);
  }

  public CaptureConfig withThreads(int count) {
    return new CaptureConfig(
        interfaces,
        bpfFilter,
        snaplen,
        bufferBytes,
        readTimeout,
        immediateMode,
        batchDelay,
        rescanInterval,
        statsInterval,
        count);
  }
}
