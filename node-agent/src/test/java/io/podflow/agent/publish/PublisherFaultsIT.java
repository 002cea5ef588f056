package io.podflow.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.agent.publish.SequencedRecords.Delivery;
import io.podflow.agent.testing.FlowRecords;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.junit.LocalStackExtension;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes on both sides of the publisher, counted record by record on the topic: the broker killed
 * with SIGKILL under a steady load (20 s; {@code -Dpodflow.faultSeconds=60} for the long run), and
 * the publisher's own JVM killed with SIGKILL while appending to its spool and while sending it.
 */
@ExtendWith(LocalStackExtension.class)
class PublisherFaultsIT {
  private static final Duration OUTAGE =
      Duration.ofSeconds(Long.getLong("podflow.faultSeconds", 20));

  @TempDir Path dir;

  @Test
  void aBrokerKilledWithSigkillUnderSteadyLoadLosesAndDuplicatesNothing() throws Exception {
    try (KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"), Duration.ofSeconds(60))) {
      String topic = "broker-killed";
      kafka.createTopics(List.of(new NewTopic(topic, 3, (short) 1)));
      // The producer's memory is kept small so that the outage spills to the spool.
      PublisherConfig config =
          PublisherConfig.of(kafka.bootstrapServers(), dir.resolve("spool"))
              .withTopic(topic)
              .withBufferBytes(1 << 20);
      AtomicInteger published = new AtomicInteger();
      AtomicBoolean loading = new AtomicBoolean(true);
      try (FlowPublisher publisher = new FlowPublisher(config, "test")) {
        Thread load = steadyLoad(publisher, published, loading);
        load.start();
        Thread.sleep(3_000);
        kafka.kill();
        Thread.sleep(OUTAGE.toMillis());
        long spooledDuringOutage = publisher.spooled();
        long restarting = System.nanoTime();
        kafka.start(Duration.ofSeconds(60));
        double startSeconds = (System.nanoTime() - restarting) / 1e9;
        int beforeRestart = published.get();
        await(() -> publisher.acknowledged() >= beforeRestart, Duration.ofSeconds(120));
        double recoverySeconds = (System.nanoTime() - restarting) / 1e9;
        Thread.sleep(2_000);
        loading.set(false);
        load.join();
        int n = published.get();
        await(() -> publisher.acknowledged() == n, Duration.ofSeconds(120));

        Delivery d = Delivery.of(FlowRecords.in(kafka.bootstrapServers(), topic), n);
        System.out.printf(
            "broker killed with SIGKILL for %d s under 2,000 records/s: published %d, delivered %d,"
                + " lost %d, duplicated %d, out of order %d, spooled during the outage %d;"
                + " the broker answered %.1f s after its restart began, and everything published"
                + " before that was acknowledged %.1f s after it began%n",
            OUTAGE.toSeconds(),
            n,
            d.delivered(),
            d.lost(),
            d.duplicated(),
            d.outOfOrder(),
            spooledDuringOutage,
            startSeconds,
            recoverySeconds);
        assertThat(spooledDuringOutage).as("the outage spilled to the spool").isPositive();
        assertThat(d.lost()).isZero();
        assertThat(d.duplicated()).isZero();
        assertThat(d.outOfOrder()).isZero();
        assertThat(publisher.spoolDropped()).isZero();
        assertThat(publisher.refused()).isZero();
      }
    }
  }

  @Test
  void aPublisherKilledWithSigkillMidAppendLosesOnlyWhatItHeldInMemory(KafkaBroker kafka)
      throws Exception {
    String topic = "killed-appending-" + System.nanoTime();
    kafka.createTopics(List.of(new NewTopic(topic, 3, (short) 1)));
    Path spool = dir.resolve("spool");
    PublisherChild.Counters last;
    // Kafka away: every record goes through the spool, appended as fast as the child can.
    try (PublisherChild child = new PublisherChild(nobody(), topic, spool, 2_000_000)) {
      await(() -> child.counters().spooled() >= 100_000, Duration.ofSeconds(60), child::log);
      last = child.kill();
    }
    try (FlowPublisher publisher = restarted(kafka, topic, spool)) {
      await(() -> publisher.spoolRecords() == 0, Duration.ofSeconds(120));
      await(() -> publisher.acknowledged() >= last.spooled(), Duration.ofSeconds(30));
      List<io.podflow.schema.flow.v1.FlowRecord> records =
          FlowRecords.in(kafka.bootstrapServers(), topic);
      Delivery d = Delivery.of(records, records.size());
      System.out.printf(
          "publisher killed with SIGKILL mid-append: its last counters published %d, spooled %d"
              + " (%d in memory); after the restart delivered %d, lost below the highest %d,"
              + " duplicated %d, damaged in the spool %d%n",
          last.published(),
          last.spooled(),
          Math.max(0, last.published() - last.spooled()),
          d.delivered(),
          d.lost(),
          d.duplicated(),
          publisher.spoolDamaged());
      // What reached the spool is all there, once: records 0 to K-1 with no gap, K at least what
      // the child last said it had spooled. Lost: only what came after, which was in memory.
      assertThat(d.lost()).isZero();
      assertThat(d.duplicated()).isZero();
      assertThat((long) d.delivered()).isGreaterThanOrEqualTo(last.spooled());
      assertThat(d.max()).isEqualTo(d.delivered() - 1);
      assertThat(publisher.spoolDamaged()).as("at most the append the kill cut").isLessThan(2);
    }
  }

