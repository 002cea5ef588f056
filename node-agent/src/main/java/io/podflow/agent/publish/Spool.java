package io.podflow.agent.publish;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * Records waiting on disk for Kafka, oldest first, in segment files of length-prefixed records.
 * Appends go to the tail segment; reads take the oldest closed segment into memory (the tail is
 * closed first when it is the only one), and a segment's file is deleted once all its records were
 * sent and committed. Bounded: a record that would take the spool over its size first drops the
 * oldest segment, whose records are counted as dropped. After a restart the directory is read again
 * from its oldest segment, so a crash between a send and its commit sends those records twice,
 * never loses them.
 */
public final class Spool implements AutoCloseable {
  private static final int MAX_RECORD = 1 << 20;

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;

  /** Closed segments, oldest first; the head's records are in {@link #head} once read. */
  private final Deque<Segment> closed = new ArrayDeque<>();

  private Segment tail;
  private FileChannel tailChannel;

  /** The head segment's records, once read; those before {@link #headSent} were committed. */
  private final ArrayList<byte[]> head = new ArrayList<>();

  private int headSent;
  private boolean headLoaded;
  private long bytes;
  private long records;
  private long dropped;
  private long nextNumber;
  private long generation;

  public Spool(Path dir, long maxBytes, long segmentBytes) {
    if (segmentBytes > maxBytes / 2) {
      throw new IllegalArgumentException("a spool segment must be at most half of the spool");
    }
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
    try {
      Files.createDirectories(dir);
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p :
            files.filter(f -> f.getFileName().toString().endsWith(".spool")).sorted().toList()) {
          Segment s = Segment.scan(p);
          if (s.records == 0) {
            Files.delete(p);
            continue;
          }
          closed.addLast(s);
          bytes += s.bytes;
          records += s.records;
          nextNumber = Math.max(nextNumber, s.number + 1);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the spool in " + dir, e);
    }
  }

