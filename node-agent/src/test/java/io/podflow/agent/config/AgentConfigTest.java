package io.podflow.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podflow.agent.publish.PublisherConfig;
import io.podflow.agent.publish.SpoolFsync;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentConfigTest {
  @Test
  void aMinimalFileTakesTheDocumentedDefaults() {
    AgentConfig c =
        AgentConfig.parse(
            "cluster: prod\nkafka:\n  bootstrapServers: kafka:9092\n",
            "test",
            Map.of("NODE_NAME", "node-7", "POD_NAME", "podflow-agent-x1"));
    assertThat(c.cluster()).isEqualTo("prod");
    assertThat(c.node()).isEqualTo("node-7");
    assertThat(c.agent()).isEqualTo("podflow-agent-x1");
    assertThat(c.capture().interfaces()).containsExactly("veth*", "cali*", "lxc*", "cni0");
    assertThat(c.capture().snaplen()).isEqualTo(128);
    assertThat(c.capture().immediateMode()).isTrue();
    assertThat(c.capture().batchDelay()).isEqualTo(Duration.ofMillis(5));
    assertThat(c.flows().activeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.flows().idleTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.kafka().topic()).isEqualTo("podflow.flows.v1");
    assertThat(c.kafka().compression()).isEqualTo("zstd");
    assertThat(c.kafka().spoolBytes()).isEqualTo(256L << 20);
    assertThat(c.kafka().spoolFsync()).isEqualTo(SpoolFsync.INTERVAL);
    assertThat(c.enrichment().tombstone()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.httpPort()).isEqualTo(9090);
  }

  @Test
  void theSpoolsFsyncPolicyIsOneOfThreeNamedOnes() {
    String minimal = "cluster: prod\nkafka:\n  bootstrapServers: kafka:9092\n";
    assertThat(AgentConfig.parse(minimal + "spool:\n  fsync: always\n", "t", Map.of()).kafka())
        .extracting(PublisherConfig::spoolFsync)
        .isEqualTo(SpoolFsync.ALWAYS);
    assertThatThrownBy(
            () -> AgentConfig.parse(minimal + "spool:\n  fsync: sometimes\n", "t", Map.of()))
        .hasMessageContaining("spool.fsync must be never, interval or always, not 'sometimes'");
  }

  @Test
  void httpListensOnThePodsIpTheDaemonSetPassesElseOnLoopback() {
    String minimal = "cluster: prod\nkafka:\n  bootstrapServers: kafka:9092\n";

    assertThat(AgentConfig.parse(minimal, "test", Map.of("POD_IP", "10.0.3.7")).httpAddress())
        .isEqualTo("10.0.3.7");
    assertThat(AgentConfig.parse(minimal, "test", Map.of()).httpAddress()).isEqualTo("127.0.0.1");
    assertThat(
            AgentConfig.parse(
                    minimal + "http:\n  address: 0.0.0.0\n", "test", Map.of("POD_IP", "10.0.3.7"))
                .httpAddress())
        .isEqualTo("0.0.0.0");
  }

  @Test
  void environmentVariablesOverrideTheFileKeyByKeyAndOthersAreLeftAlone() {
    AgentConfig c =
        AgentConfig.parse(
            "cluster: prod\nkafka:\n  bootstrapServers: kafka:9092\ncapture:\n  snaplen: 256\n",
            "test",
            Map.of(
                "PODFLOW_KAFKA_BOOTSTRAPSERVERS", "a:9092,b:9092",
                "PODFLOW_CAPTURE_INTERFACES", "eth0, cni0",
                "PODFLOW_FLOWS_IDLETIMEOUTSECONDS", "30",
                // What Kubernetes sets for Services named podflow-kafka and podflow-processor:
                // not configuration, left alone.
                "PODFLOW_KAFKA_SERVICE_HOST", "10.96.0.12",
                "PODFLOW_PROCESSOR_PORT_8081_TCP", "tcp://10.96.0.13:8081"));
    assertThat(c.kafka().bootstrapServers()).isEqualTo("a:9092,b:9092");
    assertThat(c.capture().interfaces()).containsExactly("eth0", "cni0");
    assertThat(c.capture().snaplen()).isEqualTo(256);
    assertThat(c.flows().idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.kafka().clientProperties()).isEmpty();
  }

  @Test
  void everyProblemIsReportedWithItsKeyAndTheFormExpected() {
    String yaml =
        String.join(
            "\n",
            "kafka:",
            "  compression: snappy",
            "capture:",
            "  snapln: 96",
            "  batchDelayMs: 500",
            "flows:",
            "  idleTimeoutSeconds: soon",
            "enrichment:",
            "  clusterCidrs: [10.0.0.0/33]");
    assertThatThrownBy(() -> AgentConfig.parse(yaml, "agent.yaml", Map.of()))
        .isInstanceOfSatisfying(
            AgentConfig.InvalidConfigException.class,
            e ->
                assertThat(e.problems())
                    .anySatisfy(p -> assertThat(p).startsWith("cluster: required"))
                    .anySatisfy(p -> assertThat(p).startsWith("kafka.bootstrapServers: required"))
                    .anySatisfy(
                        p ->
                            assertThat(p)
                                .startsWith("capture.snapln: unknown key")
                                .contains("snaplen"))
                    .anySatisfy(
                        p ->
                            assertThat(p)
                                .isEqualTo(
                                    "capture.batchDelayMs: must be between 0 and 50, not 500"))
                    .anySatisfy(
                        p ->
                            assertThat(p)
                                .isEqualTo(
                                    "flows.idleTimeoutSeconds: expected a whole number, not"
                                        + " 'soon'"))
                    .anySatisfy(
                        p ->
                            assertThat(p)
                                .startsWith("enrichment.clusterCidrs:")
                                .contains("10.0.0.0/33")))
        .hasMessageContaining("agent.yaml");
  }

  @Test
  void aFileThatIsNotYamlSaysSo() {
    assertThatThrownBy(() -> AgentConfig.parse("cluster: [unclosed", "x.yaml", Map.of()))
        .isInstanceOf(AgentConfig.InvalidConfigException.class)
        .hasMessageContaining("not YAML");
  }

  @Test
  void kafkaPropertiesThatWeakenDeliveryOrTakeOverTheAgentsKeysAreRefusedByKey() {
    String yaml =
        String.join(
            "\n",
            "cluster: prod",
            "kafka:",
            "  bootstrapServers: kafka:9093",
            "  properties:",
            "    acks: \"1\"",
            "    enable.idempotence: \"false\"",
            "    compression.type: gzip",
            "    security.protocol: SASL_SSL");
    assertThatThrownBy(() -> AgentConfig.parse(yaml, "agent.yaml", Map.of()))
        .isInstanceOfSatisfying(
            AgentConfig.InvalidConfigException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(3)
                    .anySatisfy(p -> assertThat(p).startsWith("kafka.properties.acks=1 is refused"))
                    .anySatisfy(
                        p ->
                            assertThat(p)
                                .startsWith("kafka.properties.enable.idempotence=false is refused"))
                    .anySatisfy(
                        p ->
                            assertThat(p)
                                .isEqualTo(
                                    "kafka.properties.compression.type is set through"
                                        + " kafka.compression, not here")));
  }

  @Test
  void theConfigurationAsCheckShowsItNamesClientPropertiesButShowsNoValue() {
    AgentConfig c =
        AgentConfig.parse(
            String.join(
                "\n",
                "cluster: prod",
                "kafka:",
                "  bootstrapServers: kafka:9093",
                "  properties:",
                "    security.protocol: SASL_SSL",
                "    sasl.jaas.config: >-",
                "      org.apache.kafka.common.security.scram.ScramLoginModule required",
                "      username=\"podflow-agent\" password=\"hunter2\";"),
            "agent.yaml",
            Map.of());
    assertThat(c.kafka().clientProperties().get("sasl.jaas.config")).contains("hunter2");
    assertThat(c.toString())
        .contains("clientProperties=[sasl.jaas.config, security.protocol] (values not shown)")
        .doesNotContain("hunter2");
  }

  @Test
  void aNumberPast64BitsIsOutOfRangeNotItsLowBits() {
    String yaml =
        "cluster: prod\nkafka: {bootstrapServers: kafka:9092}\nflows:\n  maxFlows: 18446744073709552640\n";

    assertThatThrownBy(() -> AgentConfig.parse(yaml, "agent.yaml", Map.of()))
        .isInstanceOfSatisfying(
            AgentConfig.InvalidConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "flows.maxFlows: must be between 1024 and 16777216, not 18446744073709552640"));
  }

  @Test
  void aNumberPast64BitsFromTheEnvironmentIsOutOfRangeToo() {
    assertThatThrownBy(
            () ->
                AgentConfig.parse(
                    "cluster: prod\nkafka: {bootstrapServers: kafka:9092}\n",
                    "agent.yaml",
                    Map.of("PODFLOW_HTTP_PORT", "18446744073709552640")))
        .isInstanceOfSatisfying(
            AgentConfig.InvalidConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "http.port: must be between 0 and 65535, not 18446744073709552640"));
  }

  @Test
  void aCaptureFilterLibpcapRefusesIsRefusedWithLibpcapsWords() {
    String yaml =
        "cluster: prod\nkafka: {bootstrapServers: kafka:9092}\ncapture: {filter: 'tcp port eighty'}\n";

    assertThatThrownBy(() -> AgentConfig.parse(yaml, "agent.yaml", Map.of()))
        .isInstanceOfSatisfying(
            AgentConfig.InvalidConfigException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .startsWith("capture.filter: libpcap refuses 'tcp port eighty': ")
                    .contains("eighty"));
  }

  @Test
  void aCaptureFilterLibpcapCompilesIsTaken() {
    AgentConfig c =
        AgentConfig.parse(
            "cluster: prod\nkafka: {bootstrapServers: kafka:9092}\n"
                + "capture: {filter: 'ip and not port 22'}\n",
            "agent.yaml",
            Map.of());

    assertThat(c.capture().bpfFilter()).contains("not port 22");
  }

  @Test
  void bootstrapServersMustBeHostPortEntriesWithValidPorts() {
    String yaml =
        "cluster: prod\nkafka:\n  bootstrapServers: 'kafka:9092,,nohost,k:0,k:99999,k:x,"
            + "fd00::1:9092,[zz]:9092,bad host:9092,300.1.1.1:9092'\n";

    assertThatThrownBy(() -> AgentConfig.parse(yaml, "agent.yaml", Map.of()))
        .isInstanceOfSatisfying(
            AgentConfig.InvalidConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "kafka.bootstrapServers: '' is empty (a stray comma?)",
                        "kafka.bootstrapServers: 'nohost' has no port (host:port)",
                        "kafka.bootstrapServers: 'k:0' has port 0, not 1-65535",
                        "kafka.bootstrapServers: 'k:99999' has port 99999, not 1-65535",
                        "kafka.bootstrapServers: 'k:x' has a port that is not a number 1-65535",
                        "kafka.bootstrapServers: 'fd00::1:9092' has an IPv6 address without"
                            + " brackets ([addr]:port)",
                        "kafka.bootstrapServers: '[zz]:9092' has no IPv6 address between its"
                            + " brackets",
                        "kafka.bootstrapServers: 'bad host:9092' has a host that is no DNS name",
                        "kafka.bootstrapServers: '300.1.1.1:9092' has a host that is no IPv4"
                            + " address"));
  }

  @Test
  void bootstrapServersTakeNamesIpv4AndBracketedIpv6() {
    AgentConfig c =
        AgentConfig.parse(
            "cluster: prod\nkafka:\n  bootstrapServers:"
                + " 'kafka-0.kafka.podflow.svc:9093, 10.96.0.12:9092,[fd00::12]:9092'\n",
            "agent.yaml",
            Map.of());

    assertThat(c.kafka().bootstrapServers()).contains("[fd00::12]:9092");
  }
}
