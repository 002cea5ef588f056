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

  /** The password of {@link #trustStore}. */
  public static final String STORE_PASSWORD = LoopbackCertificates.STORE_PASSWORD;

  /** Kafka's own authorizer for KRaft clusters. */
  static final String AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

  /**
   * The principal of the PLAINTEXT and CONTROLLER listeners, a super user on a secured broker: the
   * broker talks to itself there, and the harness creates topics there. Clients under test use the
   * SASL_SSL listener.
   */
  static final String INTERNAL_PRINCIPAL = "User:ANONYMOUS";

  private final Path dir;
  private final Options options;
  private final int port;
  private final int controllerPort;
  private final Path properties;
  private final int saslPort;
  private final int tlsPort;
  private final int saslSslPort;
  private LoopbackCertificates certificates;
  private ManagedProcess process;

  /** A SCRAM user and its password. */
  public record ScramUser(String name, String password) {
    public ScramUser {
      if (name.isBlank() || password.isEmpty()) {
        throw new IllegalArgumentException("a SCRAM user needs a name and a password");
      }
    }

    @Override
    public String toString() {
      return "ScramUser[" + name + "]"; // never the password
    }
  }

  /**
   * A SASL_SSL listener (TLS, SCRAM-SHA-512) on a broker that authorizes every request with Kafka's
   * StandardAuthorizer: {@code admin} is a super user, each of {@code users} may do what {@code
   * acls} grant its name and nothing else.
   */
  public record SecuredListener(ScramUser admin, List<ScramUser> users, List<ComponentAcl> acls) {
    public SecuredListener {
      users = List.copyOf(users);
      acls = List.copyOf(acls);
    }
  }

  /**
   * What a broker offers besides its PLAINTEXT listener.
   *
   * @param scram a SASL_PLAINTEXT listener for SCRAM-SHA-256 clients and an SSL listener, without
   *     authorization; null for none
   * @param secured a SASL_SSL listener with authorization (see {@link SecuredListener}); null for
   *     none
   */
  public record Options(ScramUser scram, SecuredListener secured) {
    /** A PLAINTEXT listener only. */
    public static Options plaintext() {
      return new Options(null, null);
    }

    public Options withScram(ScramUser user) {
      return new Options(user, secured);
    }

    public Options withSecuredListener(SecuredListener listener) {
      return new Options(scram, listener);
    }

    boolean tls() {
      return scram != null || secured != null;
    }

    /** Every SCRAM credential the log directory is formatted with, by mechanism. */
    List<String> scramCredentials() {
      List<String> all = new java.util.ArrayList<>();
      if (scram != null) {
        all.add(credential("SCRAM-SHA-256", scram));
      }
      if (secured != null) {
        all.add(credential("SCRAM-SHA-512", secured.admin()));
        secured.users().forEach(u -> all.add(credential("SCRAM-SHA-512", u)));
      }
      return all;
    }

    private static String credential(String mechanism, ScramUser user) {
      return mechanism + "=[name=" + user.name() + ",password=" + user.password() + "]";
    }
  }

  private KafkaBroker(Path dir, Options options) {
    this.dir = dir;
    this.options = options;
    this.port = FreePorts.next();
    this.controllerPort = FreePorts.next();
    this.saslPort = options.scram() == null ? -1 : FreePorts.next();
    this.tlsPort = options.scram() == null ? -1 : FreePorts.next();
    this.saslSslPort = options.secured() == null ? -1 : FreePorts.next();
    this.properties = dir.resolve("server.properties");
  }

  /** Formats a new log directory under {@code dir} and starts the broker. */
  public static KafkaBroker start(Path dir, Duration timeout) {
    return start(dir, timeout, Options.plaintext());
  }

  /**
   * Formats a new log directory under {@code dir} with the users {@code options} name, starts the
   * broker and grants their ACLs.
   */
  public static KafkaBroker start(Path dir, Duration timeout, Options options) {
    KafkaBroker broker = new KafkaBroker(dir, options);
    broker.format();
    broker.start(timeout);
    if (options.secured() != null) {
      broker.grant(options.secured().acls());
    }
    return broker;
  }

  /**
   * The same, with a second listener that takes SASL/SCRAM-SHA-256 clients authenticated as {@code
   * user} ({@link #saslBootstrapServers}).
   */
  public static KafkaBroker startWithScram(
      Path dir, Duration timeout, String user, String password) {
    return start(dir, timeout, Options.plaintext().withScram(new ScramUser(user, password)));
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The TLS listener (brokers started with {@link #startWithScram}). */
  public String tlsBootstrapServers() {
    if (options.scram() == null) {
      throw new IllegalStateException("this broker has no TLS listener");
    }
    return "127.0.0.1:" + tlsPort;
  }

  /**
   * A PKCS12 store holding the CA of the broker's certificate, password {@link #STORE_PASSWORD}.
   */
  public Path trustStore() {
    return certificates().trustStore();
  }

  /** The certificates of the TLS listeners. */
  public LoopbackCertificates certificates() {
    if (certificates == null) {
      throw new IllegalStateException("this broker has no TLS listener");
    }
    return certificates;
  }

  /** The SASL/SCRAM listener (brokers started with {@link #startWithScram}). */
  public String saslBootstrapServers() {
    if (options.scram() == null) {
      throw new IllegalStateException("this broker has no SASL listener");
    }
    return "127.0.0.1:" + saslPort;
  }

  /** The SASL_SSL listener with authorization (brokers with a {@link SecuredListener}). */
  public String securedBootstrapServers() {
    if (options.secured() == null) {
      throw new IllegalStateException("this broker has no secured listener");
    }
    return "127.0.0.1:" + saslSslPort;
  }

  /**
   * Client properties for {@link #securedBootstrapServers} as {@code user}: SASL_SSL with
   * SCRAM-SHA-512, the broker verified against this run's CA.
   */
  public Map<String, String> securedClientProperties(ScramUser user) {
    Map<String, String> p = new java.util.HashMap<>(certificates().kafkaTrustProperties());
    p.put("bootstrap.servers", securedBootstrapServers());
    p.put("security.protocol", "SASL_SSL");
    p.put("sasl.mechanism", "SCRAM-SHA-512");
    p.put("sasl.jaas.config", scramJaas(user.name(), user.password()));
    return Map.copyOf(p);
  }

  /** A JAAS line for SCRAM; user and password quoted as JAAS reads them. */
  public static String scramJaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + jaasEscape(user)
        + "\" password=\""
        + jaasEscape(password)
        + "\";";
  }

  private static String jaasEscape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  private void format() {
    try {
      Files.createDirectories(dir.resolve("data"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (options.tls()) {
      certificates = LoopbackCertificates.issue(dir.resolve("tls"));
    }
    try {
      Files.writeString(properties, serverProperties());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command =
        java(
            "kafka.tools.StorageTool",
            "format",
            "-t",
            Uuid.randomUuid().toString(),
            "-c",
            properties.toString());
    // KRaft keeps SCRAM credentials in its metadata log: formatting is where the first ones go.
    for (String credential : options.scramCredentials()) {
      command.addAll(List.of("--add-scram", credential));
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

  /** Grants the components' ACLs, through the internal listener whose principal is a super user. */
  private void grant(List<ComponentAcl> acls) {
    List<org.apache.kafka.common.acl.AclBinding> bindings =
        acls.stream().flatMap(a -> a.bindings().stream()).toList();
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    try (Admin client = Admin.create(admin)) {
      client.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new StackException("could not create the components' ACLs", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackException("interrupted while creating ACLs", e);
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

  /**
   * Kills the broker with SIGKILL: no controlled shutdown, no flush, its log recovered at the next
   * {@link #start}, as after a crash.
   */
  public synchronized void kill() {
    if (process != null) {
      process.kill();
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
    List<String> listeners = new java.util.ArrayList<>(List.of("PLAINTEXT://127.0.0.1:" + port));
    List<String> protocols =
        new java.util.ArrayList<>(List.of("PLAINTEXT:PLAINTEXT", "CONTROLLER:PLAINTEXT"));
    List<String> lines = new java.util.ArrayList<>();
    List<String> mechanisms = new java.util.ArrayList<>();
    if (options.scram() != null) {
      listeners.add("SASL_PLAINTEXT://127.0.0.1:" + saslPort);
      listeners.add("SSL://127.0.0.1:" + tlsPort);
      protocols.addAll(List.of("SASL_PLAINTEXT:SASL_PLAINTEXT", "SSL:SSL"));
      mechanisms.add("SCRAM-SHA-256");
      lines.add(
          "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config="
              + "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    }
    if (options.secured() != null) {
      listeners.add("SASL_SSL://127.0.0.1:" + saslSslPort);
      protocols.add("SASL_SSL:SASL_SSL");
      mechanisms.add("SCRAM-SHA-512");
      lines.add(
          "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
              + "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      lines.add("authorizer.class.name=" + AUTHORIZER);
      lines.add("super.users=" + INTERNAL_PRINCIPAL + ";User:" + options.secured().admin().name());
      lines.add("allow.everyone.if.no.acl.found=false");
    }
    if (options.tls()) {
      lines.add("ssl.keystore.location=" + certificates.serverKeyStore());
      lines.add("ssl.keystore.password=" + STORE_PASSWORD);
      lines.add("ssl.keystore.type=PKCS12");
      lines.add("sasl.enabled.mechanisms=" + String.join(",", mechanisms));
    }
    String advertised =
        listeners.stream()
            .filter(l -> !l.startsWith("CONTROLLER"))
            .collect(java.util.stream.Collectors.joining(","));
    listeners.add("CONTROLLER://127.0.0.1:" + controllerPort);
    lines.addAll(
        List.of(
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
            "listeners=" + String.join(",", listeners),
            "advertised.listeners=" + advertised,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=" + String.join(",", protocols),
            "log.dirs=" + dir.resolve("data"),
            "num.partitions=4",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=4",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            // A secured broker creates no topic by itself: the ACLs grant no Create anyway.
            "auto.create.topics.enable=" + (options.secured() == null),
            ""));
    return String.join("\n", lines);
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