  @Test
  void aPublisherKilledWithSigkillWhileSendingItsSpoolLosesNothing(KafkaBroker kafka)
      throws Exception {
    String topic = "killed-sending-" + System.nanoTime();
    kafka.createTopics(List.of(new NewTopic(topic, 3, (short) 1)));
    Path spool = dir.resolve("spool");
    int n = 300_000;
    spoolWhileKafkaIsAway(spool, topic, 0, n);
    PublisherChild.Counters last;
    try (PublisherChild child = new PublisherChild(kafka.bootstrapServers(), topic, spool, 0)) {
      await(() -> child.counters().acknowledged() >= 100_000, Duration.ofSeconds(120), child::log);
      last = child.kill();
    }
    try (FlowPublisher publisher = restarted(kafka, topic, spool)) {
      await(() -> publisher.spoolRecords() == 0, Duration.ofSeconds(120));
      Delivery d = Delivery.of(FlowRecords.in(kafka.bootstrapServers(), topic), n);
      System.out.printf(
          "publisher killed with SIGKILL while sending %d spooled records, %d acknowledged by its"
              + " last counters: delivered %d, lost %d, duplicated %d (sent again: in flight or"
              + " acknowledged after the last commit position was written)%n",
          n, last.acknowledged(), d.delivered(), d.lost(), d.duplicated());
      assertThat(d.lost()).isZero();
      // At most what the drainer keeps in flight (50,000) and one batch it had taken (2,000).
      assertThat(d.duplicated()).isLessThanOrEqualTo(52_000);
    }
  }

  @Test
  void aDamagedSpoolIsSentOnceAroundTheDamage(KafkaBroker kafka) throws Exception {
    String topic = "damaged-" + System.nanoTime();
    kafka.createTopics(List.of(new NewTopic(topic, 3, (short) 1)));
    Path spool = dir.resolve("spool");
    spoolWhileKafkaIsAway(spool, topic, 0, 1_000);
    try (Spool raw = new Spool(spool, 256L << 20, 16L << 20)) {
      raw.append(new byte[0]); // a whole record that is no frame: the publisher cannot decode it
    }
    spoolWhileKafkaIsAway(spool, topic, 1_000, 2_000);
    // A crash's zero-filled blocks in the middle of the largest segment (how the records are cut
    // into segments depends on when the drainer first looked, so no fixed offset is sure to exist).
    Path largest;
    try (var files = java.nio.file.Files.list(spool)) {
      largest =
          files
              .filter(f -> f.toString().endsWith(".seg"))
              .max(java.util.Comparator.comparingLong(f -> f.toFile().length()))
              .orElseThrow();
    }
    byte[] data = java.nio.file.Files.readAllBytes(largest);
    assertThat(data.length).as("a segment with room for the damage").isGreaterThan(4_096);
    java.util.Arrays.fill(data, data.length / 2, data.length / 2 + 300, (byte) 0);
    java.nio.file.Files.write(largest, data);

    try (FlowPublisher publisher = restarted(kafka, topic, spool)) {
      await(() -> publisher.spoolRecords() == 0, Duration.ofSeconds(60));
      Thread.sleep(2_000); // time for any record sent twice to show
      List<io.podflow.schema.flow.v1.FlowRecord> records =
          FlowRecords.in(kafka.bootstrapServers(), topic);
      Delivery d = Delivery.of(records, 2_000);
      System.out.printf(
          "a spool with 300 zeroed bytes and an undecodable record: delivered %d of 2,000, lost"
              + " %d, duplicated %d, counted damaged %d%n",
          d.delivered(), d.lost(), d.duplicated(), publisher.spoolDamaged());
      assertThat(d.duplicated()).isZero();
      assertThat(d.lost()).as("the records the zeroed bytes touched").isBetween(1, 5);
      assertThat(publisher.spoolDamaged())
          .as("those, estimated, and the undecodable one")
          .isBetween((long) d.lost(), d.lost() + 2L);
      assertThat(publisher.acknowledged()).isEqualTo(d.delivered());
      assertThat(d.max()).as("everything after the damage arrived").isEqualTo(1_999);
    }
  }

  /** Records {@code [from, to)} into the spool, Kafka being away. */
  private static void spoolWhileKafkaIsAway(Path spool, String topic, int from, int to)
      throws Exception {
    try (FlowPublisher away =
        new FlowPublisher(
            PublisherConfig.of(nobody(), spool).withTopic(topic).withBufferBytes(1 << 20),
            "test")) {
      for (int i = from; i < to; i++) {
        away.publish(SequencedRecords.record(i));
      }
      away.close(Duration.ofSeconds(1));
    }
  }

  private static FlowPublisher restarted(KafkaBroker kafka, String topic, Path spool) {
    return new FlowPublisher(
        PublisherConfig.of(kafka.bootstrapServers(), spool).withTopic(topic), "test");
  }

  /** A bootstrap address where nothing listens. */
  private static String nobody() throws Exception {
    try (ServerSocket free = new ServerSocket(0)) {
      return "127.0.0.1:" + free.getLocalPort();
    }
  }

  /** 2,000 records a second, steadily, as an agent exporting flows would. */
  private static Thread steadyLoad(
      FlowPublisher publisher, AtomicInteger published, AtomicBoolean loading) {
    return new Thread(
        () -> {
          long start = System.nanoTime();
          while (loading.get()) {
            int i = published.get();
            publisher.publish(SequencedRecords.record(i));
            published.incrementAndGet();
            long wait = start + (i + 1) * 500_000L - System.nanoTime();
            if (wait > 0) {
              LockSupport.parkNanos(wait);
            }
          }
        });
  }

  private static void await(BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    await(condition, timeout, () -> "");
  }

  private static void await(
      BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> context)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime())
          .as("condition reached in time\n%s", context.get())
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
