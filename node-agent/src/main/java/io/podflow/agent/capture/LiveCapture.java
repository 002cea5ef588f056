package io.podflow.agent.capture;

import io.podflow.agent.DaemonThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live capture on every interface that matches the configuration, each in its own thread with its
 * own sink (its own flow table): interfaces that appear are picked up at the next re-scan, and one
 * that vanishes ends its capture without affecting the others.
 */
public final class LiveCapture implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveCapture.class);

  private final CaptureConfig config;
  private final InterfaceMatcher matcher;
  private final Function<String, CaptureSink> sinks;
  private final Map<String, InterfaceCapture> captures = new ConcurrentHashMap<>();
  private final Map<String, Thread> threads = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scanner =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("podflow-interface-scan"));

  /**
   * @param sinks makes the sink of a newly captured interface (called on the scanning thread)
   */
  public LiveCapture(CaptureConfig config, Function<String, CaptureSink> sinks) {
    this.config = config;
    this.matcher = new InterfaceMatcher(config.interfaces());
    this.sinks = sinks;
  }

  /** Scans now, then every {@code rescanInterval}. */
  public void start() {
    scan();
    long every = config.rescanInterval().toMillis();
    scanner.scheduleWithFixedDelay(this::scan, every, every, TimeUnit.MILLISECONDS);
  }

  /** Whether this interface is being captured now. */
  public boolean captures(String name) {
    InterfaceCapture c = captures.get(name);
    return c != null && c.isCapturing();
  }

  /** Interfaces being captured now (their handles open). */
  public Set<String> interfaces() {
    return captures.values().stream()
        .filter(InterfaceCapture::isCapturing)
        .map(InterfaceCapture::name)
        .collect(Collectors.toSet());
  }

  /** Drop counters of one interface being captured, or null. */
  public CaptureStats stats(String interfaceName) {
    InterfaceCapture c = captures.get(interfaceName);
    return c == null ? null : c.stats();
  }

  /** Drop counters of every interface being captured. */
  public List<CaptureStats> stats() {
    return captures.values().stream().map(InterfaceCapture::stats).toList();
  }

  /** Scans the interface list once: starts captures on new matches, forgets ended ones. */
  public synchronized void scan() {
    captures
        .entrySet()
        .removeIf(e -> !e.getValue().isRunning() && !threads.get(e.getKey()).isAlive());
    threads.keySet().retainAll(captures.keySet());
    for (String name : matchingInterfaces()) {
      if (captures.containsKey(name)) {
        continue;
      }
      InterfaceCapture capture = new InterfaceCapture(name, config, sinks.apply(name));
      Thread thread = new Thread(capture, "podflow-capture-" + name);
      thread.setDaemon(true);
      captures.put(name, capture);
      threads.put(name, thread);
      thread.start();
      LOG.atInfo().addKeyValue("interface", name).log("capture started");
    }
  }

  private List<String> matchingInterfaces() {
    List<String> names = new ArrayList<>();
    if (config.interfaces().contains("any")) {
      names.add("any");
    }
    try {
      for (PcapNetworkInterface device : Pcaps.findAllDevs()) {
        if (!"any".equals(device.getName()) && matcher.matches(device.getName())) {
          names.add(device.getName());
        }
      }
    } catch (PcapNativeException e) {
      LOG.warn("cannot list interfaces: {}", e.getMessage());
    }
    return names;
  }

  /** Stops every capture and waits for their threads (each flushes through its sink). */
  @Override
  public synchronized void close() {
    scanner.shutdownNow();
    captures.values().forEach(InterfaceCapture::stop);
    for (Thread thread : threads.values()) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
