package io.podflow.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.agent.testing.FlowRecords;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.PodflowAcls;
import io.podflow.stack.junit.LocalStackExtension;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The publisher against a real Kafka broker, including one that goes away under load. */
@ExtendWith(LocalStackExtension.class)
class FlowPublisherIT {
  private static final int CONNECTIONS = 50;

  @TempDir Path dir;

  @Test
  void recordsArriveOnceEachInOrderPerConnectionAndDecode(KafkaBroker kafka) throws Exception {
    String topic = "publish-" + System.nanoTime();
    kafka.createTopics(List.of(new NewTopic(topic, 3, (short) 1)));
    int n = 5_000;
    try (FlowPublisher publisher =
        new FlowPublisher(
            PublisherConfig.of(kafka.bootstrapServers(), dir.resolve("spool")).withTopic(topic),
            "test")) {
      // Until the producer has the topic's metadata (longer than publish may wait), records go
      // through the spool; from then on straight to Kafka.
      int first = 100;
      for (int i = 0; i < first; i++) {
        publisher.publish(record(i % CONNECTIONS, i / CONNECTIONS));
      }
      await(() -> publisher.acknowledged() == first, Duration.ofSeconds(30));
      await(() -> publisher.spoolRecords() == 0, Duration.ofSeconds(5));
      Thread.sleep(200); // the drainer hands back to the direct path
      long spooledAtStart = publisher.spooled();
      for (int i = first; i < n; i++) {
        publisher.publish(record(i % CONNECTIONS, i / CONNECTIONS));
      }
      await(() -> publisher.acknowledged() == n, Duration.ofSeconds(30));
      assertThat(publisher.spooled()).isEqualTo(spooledAtStart);
    }
    assertDeliveredOnceInOrder(FlowRecords.in(kafka.bootstrapServers(), topic), n);
  }

  @Test
  void aBrokerAwayForThirtySecondsUnderSteadyLoadLosesNothing() throws Exception {
    try (KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"), Duration.ofSeconds(60))) {
      String topic = "outage";
      kafka.createTopics(List.of(new NewTopic(topic, 3, (short) 1)));
      AtomicInteger published = new AtomicInteger();
      AtomicBoolean loading = new AtomicBoolean(true);
      // The producer's memory is kept small so that the outage spills to the spool.
      PublisherConfig config =
          PublisherConfig.of(kafka.bootstrapServers(), dir.resolve("spool"))
              .withTopic(topic)
              .withBufferBytes(1 << 20);
      try (FlowPublisher publisher = new FlowPublisher(config, "test")) {
        Thread load =
            new Thread(
                () -> {
                  // 2,000 records per second, steadily, as an agent exporting flows would.
                  long start = System.nanoTime();
                  while (loading.get()) {
                    int i = published.get();
                    publisher.publish(record(i % CONNECTIONS, i / CONNECTIONS));
                    published.incrementAndGet();
                    long due = start + (i + 1) * 500_000L;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                      java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                  }
                });
        load.start();
        Thread.sleep(3_000);
        kafka.stop();
        Thread.sleep(30_000);
        long spooledDuringOutage = publisher.spooled();
        kafka.start(Duration.ofSeconds(60));
        Thread.sleep(3_000);
        loading.set(false);
        load.join();

        int n = published.get();
        await(() -> publisher.acknowledged() == n, Duration.ofSeconds(90));
        assertThat(spooledDuringOutage).as("the outage spilled to the spool").isPositive();
        assertThat(publisher.spoolDropped()).isZero();
        assertThat(publisher.refused()).isZero();
        assertThat(publisher.spoolRecords()).isZero();
        assertDeliveredOnceInOrder(FlowRecords.in(kafka.bootstrapServers(), topic), n);
      }
    }
  }

