package io.podflow.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker in KRaft mode (broker and controller in one process), run as its own JVM from
 * the jars Maven resolved, on free loopback ports. It can be stopped and started again on the same
 * ports and data, as failure tests need.
 */
public final class KafkaBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

  private final Path dir;
  private final int port;
  private final int controllerPort;
  private final Path properties;

  /** A SASL/SCRAM listener's user and password, or null for a plaintext broker only. */
  private final String[] scram;

  private final int saslPort;

  /** With SCRAM comes a TLS listener too, its certificate in a PKCS12 store clients trust. */
  private final int tlsPort;

  private final Path keyStore;
  private ManagedProcess process;

  /** The password of {@link #trustStore}. */
  public static final String STORE_PASSWORD = "podflow-test";

  private KafkaBroker(Path dir, String[] scram) {
    this.dir = dir;
    this.port = FreePorts.next();
    this.controllerPort = FreePorts.next();
    this.saslPort = scram == null ? -1 : FreePorts.next();
    this.tlsPort = scram == null ? -1 : FreePorts.next();
    this.keyStore = dir.resolve("broker.p12");
    this.scram = scram;
    this.properties = dir.resolve("server.properties");
  }

  /** Formats a new log directory under {@code dir} and starts the broker. */
  public static KafkaBroker start(Path dir, Duration timeout) {
    KafkaBroker broker = new KafkaBroker(dir, null);
    broker.format();
    broker.start(timeout);
    return broker;
  }

  /**
   * The same, with a second listener that takes SASL/SCRAM-SHA-256 clients authenticated as {@code
   * user} ({@link #saslBootstrapServers}).
   */
  public static KafkaBroker startWithScram(
      Path dir, Duration timeout, String user, String password) {
    KafkaBroker broker = new KafkaBroker(dir, new String[] {user, password});
    broker.format();
    broker.start(timeout);
    return broker;
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The TLS listener (brokers started with {@link #startWithScram}). */
  public String tlsBootstrapServers() {
    if (scram == null) {
      throw new IllegalStateException("this broker has no TLS listener");
    }
    return "127.0.0.1:" + tlsPort;
  }

  /** A PKCS12 store holding the TLS listener's certificate, password {@link #STORE_PASSWORD}. */
  public Path trustStore() {
    return keyStore;
  }

  /** The SASL/SCRAM listener (brokers started with {@link #startWithScram}). */
  public String saslBootstrapServers() {
    if (scram == null) {
      throw new IllegalStateException("this broker has no SASL listener");
    }
    return "127.0.0.1:" + saslPort;
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  private void format() {
    try {
      Files.createDirectories(dir.resolve("data"));
      Files.writeString(properties, serverProperties());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (scram != null) {
      makeKeyStore();
    }
    List<String> command =
        java(
            "kafka.tools.StorageTool",
            "format",
            "-t",
            Uuid.randomUuid().toString(),
            "-c",
            properties.toString());
    if (scram != null) {
      command.addAll(
          List.of(
              "--add-scram", "SCRAM-SHA-256=[name=" + scram[0] + ",password=" + scram[1] + "]"));
    }
    ManagedProcess tool =
        ManagedProcess.start(
            "kafka-storage-format", command, dir, Map.of(), dir.resolve("format.log"), null);
    int exit = tool.awaitExit(Duration.ofSeconds(60));
    if (exit != 0) {
      throw new StackException(
          "formatting Kafka's log directory failed (exit " + exit + "):\n" + tool.logTail(20));
    }
  }

  /** Starts the broker (again) and waits until it answers a metadata request. */
  public synchronized void start(Duration timeout) {
    if (isRunning()) {
      return;
    }
    Instant deadline = Instant.now().plus(timeout);
    process =
        ManagedProcess.start(
            "kafka",
            java("kafka.Kafka", properties.toString()),
            dir,
            Map.of(),
            dir.resolve("kafka.log"),
            null);
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
    admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
    try (Admin client = Admin.create(admin)) {
      while (true) {
        if (!process.isAlive()) {
          throw new StackException("Kafka exited while starting:\n" + process.logTail(40));
        }
        try {
          client.describeCluster().nodes().get(3, TimeUnit.SECONDS);
          LOG.info("Kafka is up at {} (data in {})", bootstrapServers(), dir);
          return;
        } catch (Exception notYet) {
          if (Instant.now().isAfter(deadline)) {
            process.stop(Duration.ofSeconds(5));
            throw new StackException(
                "Kafka did not answer within " + timeout + ":\n" + process.logTail(40));
          }
          HostTools.sleep(Duration.ofMillis(250));
        }
      }
    }
  }

  /** Stops the broker with a controlled shutdown; its data stays for a later {@link #start}. */
  public synchronized void stop() {
    if (process != null) {
      process.stop(Duration.ofSeconds(30));
      process = null;
    }
  }

  /** Creates topics, ignoring those that exist. */
  public void createTopics(List<NewTopic> topics) {
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    try (Admin client = Admin.create(admin)) {
      for (NewTopic topic : topics) {
        try {
          client.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new StackException("could not create topic " + topic.name(), e);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackException("interrupted while creating topics", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new StackException("Kafka did not create topics within 30 s", e);
    }
  }

  @Override
  public void close() {
    stop();
  }

  private String serverProperties() {
    return String.join(
        "\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:"
            + port
            + ",CONTROLLER://127.0.0.1:"
            + controllerPort
            + (scram == null
                ? ""
                : ",SASL_PLAINTEXT://127.0.0.1:" + saslPort + ",SSL://127.0.0.1:" + tlsPort),
        "advertised.listeners=PLAINTEXT://127.0.0.1:"
            + port
            + (scram == null
                ? ""
                : ",SASL_PLAINTEXT://127.0.0.1:" + saslPort + ",SSL://127.0.0.1:" + tlsPort),
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
            + (scram == null ? "" : ",SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL"),
        scram == null ? "" : "ssl.keystore.location=" + keyStore,
        scram == null ? "" : "ssl.keystore.password=" + STORE_PASSWORD,
        scram == null ? "" : "ssl.keystore.type=PKCS12",
        scram == null ? "" : "sasl.enabled.mechanisms=SCRAM-SHA-256",
        scram == null
            ? ""
            : "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config="
                + "org.apache.kafka.common.security.scram.ScramLoginModule required;",
        "log.dirs=" + dir.resolve("data"),
        "num.partitions=4",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=4",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=true",
        "");
  }

  /** A self-signed certificate for 127.0.0.1, made with the JDK's keytool. */
  private void makeKeyStore() {
    List<String> keytool =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair",
            "-alias",
            "broker",
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-validity",
            "30",
            "-dname",
            "CN=127.0.0.1",
            "-ext",
            "SAN=IP:127.0.0.1",
            "-storetype",
            "PKCS12",
            "-keystore",
            keyStore.toString(),
            "-storepass",
            STORE_PASSWORD);
    ManagedProcess tool =
        ManagedProcess.start("keytool", keytool, dir, Map.of(), dir.resolve("keytool.log"), null);
    int exit = tool.awaitExit(Duration.ofSeconds(60));
    if (exit != 0) {
      throw new StackException("keytool failed (exit " + exit + "):\n" + tool.logTail(20));
    }
  }

  private static List<String> java(String mainClass, String... args) {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m",
                "-Xmx512m",
                "-XX:+UseG1GC",
                "-Dlog4j2.formatMsgNoLookups=true",
                "-cp",
                StackServers.kafkaBrokerClasspath(),
                mainClass));
    command.addAll(List.of(args));
    return command;
  }
}
