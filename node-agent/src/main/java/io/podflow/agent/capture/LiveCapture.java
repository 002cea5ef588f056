package io.podflow.agent.capture;

import io.podflow.agent.DaemonThreads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live capture on every interface that matches the configuration, each with its own sink (its own
 * flow table), read by a few capture threads ({@code capture.threads}) that each poll many
 * interfaces: interfaces that appear are picked up at the next re-scan and given to the least
 * loaded thread, and one that vanishes (even between the scan and the opening of its handle) ends
 * its capture without affecting the others.
 *
 * <p>What it cannot do is said, not hidden: an interface that matches but cannot be captured (its
 * handle does not open, or its capture died) is listed by {@link #uncaptured} and tried again at
 * every re-scan; a re-scan that fails is logged, counted and shown by {@link #rescanFailure} until
 * one succeeds, and never stops the later ones; a thread that hit a {@link VirtualMachineError}
 * (the heap ran out) is kept in {@link #fatal}, since the agent can no longer be trusted to
 * capture.
 */
public final class LiveCapture implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveCapture.class);

  private final CaptureConfig config;
  private final InterfaceMatcher matcher;
  private final Function<String, CaptureSink> sinks;
  private final InterfaceLister lister;
  private final Predicate<String> exists;
  private final CaptureSource.Opener opener;
  private final CaptureThreads threads;
  private final Map<String, InterfaceCapture> captures = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scanner =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("podflow-interface-scan"));
  private final Map<String, String> uncaptured = new ConcurrentHashMap<>();
  private final AtomicLong rescanFailures = new AtomicLong();
  private final AtomicLong captureFailures = new AtomicLong();
  private volatile String rescanFailure;
  private volatile Throwable fatal;

  /** Guarded by this: set by {@link #close()}, after which no scan starts a capture. */
  private boolean closed;

  private final CaptureFailures failures =
      new CaptureFailures() {
        @Override
        public void opened(String name) {
          uncaptured.remove(name);
        }

        @Override
        public void failed(String name, Throwable cause) {
          captureFailures.incrementAndGet();
          uncaptured.put(name, describe(cause));
          noteFatal(cause);
        }

        @Override
        public boolean exists(String name) {
          return exists.test(name);
        }
      };

  /**
   * @param sinks makes the sink of a newly captured interface (called on the scanning thread)
   */
  public LiveCapture(CaptureConfig config, Function<String, CaptureSink> sinks) {
    this(config, sinks, LiveCapture::pcapInterfaces, LiveCapture::interfaceExists, Thread::new);
  }

  /**
   * @param exists whether an interface is still on the host (asked when its handle fails to open)
   * @param threads makes the capture threads (named and made daemons here)
   */
  LiveCapture(
      CaptureConfig config,
      Function<String, CaptureSink> sinks,
      InterfaceLister lister,
      Predicate<String> exists,
      ThreadFactory threads) {
    this(config, sinks, lister, exists, threads, LibpcapSource::open);
  }

  /**
   * @param opener opens an interface's capture (libpcap, or a test's stand-in)
   */
  LiveCapture(
      CaptureConfig config,
      Function<String, CaptureSink> sinks,
      InterfaceLister lister,
      Predicate<String> exists,
      ThreadFactory threads,
      CaptureSource.Opener opener) {
    this.config = config;
    this.matcher = new InterfaceMatcher(config.interfaces());
    this.sinks = sinks;
    this.lister = lister;
    this.exists = exists;
    this.threads = new CaptureThreads(config, threads);
    this.opener = opener;
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

  /** Interfaces that match but whose capture could not start or died, with why. */
  public Map<String, String> uncaptured() {
    return Map.copyOf(uncaptured);
  }

  /** Why the last re-scan failed, or null when it succeeded. */
  public String rescanFailure() {
    return rescanFailure;
  }

  /** Re-scans that failed since start. */
  public long rescanFailures() {
    return rescanFailures.get();
  }

  /** Captures that could not start or died since start. */
  public long captureFailures() {
    return captureFailures.get();
  }

  /** The error after which the agent cannot work (the heap ran out in a capture), or null. */
  public Throwable fatal() {
    return fatal;
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

  /**
   * Scans the interface list once: starts captures on new matches (and on those whose capture
   * failed), forgets ended ones. Never throws: the scheduler would run no later scan.
   */
  public synchronized void scan() {
    if (closed) {
      return; // a scheduled scan that waited for close() to finish must not start captures again
    }
    try {
      captures.values().removeIf(InterfaceCapture::isEnded);
      List<String> names = matchingInterfaces();
      uncaptured.keySet().retainAll(names); // a failed interface that vanished is not missed
      for (String name : names) {
        if (!captures.containsKey(name)) {
          startCapture(name);
        }
      }
      if (rescanFailure != null) {
        LOG.info("interface scan works again");
      }
      rescanFailure = null;
    } catch (Exception | Error e) {
      rescanFailures.incrementAndGet();
      rescanFailure = describe(e);
      noteFatal(e);
      LOG.atWarn()
          .setCause(e)
          .log("interface scan failed, next in {}: {}", config.rescanInterval(), e);
    }
  }

  /**
   * Opens the interface's handle here, then gives it to the least loaded capture thread. The thread
   * is chosen (and started, if new) first: when that fails the capture is not kept (it is tried
   * again at the next scan) and its sink is closed so its table's room goes back. A handle that
   * does not open is not kept either; its failure is listed (see {@link #uncaptured}).
   */
  private void startCapture(String name) {
    CaptureSink sink = sinks.apply(name);
    InterfaceCapture capture = new InterfaceCapture(name, config, sink, failures);
    CaptureThread thread;
    try {
      thread = threads.next();
    } catch (RuntimeException | Error e) {
      try {
        sink.closed();
      } catch (RuntimeException | Error closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    if (!capture.open(opener, config)) {
      return;
    }
    try {
      thread.add(capture);
    } catch (RuntimeException | Error e) {
      capture.close(); // the thread ended meanwhile: the next scan tries another
      throw e;
    }
    captures.put(name, capture);
    LOG.atInfo().addKeyValue("interface", name).log("capture started");
  }

  /** How many interfaces each capture thread holds, in the order the threads were made. */
  List<Integer> threadLoads() {
    synchronized (this) {
      return threads.loads();
    }
  }

  private List<String> matchingInterfaces() throws Exception {
    List<String> names = new ArrayList<>();
    if (config.interfaces().contains("any")) {
      names.add("any");
    }
    for (String name : lister.names()) {
      if (!"any".equals(name) && matcher.matches(name)) {
        names.add(name);
      }
    }
    return names;
  }

  /** Whether the kernel still has this interface ("any" is libpcap's, always there). */
  static boolean interfaceExists(String name) {
    return "any".equals(name) || Files.exists(Path.of("/sys/class/net", name));
  }

  private static List<String> pcapInterfaces() throws PcapNativeException {
    return Pcaps.findAllDevs().stream().map(PcapNetworkInterface::getName).toList();
  }

  private void noteFatal(Throwable e) {
    if (e instanceof VirtualMachineError && fatal == null) {
      fatal = e;
    }
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank()
        ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + message;
  }

  /** Stops every capture and waits for their threads (each capture flushes through its sink). */
  @Override
  public synchronized void close() {
    closed = true;
    scanner.shutdownNow();
    captures.values().forEach(InterfaceCapture::stop);
    try {
      threads.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