  @Test
  void withoutKafkaRecordsWaitInTheBoundedSpoolAndARestartSendsThem(KafkaBroker kafka)
      throws Exception {
    int nobody;
    try (ServerSocket free = new ServerSocket(0)) {
      nobody = free.getLocalPort();
    }
    PublisherConfig away =
        PublisherConfig.of("127.0.0.1:" + nobody, dir.resolve("spool"))
            .withBufferBytes(1 << 20)
            .withSpoolBytes(16 << 20);
    // About 300,000 records of ~100 bytes: twice what the 16 MiB spool holds.
    int n = 300_000;
    long kept;
    long dropped;
    try (FlowPublisher publisher = new FlowPublisher(away, "test")) {
      for (int i = 0; i < n; i++) {
        publisher.publish(record(i % CONNECTIONS, i / CONNECTIONS));
      }
      publisher.close(Duration.ofSeconds(1));
      kept = publisher.spoolRecords();
      dropped = publisher.spoolDropped();
    }
    assertThat(dropped).as("the oldest records were dropped, and counted").isPositive();
    assertThat(kept + dropped).isEqualTo(n);

    // The agent starts again, now with Kafka there: the spool is sent, newest records intact.
    String topic = "replayed-" + System.nanoTime();
    kafka.createTopics(List.of(new NewTopic(topic, 3, (short) 1)));
    PublisherConfig back =
        new PublisherConfig(
            kafka.bootstrapServers(),
            topic,
            "lz4",
            Duration.ofMillis(20),
            32 << 20,
            dir.resolve("spool"),
            16 << 20,
            Map.of());
    try (FlowPublisher publisher = new FlowPublisher(back, "test")) {
      await(() -> publisher.acknowledged() == kept, Duration.ofSeconds(60));
      await(() -> publisher.spoolRecords() == 0, Duration.ofSeconds(10));
    }
    List<FlowRecord> replayed = FlowRecords.in(kafka.bootstrapServers(), topic);
    assertThat(replayed).hasSize((int) kept);
    // The newest record of all made it.
    assertThat(replayed)
        .anySatisfy(
            r -> {
              assertThat(r.getIntervalIndex()).isEqualTo((n - 1) / CONNECTIONS);
              assertThat(r.getSource().getPort()).isEqualTo(10_000 + (n - 1) % CONNECTIONS);
            });
  }

  @Test
  void tlsAndSaslScramAreConfigurationAndAWrongPasswordIsRefusedAndCounted() throws Exception {
    try (KafkaBroker kafka =
        KafkaBroker.startWithScram(
            dir.resolve("kafka"), Duration.ofSeconds(60), "podflow", "s3cret")) {
      kafka.createTopics(List.of(new NewTopic("secured", 1, (short) 1)));
      Map<String, String> sasl = scram("podflow", "s3cret");
      PublisherConfig config =
          new PublisherConfig(
              kafka.saslBootstrapServers(),
              "secured",
              "lz4",
              Duration.ofMillis(20),
              32 << 20,
              dir.resolve("spool"),
              16 << 20,
              sasl);
      int n = 500;
      try (FlowPublisher publisher = new FlowPublisher(config, "test")) {
        for (int i = 0; i < n; i++) {
          publisher.publish(record(i % CONNECTIONS, i / CONNECTIONS));
        }
        await(() -> publisher.acknowledged() == n, Duration.ofSeconds(30));
      }
      assertDeliveredOnceInOrder(FlowRecords.in(kafka.bootstrapServers(), "secured"), n);

      // TLS, the broker's certificate checked against the trust store (host name included).
      kafka.createTopics(List.of(new NewTopic("encrypted", 1, (short) 1)));
      Map<String, String> tls =
          Map.of(
              "security.protocol",
              "SSL",
              "ssl.truststore.location",
              kafka.trustStore().toString(),
              "ssl.truststore.password",
              KafkaBroker.STORE_PASSWORD,
              "ssl.truststore.type",
              "PKCS12");
      try (FlowPublisher publisher =
          new FlowPublisher(
              new PublisherConfig(
                  kafka.tlsBootstrapServers(),
                  "encrypted",
                  "lz4",
                  Duration.ofMillis(20),
                  32 << 20,
                  dir.resolve("spool-tls"),
                  16 << 20,
                  tls),
              "test")) {
        for (int i = 0; i < n; i++) {
          publisher.publish(record(i % CONNECTIONS, i / CONNECTIONS));
        }
        await(() -> publisher.acknowledged() == n, Duration.ofSeconds(30));
      }
      assertDeliveredOnceInOrder(FlowRecords.in(kafka.bootstrapServers(), "encrypted"), n);

      PublisherConfig wrong =
          new PublisherConfig(
              kafka.saslBootstrapServers(),
              "secured",
              "lz4",
              Duration.ofMillis(20),
              32 << 20,
              dir.resolve("spool-wrong"),
              16 << 20,
              scram("podflow", "guess"));
      try (FlowPublisher publisher = new FlowPublisher(wrong, "test")) {
        publisher.publish(record(0, 0));
        await(() -> publisher.refused() + publisher.spooled() > 0, Duration.ofSeconds(30));
        assertThat(publisher.acknowledged()).isZero();
      }
    }
  }

