package io.podflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerdictsCommandTest {
  private static final Path EXAMPLE = Path.of("..", "examples", "verdicts");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void writesEachConnectionBackWithItsVerdictInOrder() throws Exception {
    CommandRun run =
        run(
            "--manifests",
            EXAMPLE.resolve("manifests").toString(),
            "--connections",
            EXAMPLE.resolve("connections.ndjson").toString());

    assertThat(run.exit()).isZero();
    List<JsonNode> lines = lines(run.out());
    assertThat(lines)
        .extracting(l -> l.at("/policy/verdict").asText())
        .containsExactly("allowed", "allowed", "denied", "denied");
    JsonNode denied = lines.get(2);
    assertThat(denied.at("/source/ip").asText()).isEqualTo("10.1.0.5");
    assertThat(denied.at("/policy/ingress/action").asText()).isEqualTo("denied");
    assertThat(denied.at("/policy/ingress/isolated_by/0/name").asText()).isEqualTo("db-allow-api");
    assertThat(denied.at("/policy/egress/isolated").asBoolean()).isFalse();
    assertThat(lines.get(1).at("/policy/ingress/allowed_by/name").asText())
        .isEqualTo("db-allow-api");
    assertThat(lines.get(1).at("/policy/ingress/allowed_by/rule_index").asInt()).isZero();
  }

  @Test
  void stagedPoliciesShowWhichVerdictsWouldChange() throws Exception {
    CommandRun run =
        run(
            "--manifests",
            EXAMPLE.resolve("manifests").toString(),
            "--connections",
            EXAMPLE.resolve("connections.ndjson").toString(),
            "--staged",
            EXAMPLE.resolve("staged").toString());

    List<JsonNode> lines = lines(run.out());
    assertThat(lines)
        .extracting(l -> l.at("/policy/pending/0/changed").asBoolean())
        .containsExactly(false, false, true, false);
    assertThat(lines.get(2).at("/policy/pending/0/verdict").asText()).isEqualTo("allowed");
    assertThat(lines.get(2).at("/policy/pending/0/ingress/allowed_by/name").asText())
        .isEqualTo("db-allow-web");
    assertThat(run.err()).contains("the staged policies change 1 verdicts");
  }

  @Test
  void withAllowPartialBadLinesAndInvalidPoliciesAreReportedAndTheRestIsJudgedAsPartial()
      throws Exception {
    Path manifests = Files.createDirectories(dir.resolve("m"));
    Files.copy(EXAMPLE.resolve("manifests/cluster.yaml"), manifests.resolve("cluster.yaml"));
    Files.writeString(
        manifests.resolve("bad.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: broken, namespace: shop}\n"
            + "spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: nonsense}}]}]}\n");
    Path connections = dir.resolve("c.ndjson");
    Files.writeString(
        connections,
        "{\"source\":{\"ip\":\"10.1.0.5\"},\"destination\":{\"ip\":\"10.1.0.9\",\"port\":5432}}\n"
            + "not json\n"
            + "{\"source\":{\"ip\":\"10.1.0.5\"},\"destination\":{\"ip\":\"10.1.0.9\",\"port\":5432},\"network\":{\"transport\":\"gre\"}}\n");

    CommandRun run =
        run(
            "--manifests",
            manifests.toString(),
            "--connections",
            connections.toString(),
            "--allow-partial");

    assertThat(run.exit()).isEqualTo(VerdictsCommand.REJECTED).isEqualTo(3);
    assertThat(lines(run.out()))
        .singleElement()
        .satisfies(l -> assertThat(l.at("/policy/verdict").asText()).isEqualTo("allowed"))
        .satisfies(l -> assertThat(l.at("/policy/partial").asBoolean()).isTrue());
    assertThat(run.err())
        .contains(
            "NetworkPolicy broken: spec.ingress[0].from[0].ipBlock.cidr: 'nonsense' is not a CIDR block")
        .contains("line 2 skipped")
        .contains("line 3 skipped: network.transport 'gre' is not tcp, udp or sctp");
  }

  @Test
  void aRejectedManifestStopsEveryVerdictAndExitsThree() throws Exception {
    Path manifests = Files.createDirectories(dir.resolve("m"));
    Files.copy(EXAMPLE.resolve("manifests/cluster.yaml"), manifests.resolve("cluster.yaml"));
    Files.copy(EXAMPLE.resolve("manifests/policies.yaml"), manifests.resolve("policies.yaml"));
    Files.writeString(
        manifests.resolve("typo.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: wide, namespace: shop}\n"
            + "spec: {podSelector: {}, ingress: [{ports: [{port: 80, endPort: 4294967376}]}]}\n");

    CommandRun run =
        run(
            "--manifests",
            manifests.toString(),
            "--connections",
            EXAMPLE.resolve("connections.ndjson").toString());

    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .contains(
            "live object rejected: "
                + manifests.resolve("typo.yaml")
                + ": NetworkPolicy wide: spec.ingress[0].ports[0].endPort: 4294967376 is out of range 1-65535")
        .contains("1 objects rejected: no verdicts against a partly read policy set");
  }

  @Test
  void malformedYamlIsARejectionNotAMissingPolicy() throws Exception {
    Path manifests = Files.createDirectories(dir.resolve("m"));
    Files.copy(EXAMPLE.resolve("manifests/cluster.yaml"), manifests.resolve("cluster.yaml"));
    Files.writeString(
        manifests.resolve("policies.yaml"),
        Files.readString(EXAMPLE.resolve("manifests/policies.yaml")) + "\n---\nkind: [unclosed\n");

    CommandRun run =
        run(
            "--manifests",
            manifests.toString(),
            "--connections",
            EXAMPLE.resolve("connections.ndjson").toString());

    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains(manifests.resolve("policies.yaml") + ": not YAML or JSON");
  }

  @Test
  void aPortPast32BitsIsSkippedNotReadAsAWrappedPort() throws Exception {
    Path connections = dir.resolve("c.ndjson");
    Files.writeString(
        connections,
        "{\"source\":{\"ip\":\"10.1.0.5\"},\"destination\":{\"ip\":\"10.1.0.9\",\"port\":4294967376}}\n"
            + "{\"source\":{\"ip\":\"9web\"},\"destination\":{\"ip\":\"10.1.0.9\",\"port\":80}}\n");

    CommandRun run =
        run(
            "--manifests",
            EXAMPLE.resolve("manifests").toString(),
            "--connections",
            connections.toString());

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .contains("line 1 skipped: destination.port must be a whole number 0-65535, not 4294967376")
        .contains("line 2 skipped: '9web' is not an IP address");
  }

  private static List<JsonNode> lines(String text) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        out.add(JSON.readTree(line));
      }
    }
    return out;
  }

  private static CommandRun run(String... args) {
    String[] full = new String[args.length + 1];
    full[0] = "verdicts";
    System.arraycopy(args, 0, full, 1, args.length);
    return CommandRun.of(full);
  }
}
