package io.podflow.agent.capture;

/**
 * Drop counters of one capture handle, as libpcap last read them: what the kernel dropped because
 * the buffer was full, and what the interface dropped. Cumulative since the handle opened.
 */
public record CaptureStats(
    String interfaceName, long received, long kernelDrops, long interfaceDrops) {}
