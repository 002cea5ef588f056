package io.podflow.agent.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records waiting on disk for Kafka, oldest first, in segment files ({@link SegmentFormat}: a
 * checksum and a sync marker per record). Appends go to the tail segment; reads take the oldest
 * closed segment into memory (the tail is closed first when it is the only one), and a segment's
 * file is deleted once all its records were sent and committed; how far the oldest was sent is kept
 * in a {@link CommitPosition} file, so a restart resends only what was in flight, never loses it.
 *
 * <p>Damage (a record torn by a crash, a zero-filled region, a flipped bit) costs the records it
 * touched, counted in {@link #damaged()} and {@link #dropped()}; reading goes on at the next whole
 * record. Segments of older agents ({@code NNNN.spool}, no checksums) are read up to their first
 * bad length; segments of a newer format version and files that are no segment are left alone, with
 * a log line.
 *
 * <p>Bounded: a record that would take the spool over its size first drops whole segments, oldest
 * first, but not the one being sent (its records may be in the producer already) unless it is the
 * only one left; dropped records are counted. What the kernel is asked to put on the disk, and
 * when, is a {@link SpoolFsync}.
 */
public final class Spool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
  private static final Pattern SEGMENT = Pattern.compile("(\\d{1,18})\\.(seg|spool)");
  private static final long SYNC_INTERVAL_NANOS = 1_000_000_000L;

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final SpoolFsync fsync;
  private final CommitPosition position;
  private final CRC32C crc = new CRC32C();
  private ByteBuffer frame = ByteBuffer.allocate(4096);

  /** Closed segments, oldest first; the head's records are in {@link #head} once read. */
  private final Deque<Segment> closed = new ArrayDeque<>();

  private Segment tail;
  private FileChannel tailChannel;

  /** Former tails with writes not yet synced ({@link SpoolFsync#INTERVAL}); synced, then closed. */
  private final List<FileChannel> retired = new ArrayList<>();

  /** The head segment's records, once read; those before {@link #headSent} were committed. */
  private SegmentContents head;

  private int headSent;

  /** Records of the head up to here are with the sender (see {@link #peek(int, int)}). */
  private int headHandedOut;

  /** Interval fsyncs of the tail done by {@link #syncIfDue()}. */
  private final AtomicLong syncs = new AtomicLong();

  private long bytes;
  private long records;
  private long dropped;
  private long damaged;
  private long nextNumber;
  private long generation;
  private boolean unsynced;

  /** Appends are failing; logged when this starts, not for every record. */
  private boolean failing;

  private long lastSyncNanos = System.nanoTime();

  public Spool(Path dir, long maxBytes, long segmentBytes) {
    this(dir, maxBytes, segmentBytes, SpoolFsync.INTERVAL);
  }

  public Spool(Path dir, long maxBytes, long segmentBytes, SpoolFsync fsync) {
    if (segmentBytes > maxBytes / 2) {
      throw new IllegalArgumentException("a spool segment must be at most half of the spool");
    }
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
    this.fsync = fsync;
    this.position = new CommitPosition(dir);
    try {
      SpoolPermissions.ownerOnlyDirectory(dir);
      open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the spool in " + dir, e);
    }
  }

  /** Reads the segments a previous run left, oldest first; other files are left alone. */
  private void open() throws IOException {
    List<Segment> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.sorted().toList()) {
        String name = p.getFileName().toString();
        Matcher m = SEGMENT.matcher(name);
        if (name.equals(CommitPosition.FILE)) {
          continue;
        }
        if (!m.matches() || !Files.isRegularFile(p)) {
          LOG.warn("ignoring {} in the spool directory {}: not a spool segment", name, dir);
          continue;
        }
        long number = Long.parseLong(m.group(1));
        nextNumber = Math.max(nextNumber, number + 1);
        found.add(new Segment(number, p, m.group(2).equals("spool")));
      }
    }
    found.sort(Comparator.comparingLong(s -> s.number));
    CommitPosition.Position sent = position.read();
    // A new segment must never reuse the number the position names (its file may be gone): the
    // position would then skip the new segment's first records as sent.
    nextNumber = Math.max(nextNumber, sent.segment() + 1);
    for (Segment s : found) {
      SegmentContents c = readOrSetAside(s);
      if (c == null) {
        continue;
      }
      countDamage(s, c);
      s.bytes = c.data().length;
      s.records = c.count();
      s.startedMillis = Files.getLastModifiedTime(s.path).toMillis();
      if (closed.isEmpty() && s.number == sent.segment()) {
        s.skip = (int) Math.min(sent.sent(), c.count());
        for (int i = 0; i < s.skip; i++) {
          s.released += c.framedBytes(i, s.legacy);
        }
        s.records -= s.skip;
      }
      if (s.records == 0) {
        Files.delete(s.path);
        continue;
      }
      closed.addLast(s);
      bytes += s.bytes - s.released;
      records += s.records;
    }
  }

  /** The segment's records, or null when it cannot be read (then it is left alone, logged). */
  private SegmentContents readOrSetAside(Segment s) {
    try {
      byte[] data = Files.readAllBytes(s.path);
      if (s.legacy) {
        LOG.info("reading spool segment {} of an older agent (no checksums)", s.path);
        return SegmentReader.readLegacy(data);
      }
      return SegmentReader.read(data);
    } catch (SegmentReader.UnknownVersionException e) {
      LOG.warn("leaving spool segment {} alone: {}", s.path, e.getMessage());
    } catch (IOException e) {
      LOG.error("cannot read spool segment {}, leaving it: {}", s.path, e.toString());
    }
    return null;
  }

  /** Damage not counted yet (a segment is read at start and again when sent) is counted once. */
  private void countDamage(Segment s, SegmentContents c) {
    long fresh = c.damagedRecords() - s.damageCounted;
    if (fresh > 0) {
      s.damageCounted = c.damagedRecords();
      damaged += fresh;
      dropped += fresh;
      LOG.warn(
          "spool segment {}: {} damaged records skipped ({} bytes), {} whole records kept",
          s.path,
          fresh,
          c.damagedBytes(),
          c.count());
    }
  }

  /** Adds a record at the tail, first dropping the oldest records if the spool would be full. */
  public synchronized void append(byte[] record) {
    long size = SegmentFormat.OVERHEAD + (long) record.length;
    if (record.length > SegmentFormat.MAX_RECORD || size > maxBytes - segmentBytes) {
      dropped++;
      return;
    }
    try {
      while (bytes + size + SegmentFormat.HEADER > maxBytes && dropOldest()) {
        // dropped the oldest segment not being sent
      }
      if (tail == null || tail.bytes + size > segmentBytes) {
        openTail();
      }
      if (frame.capacity() < size) {
        frame = ByteBuffer.allocate((int) size);
      }
      frame.clear();
      SegmentFormat.writeRecord(frame, record, crc);
      write(frame.flip());
      tail.bytes += size;
      tail.records++;
      bytes += size;
      records++;
      if (fsync == SpoolFsync.ALWAYS) {
        tailChannel.force(false);
      } else {
        unsynced = true;
      }
      failing = false;
    } catch (IOException e) {
      dropped++; // a full or failing disk: counted, and the agent carries on
      logFailure(e);
      try {
        if (tailChannel != null) {
          tailChannel.truncate(tail.bytes); // no torn record for later ones to follow
        }
      } catch (IOException ignored) {
        closeTailQuietly();
      }
    } catch (RuntimeException e) {
      // Never into the caller (the capture thread, a Kafka callback): counted like a refused write.
      dropped++;
      logFailure(e);
      closeTailQuietly();
    }
  }

  /** Once per run of failures, not once per record. */
  private void logFailure(Exception e) {
    if (!failing) {
      failing = true;
      LOG.warn("cannot append to the spool in {}, dropping records: {}", dir, e.toString());
    }
  }

  /**
   * A new tail, set only once its file is open with its header: a failed open (no file handles, no
   * inodes) leaves no tail, and the next append tries again with the same number.
   */
  private void openTail() throws IOException {
    closeTail();
    long number = nextNumber;
    Segment opened = new Segment(number, dir.resolve(String.format("%016d.seg", number)), false);
    FileChannel channel =
        FileChannel.open(
            opened.path,
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            SpoolPermissions.FILE_ATTRIBUTE);
    try {
      ByteBuffer header = ByteBuffer.allocate(SegmentFormat.HEADER);
      SegmentFormat.writeHeader(header);
      header.flip();
      while (header.hasRemaining()) {
        channel.write(header);
      }
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      Files.deleteIfExists(opened.path);
      throw e;
    }
    nextNumber++;
    opened.bytes = SegmentFormat.HEADER;
    bytes += SegmentFormat.HEADER;
    tail = opened;
    tailChannel = channel;
  }

  private void write(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      tailChannel.write(b);
    }
  }

  /**
   * With {@link SpoolFsync#INTERVAL}, fsyncs what was appended if the last fsync is a second old,
   * and former tails not yet synced; called often by a {@link SpoolSyncSchedule}. The fsync runs
   * outside the spool's lock, so appends (the capture thread) never wait for the disk.
   */
  public void syncIfDue() {
    FileChannel channel = null;
    List<FileChannel> closing;
    synchronized (this) {
      long now = System.nanoTime();
      if (fsync == SpoolFsync.INTERVAL && unsynced && now - lastSyncNanos >= SYNC_INTERVAL_NANOS) {
        channel = tailChannel;
        unsynced = false;
        lastSyncNanos = now;
      }
      closing = retired.isEmpty() ? List.of() : new ArrayList<>(retired);
      retired.clear();
    }
    if (channel != null) {
      force(channel);
      syncs.incrementAndGet();
    }
    for (FileChannel c : closing) {
      force(c);
      closeQuietly(c);
    }
  }

  private static void force(FileChannel channel) {
    try {
      channel.force(false);
    } catch (ClosedChannelException closedMeanwhile) {
      // a closed tail was retired, and is synced from there
    } catch (IOException e) {
      LOG.warn("cannot fsync the spool: {}", e.toString());
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.warn("cannot close a spool segment: {}", e.toString());
    }
  }

  /** Up to {@code max} of the oldest records; they stay in the spool until committed. */
  public synchronized List<byte[]> peek(int max) {
    return peek(0, max);
  }

  /**
   * Up to {@code max} records after the {@code skip} oldest (sent, not yet committed), from the
   * oldest segment only: a sender keeps that many in flight and commits them as they are
   * acknowledged. {@code skip} also tells the spool how many are with the sender.
   */
  public synchronized List<byte[]> peek(int skip, int max) {
    return peek(generation, skip, max);
  }

  /**
   * As {@link #peek(int, int)}, but nothing when the {@link #generation} is no longer {@code
   * expected}: a sender that has not yet seen a drop must not take the next segment's records for
   * the ones after those it holds.
   */
  public synchronized List<byte[]> peek(long expected, int skip, int max) {
    if (expected != generation) {
      return List.of();
    }
    if (head == null) {
      loadHead();
      if (head == null) {
        return List.of();
      }
    }
    int from = headSent + skip;
    int to = Math.min(head.count(), from + max);
    // Up to here the sender has them (those before from it had already): not lost if dropped.
    headHandedOut = Math.max(headSent, to);
    List<byte[]> out = new ArrayList<>(Math.max(0, to - from));
    for (int i = from; i < to; i++) {
      out.add(head.record(i));
    }
    return out;
  }

  /** The {@code n} oldest records (as given by {@link #peek}) were sent: they leave the spool. */
  public synchronized void commit(int n) {
    commit(generation, n);
  }

  /**
   * As {@link #commit(int)}, but nothing when the {@link #generation} is no longer {@code
   * expected}.
   */
  public synchronized void commit(long expected, int n) {
    if (head == null || expected != generation) {
      return;
    }
    Segment s = closed.peekFirst();
    int k = Math.min(n, head.count() - headSent);
    for (int i = 0; i < k; i++) {
      long framed = head.framedBytes(headSent++, s.legacy);
      s.released += framed;
      bytes -= framed;
      records--;
    }
    headHandedOut = Math.max(headHandedOut, headSent);
    if (headSent == head.count()) {
      finishHead();
    } else if (k > 0) {
      try {
        position.write(s.number, headSent);
      } catch (IOException e) {
        LOG.warn("cannot write the spool's commit position: {}", e.toString());
      }
    }
  }

  /** The head was sent: its file goes. */
  private void finishHead() {
    Segment done = closed.pollFirst();
    bytes -= done.bytes - done.released;
    records -= head.count() - headSent;
    head = null;
    headSent = 0;
    headHandedOut = 0;
    forgetPosition();
    try {
      Files.deleteIfExists(done.path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the sent spool segment " + done.path, e);
    }
  }

  /**
   * The position named a segment that is gone (sent or dropped): it is cleared first, so it can
   * never apply to another segment (a crash between the two resends, it cannot skip).
   */
  private void forgetPosition() {
    try {
      position.clear();
    } catch (IOException e) {
      LOG.warn("cannot clear the spool's commit position: {}", e.toString());
    }
  }

  /**
   * Changes when records handed out by {@link #peek} were dropped before being committed: a sender
   * keeping records in flight must then not commit them (the commits would be wrong).
   */
  public synchronized long generation() {
    return generation;
  }

  public synchronized boolean isEmpty() {
    return records == 0;
  }

  /** Bytes of the spool's files not yet sent (headers and damage included). */
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

  /** Records lost in the spool: dropped for room, refused by the disk, or {@link #damaged()}. */
  public synchronized long dropped() {
    return dropped;
  }

  /** How many interval fsyncs ({@link SpoolFsync#INTERVAL}) of the tail were done. */
  public long syncs() {
    return syncs.get();
  }

  /** Records found damaged on disk and skipped (included in {@link #dropped()}). */
  public synchronized long damaged() {
    return damaged;
  }

  /** Records found damaged in a record the sender could not decode: counted, then committed. */
  public synchronized void countDamaged(long n) {
    damaged += n;
    dropped += n;
  }

  @Override
  public synchronized void close() throws IOException {
    closeTail();
    for (FileChannel c : retired) {
      force(c);
      closeQuietly(c);
    }
    retired.clear();
    position.close();
  }

  /** Reads the oldest segment with records to send; an unreadable one is set aside, counted. */
  private void loadHead() {
    try {
      while (head == null) {
        if (closed.isEmpty()) {
          if (tail == null || tail.records == 0) {
            return;
          }
          closeTail(); // read only closed segments: new appends go to a new one
        }
        Segment s = closed.peekFirst();
        SegmentContents c = readOrSetAside(s);
        if (c == null) {
          closed.pollFirst();
          forgetPosition();
          dropped += s.records;
          records -= s.records;
          bytes -= s.bytes - s.released;
          continue;
        }
        countDamage(s, c);
        records += c.count() - s.skip - s.records; // the same, unless the disk changed it
        s.records = c.count() - s.skip;
        head = c;
        headSent = Math.min(s.skip, c.count());
        headHandedOut = headSent;
        if (headSent == c.count()) {
          finishHead();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the spool in " + dir, e);
    }
  }

  /** Drops the oldest segment not being sent; false when there is nothing left to drop. */
  private boolean dropOldest() throws IOException {
    if (closed.isEmpty()) {
      closeTail();
      if (closed.isEmpty()) {
        return false;
      }
    }
    if (head != null && closed.size() > 1) {
      // The head is being sent: drop the oldest segment behind it instead.
      Segment next = closed.stream().skip(1).findFirst().orElseThrow();
      closed.remove(next);
      dropped += next.records;
      records -= next.records;
      bytes -= next.bytes - next.released;
      Files.deleteIfExists(next.path);
      return true;
    }
    Segment s = closed.pollFirst();
    if (head != null) {
      generation++; // records handed out by peek() are gone: a sender must not commit them
      dropped += head.count() - Math.max(headSent, headHandedOut); // with the sender: not lost
      records -= head.count() - headSent;
      head = null;
      headSent = 0;
      headHandedOut = 0;
    } else {
      dropped += s.records;
      records -= s.records;
    }
    forgetPosition(); // it may have named this segment, the oldest
    bytes -= s.bytes - s.released;
    Files.deleteIfExists(s.path);
    return true;
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
      if (fsync == SpoolFsync.INTERVAL && unsynced) {
        // Synced by the drainer, outside the lock: appends never wait for the disk.
        retired.add(tailChannel);
        unsynced = false;
      } else {
        tailChannel.close();
      }
      tailChannel = null;
    }
    if (tail != null) {
      if (tail.records > 0) {
        closed.addLast(tail);
      } else {
        bytes -= tail.bytes;
        Files.deleteIfExists(tail.path);
      }
      tail = null;
    }
  }

  private static final class Segment {
    final long number;
    final Path path;

    /** Written by an agent before format version 2 (no header, no checksums). */
    final boolean legacy;

    /** The file's size. */
    long bytes;

    /** Records not yet committed. */
    long records;

    /** Records committed before a restart (from the commit position). */
    int skip;

    /** Bytes of committed records, already taken off the spool's total. */
    long released;

    long damageCounted;

    /** When its first record was written (for a segment found at start: its file's time). */
    long startedMillis = System.currentTimeMillis();

    Segment(long number, Path path, boolean legacy) {
      this.number = number;
      this.path = path;
      this.legacy = legacy;
    }
  }
}
