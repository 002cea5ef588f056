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
 *     most 100 ms
 * @param immediateMode deliver every packet as it arrives (the default). Off, packets come in
 *     blocks retired at least every {@code readTimeout}: about a third of the CPU under load
 *     (docs/BENCHMARKS.md), but the block not yet retired when the interface vanishes (a deleted
 *     pod's last 50 ms) is lost with it
 * @param rescanInterval how often the interface list is scanned again
 * @param statsInterval how often kernel and interface drop counters are read
 */
public record CaptureConfig(
    List<String> interfaces,
    String bpfFilter,
    int snaplen,
    int bufferBytes,
    Duration readTimeout,
    boolean immediateMode,
    Duration rescanInterval,
    Duration statsInterval) {

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
    if (rescanInterval.isNegative() || rescanInterval.isZero()) {
      throw new IllegalArgumentException("rescanInterval must be positive");
    }
    if (statsInterval.isNegative() || statsInterval.isZero()) {
      throw new IllegalArgumentException("statsInterval must be positive");
    }
  }

  /**
   * Headers only (128 bytes), an 8 MiB buffer, packets delivered in blocks at least every 50 ms,
   * re-scan every 5 s, drops read every 10 s.
   */
  public static CaptureConfig of(List<String> interfaces, String bpfFilter) {
    return new CaptureConfig(
        interfaces,
        bpfFilter,
        128,
        8 << 20,
        Duration.ofMillis(50),
        true,
        Duration.ofSeconds(5),
        Duration.ofSeconds(10));
  }

  public CaptureConfig withRescanInterval(Duration interval) {
    return new CaptureConfig(
        interfaces,
        bpfFilter,
        snaplen,
        bufferBytes,
        readTimeout,
        immediateMode,
        interval,
        statsInterval);
  }

  public CaptureConfig withSnaplen(int bytes) {
    return new CaptureConfig(
        interfaces,
        bpfFilter,
        bytes,
        bufferBytes,
        readTimeout,
        immediateMode,
        rescanInterval,
        statsInterval);
  }

  public CaptureConfig withImmediateMode(boolean immediate) {
    return new CaptureConfig(
        interfaces,
        bpfFilter,
        snaplen,
        bufferBytes,
        readTimeout,
        immediate,
        rescanInterval,
        statsInterval);
  }
}