  /** Adds a record at the tail, first dropping the oldest records if the spool would be full. */
  public synchronized void append(byte[] record) {
    long size = 4L + record.length;
    if (record.length > MAX_RECORD || size > maxBytes - segmentBytes) {
      dropped++;
      return;
    }
    try {
      while (bytes + size > maxBytes) {
        dropOldest();
      }
      if (tail == null || tail.bytes + size > segmentBytes) {
        closeTail();
        tail = new Segment(nextNumber++, dir.resolve(String.format("%016d.spool", nextNumber - 1)));
        tailChannel =
            FileChannel.open(tail.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      }
      ByteBuffer frame = ByteBuffer.allocate((int) size).putInt(record.length).put(record).flip();
      while (frame.hasRemaining()) {
        tailChannel.write(frame);
      }
      tail.bytes += size;
      tail.records++;
      bytes += size;
      records++;
    } catch (IOException e) {
      dropped++; // a full or failing disk: counted, and the agent carries on
      try {
        if (tailChannel != null) {
          tailChannel.truncate(tail.bytes); // no torn record for later ones to follow
        }
      } catch (IOException ignored) {
        closeTailQuietly();
      }
    }
  }

  /** Up to {@code max} of the oldest records; they stay in the spool until committed. */
  public synchronized List<byte[]> peek(int max) {
    return peek(0, max);
  }

  /**
   * Up to {@code max} records after the {@code skip} oldest (sent, not yet committed), from the
   * oldest segment only: a sender keeps that many in flight and commits them as they are
   * acknowledged.
   */
  public synchronized List<byte[]> peek(int skip, int max) {
    if (!headLoaded) {
      loadHead();
    }
    int from = headSent + skip;
    int to = Math.min(head.size(), from + max);
    return from >= to ? List.of() : new ArrayList<>(head.subList(from, to));
  }

  /** The {@code n} oldest records (as given by {@link #peek}) were sent: they leave the spool. */
  public synchronized void commit(int n) {
    int k = Math.min(n, head.size() - headSent);
    for (int i = 0; i < k; i++) {
      byte[] r = head.get(headSent);
      head.set(headSent++, null);
      bytes -= 4L + r.length;
      records--;
    }
    if (headLoaded && headSent == head.size()) {
      Segment done = closed.pollFirst();
      head.clear();
      headSent = 0;
      headLoaded = false;
      try {
        Files.deleteIfExists(done.path);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete the sent spool segment " + done.path, e);
      }
    }
  }

  /**
   * Changes when records handed out by {@link #peek} were dropped before being committed: a sender
   * keeping records in flight must then forget them (their commits would be wrong).
   */
  public synchronized long generation() {
    return generation;
  }

  public synchronized boolean isEmpty() {
    return records == 0;
  }

  public synchronized long bytes() {
    return bytes;
  }

  public synchronized long records() {
    return records;
  }

  /** How long the oldest record has waited, roughly (its segment's age); 0 when empty. */
  public synchronized long oldestAgeMillis(long nowMillis) {
    if (records == 0) {
      return 0;
    }
    Segment oldest = closed.isEmpty() ? tail : closed.peekFirst();
    return oldest == null ? 0 : Math.max(0, nowMillis - oldest.startedMillis);
  }

  /** Records dropped: the oldest when the spool was full, and any the disk refused. */
  public synchronized long dropped() {
    return dropped;
  }

  @Override
  public synchronized void close() throws IOException {
    closeTail();
  }

  private void loadHead() {
    try {
      if (closed.isEmpty()) {
        if (tail == null || tail.records == 0) {
          return;
        }
        closeTail(); // read only closed segments: new appends go to a new one
      }
      Segment s = closed.peekFirst();
      try (DataInputStream in =
          new DataInputStream(new BufferedInputStream(Files.newInputStream(s.path), 1 << 16))) {
        for (long i = 0; i < s.records; i++) {
          byte[] r = new byte[in.readInt()];
          in.readFully(r);
          head.add(r);
        }
      }
      headLoaded = true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the spool in " + dir, e);
    }
  }

  private void dropOldest() throws IOException {
    if (closed.isEmpty()) {
      closeTail();
    }
    if (headLoaded && closed.size() > 1) {
      // The head is being sent: drop the oldest segment behind it instead.
      Segment next = closed.stream().skip(1).findFirst().orElseThrow();
      closed.remove(next);
      dropped += next.records;
      records -= next.records;
      bytes -= next.bytes;
      Files.deleteIfExists(next.path);
      return;
    }
    generation++; // records handed out by peek() are gone: a sender must forget them
    Segment s = closed.pollFirst();
    long unsent = headLoaded ? head.size() - headSent : s.records;
    long unsentBytes = s.bytes;
    if (headLoaded) {
      unsentBytes = 0;
      for (int i = headSent; i < head.size(); i++) {
        unsentBytes += 4L + head.get(i).length;
      }
    }
    head.clear();
    headSent = 0;
    headLoaded = false;
    dropped += unsent;
    records -= unsent;
    bytes -= unsentBytes;
    Files.deleteIfExists(s.path);
  }

  private void closeTailQuietly() {
    try {
      closeTail();
    } catch (IOException e) {
      tailChannel = null;
      tail = null;
    }
  }

  private void closeTail() throws IOException {
    if (tailChannel != null) {
      tailChannel.close();
      tailChannel = null;
    }
    if (tail != null) {
      if (tail.records > 0) {
        closed.addLast(tail);
      } else {
        Files.deleteIfExists(tail.path);
      }
      tail = null;
    }
  }

  private static final class Segment {
    final long number;
    final Path path;
    long bytes;
    long records;

    /** When its first record was written (for a segment found at start: its file's time). */
    long startedMillis = System.currentTimeMillis();

    Segment(long number, Path path) {
      this.number = number;
      this.path = path;
    }

    /** Counts a segment's whole records; a record cut short by a crash ends it. */
    static Segment scan(Path path) throws IOException {
      String name = path.getFileName().toString();
      Segment s = new Segment(Long.parseLong(name.substring(0, name.indexOf('.'))), path);
      s.startedMillis = Files.getLastModifiedTime(path).toMillis();
      long size = Files.size(path);
      try (DataInputStream in =
          new DataInputStream(new BufferedInputStream(Files.newInputStream(path)))) {
        long at = 0;
        while (at + 4 <= size) {
          int length = in.readInt();
          if (length < 0 || length > MAX_RECORD || at + 4 + length > size) {
            break;
          }
          in.skipNBytes(length);
          at += 4 + length;
          s.records++;
        }
        s.bytes = at;
      }
      if (s.bytes < size) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
          ch.truncate(s.bytes); // later appends never follow a torn record
        }
      }
      return s;
    }
  }
}
