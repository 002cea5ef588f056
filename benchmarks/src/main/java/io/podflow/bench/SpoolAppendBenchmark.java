package io.podflow.bench;

import io.podflow.agent.publish.Spool;
import io.podflow.agent.publish.SpoolFsync;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Appending a 110-byte record (a spooled flow record's size) to the agent's spool under each {@code
 * spool.fsync} policy, beside the reference: the same bytes written to a file with one write() each
 * and nothing else ({@code plain}). The spool adds a marker, length and CRC32C per record; {@code
 * interval} is fsynced once a second by a thread of its own, as the drainer does; {@code always}
 * fsyncs every record before the append returns. In the temporary directory's file system
 * (java.io.tmpdir), a fresh spool each iteration.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class SpoolAppendBenchmark {
  @Param({"plain", "never", "interval", "always"})
  String mode;

  private Path dir;
  private Spool spool;
  private FileChannel plain;
  private Thread syncer;
  private final byte[] record = new byte[110];
  private final ByteBuffer buffer = ByteBuffer.wrap(record);

  @Setup(Level.Iteration)
  public void setUp() throws IOException {
    new SplittableRandom(7).nextBytes(record);
    dir = Files.createTempDirectory("spool-bench");
    if (mode.equals("plain")) {
      plain =
          FileChannel.open(
              dir.resolve("plain"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return;
    }
    spool = new Spool(dir, 8L << 30, 16L << 20, SpoolFsync.parse(mode));
    Spool s = spool;
    syncer =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                s.syncIfDue();
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    syncer.start();
  }

  @Benchmark
  public void append() throws IOException {
    if (plain != null) {
      buffer.clear();
      while (buffer.hasRemaining()) {
        plain.write(buffer);
      }
    } else {
      spool.append(record);
    }
  }

  @TearDown(Level.Iteration)
  public void tearDown() throws Exception {
    if (syncer != null) {
      syncer.interrupt();
      syncer.join();
      syncer = null;
    }
    if (spool != null) {
      spool.close();
      spool = null;
    }
    if (plain != null) {
      plain.close();
      plain = null;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
