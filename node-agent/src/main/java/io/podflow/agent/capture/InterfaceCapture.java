package io.podflow.agent.capture;

import io.podflow.agent.capture.libpcap.LibpcapException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One interface's capture: opened by the scan, then read by the one {@link CaptureThread} it was
 * given until stopped or until the interface goes away (a pod was deleted): then its handle is
 * closed and its sink flushed, and the other interfaces carry on. Its sink is only ever called from
 * that thread.
 */
final class InterfaceCapture {
  private static final Logger LOG = LoggerFactory.getLogger(InterfaceCapture.class);

  private final String name;
  private final CaptureSink sink;
  private final CaptureFailures failures;
  private final long statsEveryNanos;
  private final AtomicReference<CaptureStats> stats;
  private CaptureSource source;
  private volatile boolean running = true;

  /** The handle is open: packets on the interface from now on are seen. */
  private volatile boolean capturing;

  /** The handle is closed and the sink flushed: nothing of this capture is left. */
  private volatile boolean ended;

  // Read and written by the capture thread only.
  private boolean readSinceTick;
  private long nextStats;

  InterfaceCapture(String name, CaptureConfig config, CaptureSink sink, CaptureFailures failures) {
    this.name = name;
    this.sink = sink;
    this.failures = failures;
    this.statsEveryNanos = config.statsInterval().toNanos();
    this.stats = new AtomicReference<>(new CaptureStats(name, 0, 0, 0));
  }

  String name() {
    return name;
  }

  CaptureStats stats() {
    return stats.get();
  }

  /**
   * Opens the handle (on the scanning thread: packets from now on wait in its ring for the capture
   * thread). When it cannot be opened the capture is over: a failure if the interface is still
   * there, the ordinary end of a deleted pod if not, and the sink is closed either way.
   *
   * @return whether it opened
   */
  boolean open(CaptureSource.Opener opener, CaptureConfig config) {
    try {
      source = opener.open(name, config);
    } catch (Exception | Error e) {
      if (!(e instanceof Error) && !failures.exists(name)) {
        LOG.atInfo()
            .addKeyValue("interface", name)
            .log("capture ended: the interface went ({})", e.getMessage());
      } else {
        LOG.atWarn().addKeyValue("interface", name).log("cannot capture: {}", e.toString());
        failures.failed(name, e);
      }
      end();
      return false;
    }
    capturing = true;
    failures.opened(name);
    nextStats = System.nanoTime() + statsEveryNanos;
    return true;
  }

  /** Asks the capture to end: its thread closes it at its next wake-up. */
  void stop() {
    running = false;
  }

  boolean isRunning() {
    return running;
  }

  boolean isCapturing() {
    return capturing;
  }

  /** Closed and flushed: the scan may forget it. */
  boolean isEnded() {
    return ended;
  }

  int selectableFd() {
    return source.selectableFd();
  }

  /** Whether packets were left in the ring by the last read (see {@link CaptureSource#backlog}). */
  boolean backlog() {
    return source.backlog();
  }

  /**
   * One wake-up of its thread: reads what poll said is there, lets time pass on a tick when nothing
   * came since the last one, and reads the drop counters when due.
   *
   * @param events what poll(2) returned for this capture's descriptor, 0 for none
   * @param tick whether a read timeout has passed since the last tick
   * @param nowNanos monotonic time, for the counters' schedule
   * @param wallNanos Unix time, for the flows
   * @return false once the capture has ended (stopped, gone or failed): drop it
   */
  boolean step(int events, boolean tick, long nowNanos, long wallNanos) {
    if (!running) {
      stopped();
      return false;
    }
    try {
      if (events != 0 && source.read(sink, events) > 0) {
        readSinceTick = true;
      }
      if (tick) {
        if (!readSinceTick) {
          sink.idle(wallNanos); // flows expire while nothing comes
        }
        readSinceTick = false;
      }
      if (nowNanos - nextStats >= 0) {
        readStats();
        nextStats = nowNanos + statsEveryNanos;
      }
      return true;
    } catch (LibpcapException e) {
      LOG.atInfo().addKeyValue("interface", name).log("capture ended: {}", e.getMessage());
    } catch (RuntimeException | Error e) {
      // A bug or the heap running out: said and counted, never a capture that just vanishes.
      LOG.atError().addKeyValue("interface", name).setCause(e).log("capture failed: {}", e);
      failures.failed(name, e);
    }
    close();
    return false;
  }

  /** Its thread failed (not the capture itself): counted as this interface's failure. */
  void failed(Throwable cause) {
    failures.failed(name, cause);
  }

  /**
   * Ends a capture asked to stop: what its ring holds is read first (packets that came since the
   * last wake-up, or since it was opened if its thread never read it), then it closes.
   */
  void stopped() {
    if (ended) {
      return;
    }
    try {
      do {
        source.read(sink, 0);
      } while (source.backlog());
    } catch (LibpcapException e) {
      LOG.atInfo().addKeyValue("interface", name).log("capture ended: {}", e.getMessage());
    } catch (RuntimeException | Error e) {
      LOG.atError().addKeyValue("interface", name).setCause(e).log("capture failed: {}", e);
      failures.failed(name, e);
    }
    close();
  }

  /** Ends the capture: last counters, handle closed, sink flushed. Once; on its thread. */
  void close() {
    if (ended) {
      return;
    }
    running = false;
    try {
      readStats();
      source.close();
    } catch (RuntimeException | Error e) {
      LOG.atWarn()
          .addKeyValue("interface", name)
          .log("closing the handle failed: {}", e.toString());
    } finally {
      capturing = false;
      end();
    }
  }

  private void end() {
    running = false;
    try {
      sink.closed();
    } catch (RuntimeException | Error e) {
      LOG.atError().addKeyValue("interface", name).setCause(e).log("flush failed: {}", e);
      failures.failed(name, e);
    } finally {
      ended = true;
    }
  }

  private void readStats() {
    CaptureStats now = source.stats(name);
    if (now != null) {
      stats.set(now);
    }
  }
}