  @Test
  void recordsOutsideTheAgentsAclsAreRefusedCountedAndNotSpooledForever() throws Exception {
    KafkaBroker.ScramUser agent = new KafkaBroker.ScramUser(PodflowAcls.AGENT_USER, "agent");
    try (KafkaBroker kafka =
        KafkaBroker.start(
            dir.resolve("kafka"),
            Duration.ofSeconds(60),
            KafkaBroker.Options.plaintext()
                .withSecuredListener(
                    new KafkaBroker.SecuredListener(
                        new KafkaBroker.ScramUser("admin", "admin-secret"),
                        List.of(agent),
                        PodflowAcls.ALL)))) {
      kafka.createTopics(List.of(new NewTopic(PodflowAcls.ALERTS, 1, (short) 1)));
      Map<String, String> client = new HashMap<>(kafka.securedClientProperties(agent));
      client.remove("bootstrap.servers");
      int n = 20;
      try (FlowPublisher publisher =
          new FlowPublisher(
              new PublisherConfig(
                  kafka.securedBootstrapServers(),
                  PodflowAcls.ALERTS, // not the agent's to write
                  "lz4",
                  Duration.ofMillis(20),
                  32 << 20,
                  dir.resolve("spool"),
                  16 << 20,
                  client),
              "test")) {
        for (int i = 0; i < n; i++) {
          publisher.publish(record(i % CONNECTIONS, i / CONNECTIONS));
        }
        // An authorization failure is for good: counted (podflow_kafka_refused) and logged, and
        // the spool does not keep retrying it.
        await(() -> publisher.refused() == n, Duration.ofSeconds(30));
        await(() -> publisher.spoolRecords() == 0, Duration.ofSeconds(10));
        assertThat(publisher.acknowledged()).isZero();
      }
    }
  }

  private static Map<String, String> scram(String user, String password) {
    return Map.of(
        "security.protocol",
        "SASL_PLAINTEXT",
        "sasl.mechanism",
        "SCRAM-SHA-256",
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + user
            + "\" password=\""
            + password
            + "\";");
  }

  /** Connection c's record number seq: its interval index is the sequence. */
  private static FlowRecord record(int connection, int seq) {
    return SequencedRecords.record(seq * CONNECTIONS + connection);
  }

  private static void assertDeliveredOnceInOrder(List<FlowRecord> records, int n) {
    assertThat(records).hasSize(n);
    Map<Integer, Integer> next = new HashMap<>();
    for (FlowRecord r : records) {
      int connection = r.getSource().getPort() - 10_000;
      int expected = next.getOrDefault(connection, 0);
      assertThat(r.getIntervalIndex())
          .as("connection %d: records once each, in order", connection)
          .isEqualTo(expected);
      next.put(connection, expected + 1);
    }
  }

  private static void await(BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition reached in time").isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
